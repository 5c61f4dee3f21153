"""Read-only queries of the application page: the application with what it shows,
its whole history and its scorecards, each in one statement (see portal.queries)."""

from peewee import JOIN

from portal.domain.queries import restrict
from portal.followup import queries as followup
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Stage
from portal.store.models import User

FromStage = Stage.alias("from_stage")
ToStage = Stage.alias("to_stage")


def application(ref: str, manager: User | None = None) -> Application | None:
    """One application with its candidate, job, stage and recruiter, if visible."""
    return restrict(followup.rows().where(Application.ref == ref), manager).first()


def history(application: Application) -> list[Event]:
    """Every event of an application, newest first, with its actor and stages."""
    return list(
        Event.select(Event, User, FromStage, ToStage)
        .join(User, JOIN.LEFT_OUTER, on=(Event.actor == User.id))
        .switch(Event)
        .join(FromStage, JOIN.LEFT_OUTER, on=(Event.from_stage == FromStage.id))
        .switch(Event)
        .join(ToStage, JOIN.LEFT_OUTER, on=(Event.to_stage == ToStage.id))
        .where(Event.application == application)
        .order_by(Event.created.desc(), Event.id.desc())
    )


def feedback(application: Application) -> list[Feedback]:
    """Every scorecard on an application with its author and stage, by stage then time."""
    return list(
        Feedback.select(Feedback, User, Stage)
        .join(User, on=(Feedback.author == User.id))
        .switch(Feedback)
        .join(Stage, on=(Feedback.stage == Stage.id))
        .where(Feedback.application == application)
        .order_by(Stage.position, Feedback.created)
    )
