"""Who is owed an answer: candidates whose question (or request to move an interview)
nobody has answered yet, longest waiting first, with the day the answer is due (the
job's ``answer_days`` business days after they asked) and how late it is."""

from datetime import date

from portal import dates
from portal.clock import today
from portal.conversation.actions import answer_due
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


def waiting_words(application_ids: list[int]) -> dict[int, str]:
    """The latest unanswered words of each application (for the queue's rows)."""
    latest: dict[int, str] = {}
    query = (
        Event.select(Event.application, Event.message)
        .join(Application)
        .where(
            Event.application.in_(application_ids)
            & Event.kind.in_(("question", "move_request"))
            & (Event.created >= Application.asked)
        )
        .order_by(Event.created.desc(), Event.id.desc())
    )
    for application_id, message in query.tuples():
        latest.setdefault(application_id, message)
    return latest
