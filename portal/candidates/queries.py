"""The candidate page's four queries: built once per kind of database by peewee, then
run directly. Building a query's SQL costs peewee far more than SQLite or PostgreSQL
takes to run it (docs/performance.md), and the page is the hot path.

The static build runs the same queries for a batch of pages at once (``batch`` and
``batch_interviews``): the same columns, so one view-model serves both. Rows come back
as named tuples."""

import functools
from datetime import date
from datetime import datetime
from typing import NamedTuple

from peewee import Case
from peewee import JOIN

from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import ClosureReason
from portal.store.models import Event
from portal.store.models import Interview
from portal.store.models import Job
from portal.store.models import Link
from portal.store.models import Stage
from portal.store.models import User

#: Events the page reads besides the candidate-visible ones: the candidate's own
#: actions (to show what they already did) and the creation (the first stage's date).
OWN_KINDS = ("created", "acknowledged", "rated")


class LinkRow(NamedTuple):
    """A link with its application, candidate, job and recruiter: the first query."""

    link_id: str
    token: str
    expires: datetime | str
    revoked: datetime | str | None
    last_viewed: datetime | str | None
    application_id: int
    status: str
    reply_by: date | str | None
    next_steps: str
    closure_note: str
    closed: datetime | str | None
    #: Since when the candidate has been owed an answer (None: nothing unanswered).
    asked: datetime | str | None
    job_id: int
    stage_id: int
    candidate_name: str
    job_title: str
    job_location: str
    recruiter_name: str
    recruiter_email: str
    #: Business days within which the job answers a question.
    answer_days: int
    #: The code of the reason it closed for, if any (``reasons.withdrew_themselves``).
    closure_reason: str | None


class StageRow(NamedTuple):
    """One stage of the job's pipeline, in order, as the candidate sees it."""

    stage_id: int
    label: str
    description: str
    job_id: int


class EventRow(NamedTuple):
    """One event of the history: its words only when it is candidate-visible."""

    kind: str
    visible: bool
    message: str
    next_steps: str
    reply_by: date | str | None
    to_stage: int | None
    created: datetime | str
    #: Who wrote it (the staff member's name; empty for the system and internal events).
    author: str
    #: The candidate's label of the stage it went to, removed from the pipeline or not.
    to_label: str
    application_id: int


class InterviewRow(NamedTuple):
    """One interview still arranged (a cancelled one is left out), as the candidate is told
    it, with the candidate's own time zone ("" unknown)."""

    uid: str
    starts: datetime | str
    ends: datetime | str
    format: str
    place: str
    meeting: str
    prepare: str
    candidate_zone: str
    application_id: int


#: Stand-ins for the parameters, swapped for the real values on every run.
_LINK_ID = "\x00link\x00"
_NUMBER = -7_919_337


@functools.cache
def statements(dialect: type) -> dict[str, tuple[str, list]]:
    """The page's SQL for one kind of database, built once by peewee."""
    link, stages, events = _queries()
    return {
        "link": link.where(Link.id == _LINK_ID).sql(),
        "stages": stages.where(Stage.job == _NUMBER).sql(),
        "events": events.where(Event.application == _NUMBER).sql(),
        "interviews": _interviews().where(Interview.application == _NUMBER).sql(),
    }


def _queries():
    """The three queries, without the condition that picks one page or a batch."""
    recruiter = User.alias()
    first = (
        Link.select(
            Link.id,
            Link.token,
            Link.expires,
            Link.revoked,
            Link.last_viewed,
            Application.id,
            Application.status,
            Application.reply_by,
            Application.next_steps,
            Application.closure_note,
            Application.closed,
            Application.asked,
            Application.job,
            Application.stage,
            Candidate.name,
            Job.title,
            Job.location,
            recruiter.name,
            recruiter.email,
            Job.answer_days,
            ClosureReason.code,
        )
        .join(Application)
        .join(Candidate, on=Application.candidate == Candidate.id)
        .join_from(Application, Job)
        .join(recruiter, on=Job.recruiter == recruiter.id)
        .join_from(
            Application,
            ClosureReason,
            JOIN.LEFT_OUTER,
            on=Application.closure_reason == ClosureReason.id,
        )
    )
    # A removed stage is kept only for history: it is no step of the candidate's.
    stages = (
        Stage.select(Stage.id, Stage.candidate_label, Stage.description, Stage.job)
        .where(Stage.removed.is_null())
        .order_by(Stage.job, Stage.position, Stage.id)
    )
    # Internal words never leave the database: an event's text is read only when
    # the event is candidate-visible.
    visible = Event.visible == True  # noqa: E712  (SQL, not Python)
    author, arrived = User.alias(), Stage.alias()
    events = (
        Event.select(
            Event.kind,
            Event.visible,
            Case(None, [(visible, Event.message)], "").alias("message"),
            Case(None, [(visible, Event.next_steps)], "").alias("next_steps"),
            Event.reply_by,
            Event.to_stage,
            Event.created,
            Case(None, [(visible & author.id.is_null(False), author.name)], "").alias("author"),
            Case(None, [(visible & arrived.id.is_null(False), arrived.candidate_label)], "").alias(
                "to_label"
            ),
            Event.application,
        )
        .join(author, JOIN.LEFT_OUTER, on=(Event.actor == author.id))
        .join_from(Event, arrived, JOIN.LEFT_OUTER, on=(Event.to_stage == arrived.id))
        .where(visible | Event.kind.in_(OWN_KINDS))
        .order_by(Event.application, Event.created.desc(), Event.id.desc())
    )
    return first, stages, events


def _interviews():
    """The fourth query: the interviews still arranged, soonest first."""
    return (
        Interview.select(
            Interview.uid,
            Interview.starts,
            Interview.ends,
            Interview.format,
            Interview.place,
            Interview.meeting,
            Interview.prepare,
            Application.timezone,
            Interview.application,
        )
        .join(Application, on=(Interview.application == Application.id))
        .where(Interview.cancelled.is_null())
        .order_by(Interview.application, Interview.starts, Interview.id)
    )


def _run(name: str, value) -> list[tuple]:
    """The rows of statement ``name`` for a link id or a job or application id."""
    sql, params = statements(type(database.obj))[name]
    params = [value if p in (_LINK_ID, _NUMBER) else p for p in params]
    return database.execute_sql(sql, params).fetchall()


def link(link_id: str) -> LinkRow | None:
    """The link ``link_id`` with what its page shows, if there is such a link."""
    rows = _run("link", link_id)
    return LinkRow._make(rows[0]) if rows else None


def stages(job_id: int) -> list[StageRow]:
    """The job's pipeline, in order."""
    return list(map(StageRow._make, _run("stages", job_id)))


def events(application_id: int) -> list[EventRow]:
    """The application's history as the page reads it, newest first."""
    return list(map(EventRow._make, _run("events", application_id)))


def interviews(application_id: int) -> list[InterviewRow]:
    """The application's interviews still arranged, soonest first."""
    return list(map(InterviewRow._make, _run("interviews", application_id)))


def batch_interviews(application_ids: list[int]) -> dict[int, list[InterviewRow]]:
    """The fourth query for many pages at once: interviews by application id."""
    query = _interviews().where(Interview.application.in_(sorted(set(application_ids))))
    by_application: dict[int, list[InterviewRow]] = {}
    for row in map(InterviewRow._make, database.execute_sql(*query.sql())):
        by_application.setdefault(row.application_id, []).append(row)
    return by_application


def batch(link_ids: list[str]) -> tuple[list[LinkRow], dict, dict]:
    """The three queries for many pages at once: link rows, stages by job id, and
    events by application id (each in the order one page's query gives)."""
    link_query, stage_query, event_query = _queries()
    sql = link_query.where(Link.id.in_(link_ids)).sql()
    links = list(map(LinkRow._make, database.execute_sql(*sql).fetchall()))
    jobs = sorted({row.job_id for row in links})
    applications = sorted({row.application_id for row in links})
    by_job: dict[int, list[StageRow]] = {}
    by_application: dict[int, list[EventRow]] = {}
    for row in map(
        StageRow._make, database.execute_sql(*stage_query.where(Stage.job.in_(jobs)).sql())
    ):
        by_job.setdefault(row.job_id, []).append(row)
    query = event_query.where(Event.application.in_(applications))
    for row in map(EventRow._make, database.execute_sql(*query.sql())):
        by_application.setdefault(row.application_id, []).append(row)
    return links, by_job, by_application
