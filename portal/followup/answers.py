"""Who is owed an answer: candidates whose question (or request to move an interview)
nobody has answered yet, longest waiting first, with the day the answer is due (the
job's ``answer_days`` business days after they asked) and how late it is."""

from datetime import date
from datetime import datetime

from peewee import fn

from portal import dates
from portal.clock import local_date
from portal.clock import today
from portal.conversation.actions import answer_due
from portal.conversation.actions import ASKING_KINDS
from portal.conversation.actions import SETTLING_KINDS
from portal.domain.queries import rows
from portal.followup.queries import Lateness
from portal.followup.queries import narrowed
from portal.store.models import Application
from portal.store.models import Event

#: The oldest waiting first: the order of the queue, the digest and the metrics.
ORDER = (Application.asked, Application.id)


def owed_answer(job_id=None, recruiter_id=None):
    """Applications whose candidate waits for an answer, longest waiting first; closed
    ones too (a candidate may ask why)."""
    query = rows().where(Application.asked.is_null(False))
    return narrowed(query, job_id, recruiter_id).order_by(*ORDER)


def count_owed_answer(job_id=None, recruiter_id=None) -> int:
    """How many applications ``owed_answer`` lists."""
    query = Application.select(Application.id).where(Application.asked.is_null(False))
    return narrowed(query, job_id, recruiter_id).count()


def answer_lateness(applications, day: date | None = None) -> dict[int, Lateness]:
    """How late each answer is (by application id), counted with one calendar."""
    day = day or today()
    due = {a.id: answer_due(a) for a in applications}
    if not due:
        return {}
    workdays = dates.Workdays(min([*due.values(), day]), max([*due.values(), day]))
    return {
        id_: Lateness(workdays.between(when, day), False, when if when < day else None)
        for id_, when in due.items()
    }


def waiting_words(application_ids: list[int]) -> dict[int, list[str]]:
    """Each application's unanswered words, newest first (for the queue's rows)."""
    latest: dict[int, list[str]] = {}
    query = (
        Event.select(Event.application, Event.message)
        .join(Application)
        .where(
            Event.application.in_(application_ids)
            & Event.kind.in_(ASKING_KINDS)
            & (Event.created >= Application.asked)
        )
        .order_by(Event.created.desc(), Event.id.desc())
    )
    for application_id, message in query.tuples():
        latest.setdefault(application_id, []).append(message)
    return latest


def answer_waits(begin: datetime, end: datetime, job_ids=None):
    """(job id, business days waited) for each answer given from ``begin`` to ``end``:
    from the first question it settled (in the company's dates) to the answer."""
    kinds = (*ASKING_KINDS, *SETTLING_KINDS)
    answered = Event.select(Event.application).where(
        Event.kind.in_(SETTLING_KINDS) & (Event.created >= begin) & (Event.created < end)
    )
    query = (
        Event.select(Application.job, Event.application, Event.kind, Event.created)
        .join(Application)
        .where(Event.application.in_(answered) & Event.kind.in_(kinds) & (Event.created < end))
        .order_by(Event.application, Event.created, Event.id)
    )
    if job_ids is not None:
        query = query.where(Application.job.in_(job_ids))
    pairs, waiting = [], {}
    for job_id, application_id, kind, created in query.tuples():
        if kind in ASKING_KINDS:
            waiting.setdefault(application_id, created)
        elif application_id in waiting:
            asked = waiting.pop(application_id)
            if created >= begin:
                pairs.append((job_id, local_date(asked), local_date(created)))
    if not pairs:
        return []
    workdays = dates.Workdays(min(p[1] for p in pairs), max(p[2] for p in pairs))
    return [(job_id, workdays.between(asked, answered)) for job_id, asked, answered in pairs]


def owed_answers_by_job(job_ids=None):
    """(job id, how many of its candidates wait for an answer now)."""
    query = Application.select(Application.job, fn.COUNT(Application.id)).where(
        Application.asked.is_null(False)
    )
    if job_ids is not None:
        query = query.where(Application.job.in_(job_ids))
    return query.group_by(Application.job).tuples()
