"""Follow-up health per job and per recruiter over a period: how well candidates are kept
informed. A fixed handful of grouped queries over the facts derived from the events
(portal.followup.facts), whatever the number of applications.

Definitions (a period is a range of company dates, both ends included):

- word: a candidate-visible move, update or closure;
- gap: business days from the previous word (or the application, for the first word)
  to a word given in the period; the median gap is the rhythm candidates experience;
- overdue: active applications whose reply-by date has passed, today, or that have none
  (``followup.promise_broken``, as in the queue and `portal remind`);
- wait: business days from entering the last interview stage to a closure in the period;
- noted: closures in the period with a closure note;
- acknowledged: closures in the period the candidate acknowledged ("got it", on their page);
- ratings: experience ratings (1-5) candidates gave in the period;
- answer: business days from a candidate's question to the answer that settled it, for
  answers given in the period; owed an answer: candidates whose question waits now.

Business days are counted in the company's time zone with its holidays.
"""

from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC

from peewee import Case
from peewee import fn
from peewee import JOIN
from peewee import SQL

from portal.clock import today
from portal.clock import zone
from portal.followup import answers
from portal.followup import facts
from portal.followup import queries as followup
from portal.store.models import Application
from portal.store.models import ClosureFact
from portal.store.models import Event
from portal.store.models import Job
from portal.store.models import User
from portal.store.models import WordFact

#: Recorded by the candidate's page (rate_experience).
RATED = "rated"


@dataclass
class Period:
    """Company dates from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int = 90, end: date | None = None) -> "Period":
        end = end or today()
        return cls(end - timedelta(days=days - 1), end)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as stored (naive UTC) times: [from, to)."""
        return utc_midnight(self.start), utc_midnight(self.end + timedelta(days=1))


def utc_midnight(day: date) -> datetime:
    """Midnight of ``day`` in the company's zone, as a naive UTC time."""
    local = datetime.combine(day, time(), tzinfo=zone())
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Health:
    """The follow-up numbers of one job, one recruiter, or everyone."""

    label: str
    key: int | None = None
    gaps: Counter = field(default_factory=Counter)
    active: int = 0
    overdue: int = 0
    waits: Counter = field(default_factory=Counter)
    closures: int = 0
    noted: int = 0
    words: int = 0
    acknowledged: int = 0
    ratings: Counter = field(default_factory=Counter)
    answer_waits: Counter = field(default_factory=Counter)
    owed_answers: int = 0

    COUNTERS = ("gaps", "waits", "ratings", "answer_waits")
    COUNTS = ("active", "overdue", "closures", "noted", "words", "acknowledged", "owed_answers")

    def add(self, other: "Health") -> None:
        """Fold ``other``'s counts into these (medians merge through the counters)."""
        for name in self.COUNTERS:
            getattr(self, name).update(getattr(other, name))
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def median_answer(self) -> float | None:
        return _median(self.answer_waits)

    @property
    def median_gap(self) -> float | None:
        return _median(self.gaps)

    @property
    def median_wait(self) -> float | None:
        return _median(self.waits)

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.active if self.active else None

    @property
    def noted_share(self) -> float | None:
        return self.noted / self.closures if self.closures else None

    @property
    def acknowledged_share(self) -> float | None:
        return self.acknowledged / self.closures if self.closures else None

    @property
    def rating(self) -> float | None:
        total = sum(self.ratings.values())
        return sum(k * n for k, n in self.ratings.items()) / total if total else None


def _median(counts: Counter) -> float | None:
    """The median of the values counted, walking the distinct values only."""
    total = sum(counts.values())
    if not total:
        return None
    middle, seen, below = (total - 1) // 2, 0, None
    for value in sorted(counts):
        if below is not None:  # an even count: the lower middle was the last value
            return (below + value) / 2
        seen += counts[value]
        if seen > middle:
            if total % 2 or seen > middle + 1:
                return value
            below = value
    return below


# --- the numbers ---------------------------------------------------------------------


def _narrow(query, column, job_ids):
    return query if job_ids is None else query.where(column.in_(job_ids))


def _words(period: Period, job_ids=None):
    """(job, gap, count) of the words given in the period."""
    query = WordFact.select(WordFact.job, WordFact.gap, fn.COUNT(SQL("*"))).where(
        WordFact.day.between(period.start, period.end)
    )
    return _narrow(query, WordFact.job, job_ids).group_by(WordFact.job, WordFact.gap).tuples()


def _closures(period: Period, job_ids=None):
    """(job, wait, noted, acknowledged, count) of the closures in the period."""
    fields = (ClosureFact.job, ClosureFact.wait, ClosureFact.noted, ClosureFact.acknowledged)
    query = ClosureFact.select(*fields, fn.COUNT(SQL("*"))).where(
        ClosureFact.day.between(period.start, period.end)
    )
    return _narrow(query, ClosureFact.job, job_ids).group_by(*fields).tuples()


def _overdue(day: date, job_ids=None):
    """(job, active, overdue) today."""
    late = Case(None, [(followup.promise_broken(day), 1)], 0)
    query = Application.select(Application.job, fn.COUNT(Application.id), fn.SUM(late)).where(
        Application.status == "active"
    )
    return _narrow(query, Application.job, job_ids).group_by(Application.job).tuples()


def _ratings(period: Period, job_ids=None):
    """(job, rating, count) of the experience ratings given in the period."""
    begin, end = period.bounds()
    query = (
        Event.select(Application.job, Event.message, fn.COUNT(Event.id))
        .join(Application, on=(Event.application == Application.id))
        .where((Event.kind == RATED) & (Event.created >= begin) & (Event.created < end))
    )
    return (
        _narrow(query, Application.job, job_ids).group_by(Application.job, Event.message).tuples()
    )


def _rating(text: str) -> int | None:
    """The score of a "rated" event: its message is "4 out of 5" (portal.domain)."""
    value = str(text).strip().split(" ")[0]
    return int(value) if value.isdecimal() and 1 <= int(value) <= 5 else None


def health(period: Period, *, job_id=None, recruiter_id=None, day: date | None = None):
    """The numbers per job, per recruiter and overall: (jobs, recruiters, overall).

    Each list is sorted by label; ``job_id`` / ``recruiter_id`` narrow every figure.
    """
    day = day or today()
    query = Job.select(Job.id, Job.title, Job.ref, User.id, User.name).join(
        User, JOIN.INNER, on=(Job.recruiter == User.id)
    )
    if job_id:
        query = query.where(Job.id == job_id)
    if recruiter_id:
        query = query.where(Job.recruiter == recruiter_id)
    jobs, owner, people = {}, {}, {}
    for jid, title, ref, uid, name in query.tuples():
        jobs[jid] = Health(f"{title} ({ref})", jid)
        owner[jid] = uid
        people.setdefault(uid, Health(name, uid))

    facts.refresh()
    narrow = list(jobs) if (job_id or recruiter_id) else None
    for jid, gap, count in _words(period, narrow):
        if jid in jobs:
            jobs[jid].gaps[gap] += count
            jobs[jid].words += count
    for jid, wait, noted, acknowledged, count in _closures(period, narrow):
        if jid in jobs:
            health_ = jobs[jid]
            health_.closures += count
            health_.noted += count * bool(noted)
            health_.acknowledged += count * bool(acknowledged)
            if wait is not None:
                health_.waits[wait] += count
    for jid, active, late in _overdue(day, narrow):
        if jid in jobs:
            jobs[jid].active += active
            jobs[jid].overdue += int(late or 0)
    for jid, waited in answers.answer_waits(*period.bounds(), narrow):
        if jid in jobs:
            jobs[jid].answer_waits[waited] += 1
    for jid, count in answers.owed_answers_by_job(narrow):
        if jid in jobs:
            jobs[jid].owed_answers += count
    for jid, text, count in _ratings(period, narrow):
        value = _rating(text)
        if jid in jobs and value is not None:
            jobs[jid].ratings[value] += count

    overall = Health("Everyone")
    for jid, numbers in jobs.items():
        people[owner[jid]].add(numbers)
        overall.add(numbers)

    def by_label(rows):
        return sorted(rows, key=lambda h: (h.label.lower(), h.key))

    return by_label(jobs.values()), by_label(people.values()), overall
