"""Where the decisions on a hiring manager's jobs stand: the candidates the team is
deciding on, longest waiting first, and the moves and closures of the last days."""

from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

from peewee import fn
from peewee import JOIN
from peewee import NodeList

from portal.clock import as_datetime
from portal.clock import local_date
from portal.clock import now
from portal.clock import today
from portal.dates import business_days_between
from portal.domain.queries import restrict
from portal.followup.managers.owed import waited_words
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Event
from portal.store.models import Interview
from portal.store.models import Job
from portal.store.models import ScheduledClosure
from portal.store.models import Stage
from portal.store.models import User

#: How far back "decided recently" looks, in days, and how many decisions it lists.
DECIDED_DAYS = 14
DECIDED_LIMIT = 50
#: The events that decide something: a move, a closure, a closure scheduled for later.
DECISIONS = ("moved", "closed", "close_scheduled")
#: The events by which an application arrives at a stage.
ARRIVALS = ("created", "moved", "reopened")


class AwaitingDecision(NamedTuple):
    """An active application whose interviews at its stage are over, not yet moved on."""

    application: Application
    #: Since when the team has been deciding.
    since: datetime
    waited: int
    #: Whether the candidate's page says the team is deciding.
    told: bool

    @property
    def waited_words(self) -> str:
        """How long the candidate has waited, in words."""
        return waited_words(self.waited)


class Decision(NamedTuple):
    """A move or a closure on one of the manager's jobs."""

    application: Application
    event: Event
    #: What was decided, in words ("Moved from Screen to Interviews").
    what: str
    #: Who decided it (None: the portal itself, or a user since removed).
    by: User | None
    when: datetime


def _scalar(query) -> NodeList:
    """A one-value subquery as a column, to compare and select."""
    return NodeList((query,))


def _deciding(moment: datetime):
    """Active applications the team is deciding on at ``moment`` (see awaiting_decision),
    with their candidate, job and stage, their latest visible word (``.word``), the last
    end of an interview at their stage and their arrival there."""
    arrival, word, held, coming = Event.alias(), Event.alias(), Interview.alias(), Interview.alias()
    arrived = _scalar(
        arrival.select(fn.MAX(arrival.created)).where(
            (arrival.application == Application.id)
            & (arrival.to_stage == Application.stage)
            & arrival.kind.in_(ARRIVALS)
        )
    )
    latest_word = (
        word.select(word.id)
        .where((word.application == Application.id) & word.visible)
        .order_by(word.created.desc(), word.id.desc())
        .limit(1)
    )
    last_end = _scalar(
        held.select(fn.MAX(held.ends)).where(
            (held.application == Application.id)
            & (held.stage == Application.stage)
            & held.cancelled.is_null()
        )
    )
    to_come = coming.select(coming.id).where(
        (coming.application == Application.id) & coming.cancelled.is_null() & (coming.ends > moment)
    )
    scheduled = ScheduledClosure.select(ScheduledClosure.id).where(
        ScheduledClosure.application == Application.id
    )
    told = (word.kind == "deciding") & (word.to_stage == Application.stage)
    over = (
        last_end.is_null(False) & (last_end <= moment) & (arrived.is_null() | (last_end > arrived))
    )
    return (
        Application.select(
            Application,
            Candidate,
            Job,
            Stage,
            word.kind,
            word.to_stage,
            word.created,
            last_end.alias("last_end"),
            arrived.alias("arrived"),
        )
        .join(Candidate, on=(Application.candidate == Candidate.id))
        .switch(Application)
        .join(Job, on=(Application.job == Job.id))
        .switch(Application)
        .join(Stage, on=(Application.stage == Stage.id))
        .switch(Application)
        .join(word, JOIN.LEFT_OUTER, on=(word.id == latest_word), attr="word")
        .where(
            (Application.status == "active")
            & ~fn.EXISTS(to_come)
            & ~fn.EXISTS(scheduled)
            & (told | over)
        )
    )


def _waiting(application: Application, moment: datetime) -> AwaitingDecision:
    """The row of ``application`` as ``_deciding`` read it: since when, and whether told."""
    ended, came = as_datetime(application.last_end), as_datetime(application.arrived)
    word = application.word  # None: no visible word at all (an import, say)
    told = word is not None and word.kind == "deciding" and word.to_stage_id == application.stage_id
    over = ended is not None and ended <= moment and (came is None or ended > came)
    since = min(([ended] if over else []) + ([as_datetime(word.created)] if told else []))
    waited = max(0, business_days_between(local_date(since), today()))
    return AwaitingDecision(application, since, waited, told)


def awaiting_decision(manager: User) -> list[AwaitingDecision]:
    """Active applications on ``manager``'s jobs the team is deciding on, longest waiting
    first: the latest visible word since arriving at the current stage is that the team
    is deciding, or every interview arranged at that stage has ended and the candidate
    is still there (and no closure is scheduled, no other interview is to come)."""
    moment = now()
    rows = [_waiting(application, moment) for application in restrict(_deciding(moment), manager)]
    return sorted(rows, key=lambda row: (row.since, row.application.id))


def _what(event: Event, application: Application) -> str:
    """What ``event`` decided, in words."""
    if event.kind == "moved":
        start = f" from {event.from_stage.name}" if event.from_stage_id else ""
        end = f" to {event.to_stage.name}" if event.to_stage_id else ""
        return f"Moved{start}{end}"
    if event.kind == "close_scheduled":
        return event.message.rstrip(".") or "Closure scheduled"
    if application.is_active:
        return "Closed, and reopened since"
    return f"Closed as {application.status}"


def decided_recently(manager: User, days: int = DECIDED_DAYS) -> list[Decision]:
    """Moves and closures on ``manager``'s jobs in the last ``days`` days, newest first
    (at most DECIDED_LIMIT): what was decided, by whom, when."""
    actor, start, end = User.alias(), Stage.alias(), Stage.alias()
    query = (
        Event.select(Event, Application, Candidate, Job, actor, start, end)
        .join(Application, on=(Event.application == Application.id))
        .join(Candidate, on=(Application.candidate == Candidate.id))
        .switch(Application)
        .join(Job, on=(Application.job == Job.id))
        .switch(Event)
        .join(actor, JOIN.LEFT_OUTER, on=(Event.actor == actor.id), attr="actor")
        .switch(Event)
        .join(start, JOIN.LEFT_OUTER, on=(Event.from_stage == start.id), attr="from_stage")
        .switch(Event)
        .join(end, JOIN.LEFT_OUTER, on=(Event.to_stage == end.id), attr="to_stage")
        .where(Event.kind.in_(DECISIONS) & (Event.created >= now() - timedelta(days=days)))
        .order_by(Event.created.desc(), Event.id.desc())
        .limit(DECIDED_LIMIT)
    )
    return [
        Decision(
            event.application,
            event,
            _what(event, event.application),
            event.actor if event.actor_id else None,
            event.created,
        )
        for event in restrict(query, manager)
    ]
