"""The candidate page's three queries: built once per kind of database by peewee, then
run directly. Building a query's SQL costs peewee far more than SQLite or PostgreSQL
takes to run it (PERF-NOTES.md), and the page is the hot path."""

import functools
from datetime import date
from datetime import datetime

from peewee import Case

from portal.db import database
from portal.models import Application
from portal.models import Candidate
from portal.models import Event
from portal.models import Job
from portal.models import Link
from portal.models import Stage
from portal.models import User

#: Events the page reads besides the candidate-visible ones: the candidate's own
#: actions (to show what they already did) and the creation (the first stage's date).
OWN_KINDS = ("created", "acknowledged", "rated")

#: Stand-ins for the parameters, swapped for the real values on every run.
_LINK_ID = "\x00link\x00"
_NUMBER = -7_919_337


@functools.cache
def statements(dialect: type) -> dict[str, tuple[str, list]]:
    """The page's SQL for one kind of database, built once by peewee."""
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
        .where(Link.id == _LINK_ID)
    )
    stages = (
        Stage.select(Stage.id, Stage.candidate_label, Stage.description)
        .where(Stage.job == _NUMBER)
        .order_by(Stage.position, Stage.id)
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
        )
        .where((Event.application == _NUMBER) & (visible | Event.kind.in_(OWN_KINDS)))
        .order_by(Event.created.desc(), Event.id.desc())
    )
    return {
        name: query.sql()
        for name, query in (("link", first), ("stages", stages), ("events", events))
    }


def run(name: str, value) -> list[tuple]:
    """The rows of statement ``name`` for a link id or a job or application id."""
    sql, params = statements(type(database.obj))[name]
    params = [value if p in (_LINK_ID, _NUMBER) else p for p in params]
    return database.execute_sql(sql, params).fetchall()


def as_datetime(value) -> datetime | None:
    """A stored moment (SQLite gives text, PostgreSQL a datetime)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def as_date(value) -> date | None:
    """A stored day (SQLite gives text, PostgreSQL a date)."""
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value) if isinstance(value, str) else value
