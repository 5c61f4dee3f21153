"""What the admin and the worker read of interviews."""

from datetime import datetime

from peewee import fn
from peewee import JOIN

from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Interview
from portal.store.models import Stage


def of_application(application: Application) -> list[Interview]:
    """The application's interviews, cancelled ones too, in the order they are (were) held."""
    return list(
        Interview.select(Interview, Stage)
        .join(Stage, JOIN.LEFT_OUTER, on=(Interview.stage == Stage.id))
        .where(Interview.application == application.id)
        .order_by(Interview.starts, Interview.id)
    )


def by_uid(application: Application, uid: str) -> Interview | None:
    """The interview ``uid`` of ``application``, if it has one."""
    interview = Interview.get_or_none(
        (Interview.uid == uid) & (Interview.application == application.id)
    )
    if interview is not None:
        interview.application = application  # already read, with its job and candidate
    return interview


def ended_undecided(moment: datetime, since: datetime):
    """Interviews that ended between ``since`` and ``moment`` on an application still
    active at that interview's stage, with nothing visible on it since the end and no
    other interview of it still to come: the team is deciding now."""
    visible_since = Event.select(Event.id).where(
        (Event.application == Interview.application)
        & (Event.visible == True)  # noqa: E712  (SQL, not Python)
        & (Event.created >= Interview.ends)
    )
    other = Interview.alias()
    to_come = other.select(other.id).where(
        (other.application == Interview.application)
        & (other.id != Interview.id)
        & other.cancelled.is_null()
        & (other.ends > moment)
    )
    return (
        Interview.select(Interview, Application)
        .join(Application, on=(Interview.application == Application.id))
        .where(
            Interview.cancelled.is_null()
            & (Interview.ends <= moment)
            & (Interview.ends > since)
            & (Application.status == "active")
            & (Application.stage == Interview.stage)
            & ~fn.EXISTS(visible_since)
            & ~fn.EXISTS(to_come)
        )
        .order_by(Interview.ends, Interview.id)
    )


def feedback_due(until: datetime, since: datetime):
    """Interviews held (not cancelled) that ended between ``since`` and ``until`` whose
    managers have not been asked for feedback yet."""
    return (
        Interview.select(Interview, Application)
        .join(Application, on=(Interview.application == Application.id))
        .where(
            Interview.cancelled.is_null()
            & Interview.feedback_asked.is_null()
            & (Interview.ends <= until)
            & (Interview.ends > since)
        )
        .order_by(Interview.ends, Interview.id)
    )
