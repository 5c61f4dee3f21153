"""Follow-up discipline: who is owed word, how late, and what to propose for closure.

The actions of the queue are in ``portal.followup.actions``, the nightly nudges in
``portal.followup.remind``, the health numbers in ``portal.followup.metrics``.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app

from portal import dates
from portal.clock import today
from portal.dates import business_days_before
from portal.dates import Workdays
from portal.domain.queries import joined
from portal.domain.queries import Recruiter
from portal.domain.queries import rows
from portal.errors import Invalid
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Job
from portal.store.models import Stage


def due_by(day: date | None = None) -> date:
    """The queue shows what is overdue or due within one business day of ``day``."""
    return dates.add_business_days(day or today(), 1)


def stale_limit(job: Job) -> int:
    """Business days overdue after which ``job``'s applications are proposed for closure."""
    return job.stale_days or current_app.config["STALE_DAYS"]


def _listed():
    """``rows`` with only the columns a list shows: a page builds 100 rows of 5 models."""
    return joined(
        Application.select(
            Application.id,
            Application.ref,
            Application.job,
            Application.stage,
            Application.candidate,
            Application.status,
            Application.reply_by,
            Application.last_word,
            Application.version,
            Candidate.id,
            Candidate.name,
            Job.id,
            Job.ref,
            Job.title,
            Job.stale_days,
            Job.recruiter,
            Stage.id,
            Stage.name,
            Stage.position,
            Stage.follow_up_days,
            Recruiter.id,
            Recruiter.name,
        )
    )


def narrowed(query, job_id=None, recruiter_id=None):
    """Narrow to one job and/or one recruiter's jobs using the application's own columns,
    so that the (status, reply_by, job) index answers without reading jobs."""
    if job_id:
        query = query.where(Application.job == job_id)
    if recruiter_id:
        mine = Job.select(Job.id).where(Job.recruiter == recruiter_id)
        query = query.where(Application.job.in_(mine))
    return query


#: Most overdue first; no promise at all first of all.
ORDER = (Application.reply_by.asc(nulls="FIRST"), Application.id)


def _owed_condition(day: date):
    # No promise at all (possible after an import) is owed word too, first of all.
    return (Application.status == "active") & (
        (Application.reply_by <= due_by(day)) | Application.reply_by.is_null()
    )


def _page(condition, job_id, recruiter_id, number: int, size: int) -> list[Application]:
    """One page of the applications matching ``condition``, in ORDER, with their candidate,
    job, recruiter and stage, in three queries: the ids without a reply-by date (there
    should be none), the ids in reply-by order from the index alone, then their rows. One
    joined query lets the planner sort every match first, and PostgreSQL's indexes keep
    NULLs last, so "NULLS FIRST" would sort too."""

    def ids(where):
        query = Application.select(Application.id).where(condition & where)
        return narrowed(query, job_id, recruiter_id)

    start = (number - 1) * size
    unpromised = [
        i for (i,) in ids(Application.reply_by.is_null()).order_by(Application.id).tuples()
    ]
    chosen = unpromised[start : start + size]
    promised = (
        ids(Application.reply_by.is_null(False))
        .order_by(Application.reply_by, Application.id)
        .limit(size - len(chosen))
        .offset(max(0, start - len(unpromised)))
    )
    chosen += [i for (i,) in promised.tuples()]
    rows = {a.id: a for a in _listed().where(Application.id.in_(chosen))} if chosen else {}
    return [rows[i] for i in chosen if i in rows]


def owed_word(day: date | None = None, job_id=None, recruiter_id=None):
    """Active applications overdue or due within one business day, most overdue first."""
    day = day or today()
    return narrowed(rows().where(_owed_condition(day)), job_id, recruiter_id).order_by(*ORDER)


def owed_page(day: date, job_id=None, recruiter_id=None, number=1, size=50) -> list:
    """Page ``number`` of ``owed_word``."""
    return _page(_owed_condition(day), job_id, recruiter_id, number, size)


def count_owed(day: date | None = None, job_id=None, recruiter_id=None) -> int:
    """How many applications ``owed_word`` lists."""
    query = Application.select(Application.id).where(_owed_condition(day or today()))
    return narrowed(query, job_id, recruiter_id).count()


def promise_broken(day: date):
    """The reply-by date has passed as of ``day``, or there is none: the one definition of
    overdue that the queue, `portal remind` and the metrics share (with status "active")."""
    return (Application.reply_by < day) | Application.reply_by.is_null()


def overdue(day: date | None = None):
    """Active applications whose reply-by date has passed as of ``day``, most overdue first."""
    day = day or today()
    return rows().where((Application.status == "active") & promise_broken(day)).order_by(*ORDER)


def _stale_condition(day: date, extra_days: int = 0):
    """Overdue past the job's limit (or the global one), plus ``extra_days``.

    Business days are monotonic, so "at least N business days overdue" is "reply-by on
    or before one threshold date": one comparison per distinct limit, in SQL, on the
    application's own columns (the few jobs with their own limit are listed).
    """
    own: dict[int, list[int]] = {}
    for job_id, limit in Job.select(Job.id, Job.stale_days).where(Job.stale_days > 0).tuples():
        own.setdefault(limit, []).append(job_id)

    def late(days: int):
        return Application.reply_by <= business_days_before(day, max(1, days) + extra_days)

    condition = late(current_app.config["STALE_DAYS"])
    if own:
        listed = [job_id for ids in own.values() for job_id in ids]
        condition = Application.job.not_in(listed) & condition
        for limit, ids in own.items():
            condition |= Application.job.in_(ids) & late(limit)
    return (Application.status == "active") & condition


def proposals(day: date | None = None, job_id=None, recruiter_id=None):
    """Active applications overdue past their limit: proposed for closure, most overdue first."""
    day = day or today()
    query = rows().where(_stale_condition(day))
    return narrowed(query, job_id, recruiter_id).order_by(Application.reply_by, Application.id)


def proposals_page(day: date, job_id=None, recruiter_id=None, size=50) -> list:
    """The first ``size`` of ``proposals``."""
    return _page(_stale_condition(day), job_id, recruiter_id, 1, size)


def auto_close_due(day: date | None = None):
    """Applications `portal remind` closes by itself, when AUTO_CLOSE_DAYS is set."""
    days = current_app.config["AUTO_CLOSE_DAYS"]
    if not days:
        return []
    if days <= current_app.config["STALE_DAYS"]:
        raise Invalid(
            f"AUTO_CLOSE_DAYS ({days}) must be longer than STALE_DAYS "
            f"({current_app.config['STALE_DAYS']}), or 0 to turn automatic closure off."
        )
    day = day or today()
    cutoff = business_days_before(day, days)
    return list(
        proposals(day)
        .where(Application.reply_by <= cutoff)
        .order_by(Application.reply_by, Application.id)
    )


@dataclass
class Lateness:
    """How late word is for one application, in business days."""

    days: int  # > 0 overdue, 0 due today, < 0 due later
    proposed: bool
    #: The reply-by date, when it has passed: on a weekend or a holiday after it, no
    #: business day has gone by (``days`` is 0) but the promise is broken all the same.
    passed: date | None = None

    @property
    def words(self) -> str:
        if self.days > 0:
            return f"{self.days} business day{'s' * (self.days != 1)} overdue"
        if self.passed:
            return f"overdue since {dates.in_words(self.passed)}"
        if self.days < -1:
            return f"due in {-self.days} business days"
        return "due today" if self.days == 0 else "due next business day"


def lateness(applications, day: date | None = None) -> dict[int, Lateness]:
    """Lateness of each application (by id), counted with one calendar for the page."""
    day = day or today()
    promised = [a.reply_by for a in applications if a.reply_by]
    workdays = Workdays(min(promised + [day]), max(promised + [day]))
    result = {}
    for application in applications:
        if application.reply_by is None:
            result[application.id] = Lateness(0, False)
            continue
        days = workdays.between(application.reply_by, day)
        proposed = days >= max(1, stale_limit(application.job))
        passed = application.reply_by if application.reply_by < day else None
        result[application.id] = Lateness(days, proposed, passed)
    return result
