"""The candidate page's three queries: built once per kind of database by peewee, then
run directly. Building a query's SQL costs peewee far more than SQLite or PostgreSQL
takes to run it (PERF-NOTES.md), and the page is the hot path.

The static build runs the same three queries for a batch of pages at once (``batch``):
the same columns, so one view-model serves both."""

import functools
from datetime import date
from datetime import datetime

from peewee import Case

from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Event
from portal.store.models import Job
from portal.store.models import Link
from portal.store.models import Stage
from portal.store.models import User

#: Events the page reads besides the candidate-visible ones: the candidate's own
#: actions (to show what they already did) and the creation (the first stage's date).
OWN_KINDS = ("created", "acknowledged", "rated")

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
            Application.job,
            Application.stage,
            Candidate.name,
            Job.title,
            Job.location,
            recruiter.name,
            recruiter.email,
        )
        .join(Application)
        .join(Candidate, on=Application.candidate == Candidate.id)
        .join_from(Application, Job)
        .join(recruiter, on=Job.recruiter == recruiter.id)
    )
    stages = Stage.select(Stage.id, Stage.candidate_label, Stage.description, Stage.job).order_by(
        Stage.job, Stage.position, Stage.id
    )
    # Internal words never leave the database: an event's text is read only when
    # the event is candidate-visible.
    visible = Event.visible == True  # noqa: E712  (SQL, not Python)
    events = (
        Event.select(
            Event.kind,
            Event.visible,
            Case(None, [(visible, Event.message)], "").alias("message"),
            Case(None, [(visible, Event.next_steps)], "").alias("next_steps"),
            Event.reply_by,
            Event.to_stage,
            Event.created,
            Event.application,
        )
        .where(visible | Event.kind.in_(OWN_KINDS))
        .order_by(Event.application, Event.created.desc(), Event.id.desc())
    )
    return first, stages, events


def run(name: str, value) -> list[tuple]:
    """The rows of statement ``name`` for a link id or a job or application id."""
    sql, params = statements(type(database.obj))[name]
    params = [value if p in (_LINK_ID, _NUMBER) else p for p in params]
    return database.execute_sql(sql, params).fetchall()


def batch(link_ids: list[str]) -> tuple[list[tuple], dict, dict]:
    """The three queries for many pages at once: link rows, stages by job id, and
    events by application id (each in the order one page's query gives)."""
    link, stages, events = _queries()
    links = database.execute_sql(*link.where(Link.id.in_(link_ids)).sql()).fetchall()
    jobs = sorted({row[11] for row in links})
    applications = sorted({row[5] for row in links})
    by_job, by_application = {}, {}
    for row in database.execute_sql(*stages.where(Stage.job.in_(jobs)).sql()):
        by_job.setdefault(row[-1], []).append(row)
    query = events.where(Event.application.in_(applications))
    for row in database.execute_sql(*query.sql()):
        by_application.setdefault(row[-1], []).append(row)
    return links, by_job, by_application


def as_datetime(value) -> datetime | None:
    """A stored moment (SQLite gives text, PostgreSQL a datetime)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def as_date(value) -> date | None:
    """A stored day (SQLite gives text, PostgreSQL a date)."""
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value) if isinstance(value, str) else value
