"""The scorecards a hiring manager owes: interview stages on their jobs that are over
for a candidate still in the process, without their scorecard at that stage. Their home
page and their digest both list exactly these, oldest first."""

from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

from peewee import Case
from peewee import JOIN

from portal.clock import local_date
from portal.clock import now
from portal.dates import business_days_between
from portal.followup.metrics import utc_midnight
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Interview
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import Stage
from portal.store.models import User

#: Interviews that ended longer ago than this no longer count as a scorecard owed.
FEEDBACK_DAYS = 30


def waited_words(days: int) -> str:
    """'less than a business day', '1 business day', '3 business days': how long, never
    since when (the page says that beside it)."""
    if days <= 0:
        return "less than a business day"
    return f"{days} business day{'s' if days != 1 else ''}"


class OwedScorecard(NamedTuple):
    """An interview stage a manager owes their scorecard for."""

    application: Application
    stage: Stage
    #: The interview arranged in the portal, or None: the stage was left without one.
    interview: Interview | None
    #: When the interview ended (or the stage was left, or the team said it was deciding).
    ended: datetime
    #: Business days the candidate has waited since, as of the day asked about.
    waited: int

    @property
    def ended_day(self) -> date:
        """The company date it ended."""
        return local_date(self.ended)

    @property
    def waited_words(self) -> str:
        """How long the candidate has waited, in words."""
        return waited_words(self.waited)


def _owing(query, stage, manager: User | None):
    """``query`` (joined to Application) joined to each active manager of the job who has
    no scorecard on the application at ``stage``; the manager lands on ``.owing.user``."""
    query = (
        query.switch(Application)
        .join(JobManager, on=(JobManager.job == Application.job), attr="owing")
        .join(User, on=(JobManager.user == User.id))
        .join(
            Feedback,
            JOIN.LEFT_OUTER,
            on=(
                (Feedback.application == Application.id)
                & (Feedback.author == User.id)
                & (Feedback.stage == stage)
            ),
        )
        .where(Feedback.id.is_null() & User.active & (Application.status == "active"))
    )
    return query if manager is None else query.where(User.id == manager.id)


def _held(since: datetime, until: datetime, manager: User | None):
    """Interviews arranged in the portal (not cancelled, at a stage still known) that
    ended in the window, one row per manager owing a scorecard for them."""
    query = (
        Interview.select(Interview, Application, Candidate, Job, Stage, JobManager, User)
        .join(Application, on=(Interview.application == Application.id))
        .join(Candidate, on=(Application.candidate == Candidate.id))
        .switch(Application)
        .join(Job, on=(Application.job == Job.id))
        .switch(Interview)
        .join(Stage, on=(Interview.stage == Stage.id))
        .where(Interview.cancelled.is_null() & (Interview.ends >= since) & (Interview.ends < until))
    )
    return _owing(query, Interview.stage, manager)


def _left(since: datetime, until: datetime, manager: User | None):
    """Interview stages left in the window (a move from one, or the word that the team
    is deciding at one), one row per manager owing a scorecard for them."""
    # a move leaves its from-stage; the word that the team is deciding is given at its own
    interview = Case(None, [(Event.kind == "moved", Event.from_stage)], Event.to_stage)
    query = (
        Event.select(Event, Application, Candidate, Job, Stage, JobManager, User)
        .join(Stage, on=(Stage.id == interview), attr="interview_stage")
        .switch(Event)
        .join(Application, on=(Event.application == Application.id))
        .join(Candidate, on=(Application.candidate == Candidate.id))
        .switch(Application)
        .join(Job, on=(Application.job == Job.id))
        .where(
            Event.kind.in_(("moved", "deciding"))
            & Stage.interview
            & (Event.created >= since)
            & (Event.created < until)
        )
    )
    return _owing(query, Stage.id, manager)


class Owes(NamedTuple):
    """One manager and the scorecards they owe, oldest first."""

    manager: User
    scorecards: list[OwedScorecard]


def owed_by_manager(day: date, manager: User | None = None) -> list[Owes]:
    """Per active manager (only ``manager``, if given), by email, the interview stages on
    their jobs that ended in the FEEDBACK_DAYS up to ``day`` for an application still in
    the process, without their scorecard at that stage: oldest first."""
    until = utc_midnight(day + timedelta(days=1))
    since = until - timedelta(days=FEEDBACK_DAYS + 1)
    found: dict[tuple, tuple] = {}  # (manager, application, stage): the row's parts
    for held in _held(since, min(until, now()), manager):
        application, user = held.application, held.application.owing.user
        key = (user.id, application.id, held.stage_id)
        if key not in found or found[key][3].ends < held.ends:
            found[key] = (user, application, held.stage, held, held.ends)  # the last one held
    for left in _left(since, until, manager):
        application, user = left.application, left.application.owing.user
        key = (user.id, application.id, left.interview_stage.id)
        if key not in found or (found[key][3] is None and left.created < found[key][4]):
            found[key] = (user, application, left.interview_stage, None, left.created)
    owes: dict[int, Owes] = {}
    for user, application, stage, interview, ended in found.values():
        waited = max(0, business_days_between(local_date(ended), day))
        row = OwedScorecard(application, stage, interview, ended, waited)
        owes.setdefault(user.id, Owes(user, [])).scorecards.append(row)
    for each in owes.values():
        each.scorecards.sort(key=lambda row: (row.ended, row.application.id, row.stage.id))
    return sorted(owes.values(), key=lambda each: each.manager.email)


def owed_feedback(manager: User, day: date) -> list[OwedScorecard]:
    """The scorecards ``manager`` owes as of ``day``, oldest first (as their digest lists them)."""
    return next((each.scorecards for each in owed_by_manager(day, manager)), [])
