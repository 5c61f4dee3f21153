"""The facts follow-up health is counted from, derived once from the events.

Counting business days between every word and the one before it, in the company's time
zone, over a quarter of a busy year's events takes seconds; reading the same numbers
from a table of one row per word, indexed by day, takes milliseconds. So each word and
each closure gets its fact row the first time anything asks (``refresh``, called by the
health page and by `portal remind`), and the page only groups facts.

Events never change once written, so a fact never goes stale, except in two cases. A
change of the time zone or holidays changes the days: the facts are counted again from
scratch on the next refresh. On PostgreSQL, a long transaction (an import) may commit
events with ids below ones already counted: ``refresh(full=True)``, which `portal remind`
runs, counts every event that has no fact yet.
"""

import json
from datetime import date
from datetime import datetime
from datetime import UTC
from typing import NamedTuple

from flask import current_app
from peewee import Case
from peewee import fn
from peewee import JOIN
from peewee import Select
from peewee import Window

from portal import clock
from portal.clock import as_datetime
from portal.dates import Workdays
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import ClosureFact
from portal.store.models import DbInfo
from portal.store.models import Event
from portal.store.models import Stage
from portal.store.models import WordFact

WORD_KINDS = ("moved", "update", "closed")
#: The settings the facts' days were counted with, in db_info.
BASIS = "followup_facts_basis"
#: Events this far below the newest counted one are looked at again: on PostgreSQL,
#: ids are taken in one order and committed in another.
OVERLAP = 1000
#: The columns of an event every history has: ``_new`` selects and filters by them.
HISTORY = (Event.id, Event.application, Event.kind, Event.visible, Event.created)
#: Rows per INSERT (SQLite allows 32,766 parameters per statement; a closure has 7).
CHUNK = 2000


class Word(NamedTuple):
    """A candidate-visible word without its fact yet."""

    event: int
    job: int
    since: datetime | str  # the word before it, or the application's creation
    at: datetime | str


class Closure(NamedTuple):
    """A closure without its fact yet."""

    event: int
    application: int
    job: int
    entered: datetime | str | None  # the last entry to an interview stage before it
    closed: datetime | str
    noted: bool


class Known(NamedTuple):
    """A closure an acknowledgement may belong to."""

    closed: datetime
    event: int
    acknowledged: bool


def _basis() -> str:
    """The settings that decide which day an event falls on and which days count."""
    config = current_app.config
    return json.dumps(
        [config["TIMEZONE"], config["HOLIDAY_COUNTRY"], sorted(config["EXTRA_HOLIDAYS"])]
    )


def _counted_through() -> int:
    """The newest event that has a fact."""
    newest_closure = ClosureFact.select(fn.MAX(ClosureFact.event))
    words, closures = WordFact.select(fn.MAX(WordFact.event), newest_closure).tuples().get()
    return max(words or 0, closures or 0)


def _history(query, after: int):
    """Narrow ``query`` (over events) to the applications with an event after ``after``
    (by id alone: the primary key answers it, whatever the statistics say)."""
    if not after:
        return query
    touched = Event.select(Event.application).where(Event.id > after)
    return query.where(Event.application.in_(touched))


def _new(history, fact, kinds, after: int, *columns):
    """``columns`` of the rows of ``history`` (a CTE over events) of ``kinds`` after event
    ``after`` with no ``fact`` yet, and their application's job. Window functions over
    each application's history instead of a correlated subquery per event: the planner
    cannot pick a quadratic plan, even on freshly imported tables without statistics."""
    return (
        Select(
            from_list=[history.join(Application, on=(history.c.application_id == Application.id))],
            columns=[history.c.id, *columns],
        )
        .with_cte(history)
        .where(
            history.c.kind.in_(kinds)
            & history.c.visible
            & (history.c.id > after)
            & ~fn.EXISTS(fact.select().where(fact.event == history.c.id))
        )
        .bind(database)
        .tuples()
    )


def _words(after: int) -> list[Word]:
    """The words after event ``after`` that have no fact yet."""
    is_word = Event.visible & Event.kind.in_(WORD_KINDS)
    previous = fn.MAX(Case(None, [(is_word, Event.created)], None)).over(
        partition_by=[Event.application],
        order_by=[Event.created, Event.id],
        start=Window.preceding(),
        end=Window.preceding(1),
        frame_type=Window.ROWS,
    )
    events = Event.select(*HISTORY, previous.alias("previous"))
    history = _history(events, after).cte("words")
    query = _new(
        history,
        WordFact,
        WORD_KINDS,
        after,
        Application.job,
        fn.COALESCE(history.c.previous, Application.created),
        history.c.created,
    )
    return list(map(Word._make, query))


def _closures(after: int) -> list[Closure]:
    """The closures after event ``after`` that have no fact yet."""
    entered = fn.MAX(Case(None, [(Stage.interview, Event.created)], None)).over(
        partition_by=[Event.application], order_by=[Event.created, Event.id]
    )
    events = Event.select(*HISTORY, Event.message, entered.alias("entered")).join(
        Stage, JOIN.LEFT_OUTER, on=(Event.to_stage == Stage.id)
    )
    history = _history(events, after).cte("closures")
    query = _new(
        history,
        ClosureFact,
        ("closed",),
        after,
        history.c.application_id,
        Application.job,
        history.c.entered,
        history.c.created,
        Case(None, [(history.c.message != "", True)], False),
    )
    return list(map(Closure._make, query))


def _day_in(tz):
    """The company date of a stored time, in zone ``tz``."""

    def day(moment) -> date:
        return as_datetime(moment).replace(tzinfo=UTC).astimezone(tz).date()

    return day


def _acknowledged(after: int, closures: list[Closure]) -> set[int]:
    """The closures (event ids) that acknowledgements after ``after`` newly acknowledge:
    for each, the last closure at or before it."""
    acks = list(
        Event.select(Event.application, Event.created)
        .where((Event.kind == "acknowledged") & (Event.id > after))
        .tuples()
    )
    if not acks:
        return set()
    known: dict[int, list[Known]] = {}
    for event, application, closed, already in (
        ClosureFact.select(
            ClosureFact.event, ClosureFact.application, Event.created, ClosureFact.acknowledged
        )
        .join(Event, on=(ClosureFact.event == Event.id))
        .where(ClosureFact.application.in_({a for a, _ in acks}))
        .tuples()
    ):
        known.setdefault(application, []).append(Known(as_datetime(closed), event, already))
    for closure in closures:
        known.setdefault(closure.application, []).append(
            Known(as_datetime(closure.closed), closure.event, False)
        )
    newly = set()
    for application, at in acks:
        before = [c for c in known.get(application, []) if c.closed <= as_datetime(at)]
        if before and not max(before).acknowledged:
            newly.add(max(before).event)
    return newly


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert ``rows``, skipping any already there, CHUNK rows per statement. peewee takes
    longer to build a large INSERT than the database takes to run it, and a driver's
    executemany may send one statement per row: so the SQL is written here."""
    table = model._meta.table_name
    names = ", ".join(f'"{model._meta.fields[c].column_name}"' for c in columns)
    row = "(" + ", ".join([database.param] * len(columns)) + ")"
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        database.execute_sql(
            f'INSERT INTO "{table}" ({names}) VALUES {", ".join([row] * len(chunk))} '
            "ON CONFLICT DO NOTHING",
            [value for values in chunk for value in values],
        )


def refresh(full: bool = False) -> int:
    """Derive the facts of the events that have none (only the newest few are looked for,
    unless ``full``); returns how many were written. Writes nothing when nothing is new."""
    stored = DbInfo.get_or_none(DbInfo.key == BASIS)
    changed = stored is not None and stored.value != _basis()
    if changed or stored is None:
        with database.atomic():
            if changed:
                WordFact.delete().execute()
                ClosureFact.delete().execute()
            (
                DbInfo.insert(key=BASIS, value=_basis())
                .on_conflict(conflict_target=[DbInfo.key], update={DbInfo.value: _basis()})
                .execute()
            )
    after = 0 if (full or changed) else max(0, _counted_through() - OVERLAP)
    words, closures = _words(after), _closures(after)
    acknowledged = _acknowledged(after, closures)
    if not (words or closures or acknowledged):
        return 0
    day = _day_in(clock.zone())
    moments = [m for word in words for m in (word.since, word.at)]
    moments += [m for c in closures for m in (c.entered, c.closed) if m is not None]
    days = {m: day(m) for m in moments}
    iso = {m: d.isoformat() for m, d in days.items()}  # no reliance on sqlite3's date adapter
    workdays = Workdays(min(days.values()), max(days.values())) if days else None

    def gap(start, end) -> int:
        return max(0, workdays.between(days[start], days[end]))

    with database.atomic():
        _insert(
            WordFact,
            ("event", "job", "day", "gap"),
            [(w.event, w.job, iso[w.at], gap(w.since, w.at)) for w in words],
        )
        _insert(
            ClosureFact,
            ("event", "application", "job", "day", "wait", "noted", "acknowledged"),
            [
                (
                    c.event,
                    c.application,
                    c.job,
                    iso[c.closed],
                    gap(c.entered, c.closed) if c.entered is not None else None,
                    bool(c.noted),
                    c.event in acknowledged,
                )
                for c in closures
            ],
        )
        ClosureFact.update(acknowledged=True).where(ClosureFact.event.in_(acknowledged)).execute()
    return len(words) + len(closures)
