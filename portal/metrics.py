"""Follow-up health per job and per recruiter over a period: how well candidates are kept
informed. A fixed handful of grouped queries, whatever the number of applications; the
business days are counted in Python over (date, date) groups, not per row.

Definitions (a period is a range of company dates, both ends included):

- word: a candidate-visible move, update or closure;
- gap: business days from the previous word (or the application, for the first word)
  to a word given in the period; the median gap is the rhythm candidates experience;
- overdue: active applications whose reply-by date has passed, today;
- wait: business days from entering the last interview stage to a closure in the period;
- noted: closures in the period with a closure note;
- acknowledged: closures in the period the candidate acknowledged ("got it", on their page);
- ratings: experience ratings (1-5) candidates gave in the period.
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from functools import lru_cache

from peewee import Case
from peewee import fn
from peewee import JOIN
from peewee import PostgresqlDatabase
from peewee import SQL

from portal.clock import today
from portal.clock import zone
from portal.db import database
from portal.followup import Workdays
from portal.models import Application
from portal.models import CLOSED_STATUSES
from portal.models import Event
from portal.models import Job
from portal.models import Stage
from portal.models import User

WORD_KINDS = ("moved", "update", "closed")
#: Recorded by the candidate's page (domain.acknowledge_closure, domain.rate_experience).
ACKNOWLEDGED, RATED = "acknowledged", "rated"
#: A previous word older than this is counted from this far back (see _local_date).
LOOKBACK_DAYS = 400


@dataclass
class Period:
    """Company dates from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def last(cls, days: int = 90, end: date | None = None) -> "Period":
        end = end or today()
        return cls(end - timedelta(days=days - 1), end)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as stored (naive UTC) times: [from, to)."""
        return utc_midnight(self.start), utc_midnight(self.end + timedelta(days=1))


def utc_midnight(day: date) -> datetime:
    """Midnight of ``day`` in the company's zone, as a naive UTC time."""
    local = datetime.combine(day, time(), tzinfo=zone())
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Health:
    """The follow-up numbers of one job, one recruiter, or everyone."""

    label: str
    key: int | None = None
    gaps: Counter = field(default_factory=Counter)
    active: int = 0
    overdue: int = 0
    waits: Counter = field(default_factory=Counter)
    closures: int = 0
    noted: int = 0
    words: int = 0
    acknowledged: int = 0
    ratings: Counter = field(default_factory=Counter)

    def add(self, other: "Health") -> None:
        """Fold ``other``'s counts into these (medians merge through the counters)."""
        for name in ("gaps", "waits", "ratings"):
            getattr(self, name).update(getattr(other, name))
        for name in ("active", "overdue", "closures", "noted", "words", "acknowledged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def median_gap(self) -> float | None:
        return _median(self.gaps)

    @property
    def median_wait(self) -> float | None:
        return _median(self.waits)

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.active if self.active else None

    @property
    def noted_share(self) -> float | None:
        return self.noted / self.closures if self.closures else None

    @property
    def acknowledged_share(self) -> float | None:
        return self.acknowledged / self.closures if self.closures else None

    @property
    def rating(self) -> float | None:
        total = sum(self.ratings.values())
        return sum(k * n for k, n in self.ratings.items()) / total if total else None


def _median(counts: Counter) -> float | None:
    if not counts:
        return None
    return statistics.median(sorted(counts.elements()))


# --- company dates in SQL -------------------------------------------------------------


@lru_cache(maxsize=32)
def _offsets(zone_name: str, start: date, end: date) -> tuple[tuple[datetime, int], ...]:
    """(UTC instant, offset in seconds from then on) for the zone over [start, end]."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone_name)

    def offset(moment: datetime) -> int:
        return int(moment.replace(tzinfo=UTC).astimezone(tz).utcoffset().total_seconds())

    moment = datetime.combine(start, time())
    changes = [(moment, offset(moment))]
    while moment.date() <= end:
        following = moment + timedelta(days=1)
        if offset(following) != changes[-1][1]:
            low, high = moment, following  # the change is in (low, high]: bisect to the second
            while (high - low) > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
            changes.append((high.replace(microsecond=0), offset(high)))
        moment = following
    return tuple(changes)


def _shifted(column, seconds: int):
    if isinstance(database.obj, PostgresqlDatabase):
        return (column + SQL(f"interval '{int(seconds)} seconds'")).cast("date")
    return fn.date(column, f"{int(seconds):+d} seconds")


def _local_date(column, period: Period):
    """The company date of a stored UTC time, in SQL, exact across daylight-saving changes
    in the period (and the LOOKBACK_DAYS before it)."""
    changes = _offsets(
        zone().key, period.start - timedelta(days=LOOKBACK_DAYS), period.end + timedelta(days=1)
    )
    if len(changes) == 1:
        return _shifted(column, changes[0][1])
    branches = [
        (column < at, _shifted(column, before))
        for (at, _), (_, before) in zip(changes[1:], changes, strict=False)
    ]
    return Case(None, branches, _shifted(column, changes[-1][1]))


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- the numbers ---------------------------------------------------------------------


def _narrow(query, job_ids):
    return query if job_ids is None else query.where(Application.job.in_(job_ids))


def _words(period: Period, job_ids=None):
    """(job, previous word's date, word's date, count) for the words given in the period."""
    begin, end = period.bounds()
    Word, Previous = Event.alias("word"), Event.alias("previous")
    previous = Previous.select(fn.MAX(Previous.created)).where(
        (Previous.application == Word.application)
        & Previous.visible
        & Previous.kind.in_(WORD_KINDS)
        & (Previous.created < Word.created)
    )
    inner = _narrow(
        Word.select(
            Application.job.alias("job_id"),
            fn.COALESCE(previous, Application.created).alias("since"),
            Word.created.alias("at"),
        )
        .join(Application, on=(Word.application == Application.id))
        .where(
            Word.visible
            & Word.kind.in_(WORD_KINDS)
            & (Word.created >= begin)
            & (Word.created < end)
        ),
        job_ids,
    )
    since, at = _local_date(inner.c.since, period), _local_date(inner.c.at, period)
    return (
        inner.select_from(inner.c.job_id, since, at, fn.COUNT(SQL("*")))
        .group_by(inner.c.job_id, since, at)
        .tuples()
    )


def _closures(period: Period, job_ids=None):
    """(job, date of entering the last interview stage, closure date, noted, acknowledged,
    count) for the closures in the period."""
    begin, end = period.bounds()
    Entered, Ack = Event.alias("entered"), Event.alias("ack")
    acknowledged = Ack.select(Ack.id).where(
        (Ack.application == Application.id)
        & (Ack.kind == ACKNOWLEDGED)
        & (Ack.created >= Application.closed)
    )
    interview = (
        Entered.select(fn.MAX(Entered.created))
        .join(Stage, on=(Entered.to_stage == Stage.id))
        .where((Entered.application == Application.id) & Stage.interview)
    )
    inner = _narrow(
        Application.select(
            Application.job.alias("job_id"),
            interview.alias("entered"),
            Application.closed.alias("at"),
            Case(None, [(Application.closure_note != "", 1)], 0).alias("noted"),
            Case(None, [(fn.EXISTS(acknowledged), 1)], 0).alias("acked"),
        ).where(
            Application.status.in_(CLOSED_STATUSES)
            & (Application.closed >= begin)
            & (Application.closed < end)
        ),
        job_ids,
    )
    entered, at = _local_date(inner.c.entered, period), _local_date(inner.c.at, period)
    return (
        inner.select_from(
            inner.c.job_id, entered, at, inner.c.noted, inner.c.acked, fn.COUNT(SQL("*"))
        )
        .group_by(inner.c.job_id, entered, at, inner.c.noted, inner.c.acked)
        .tuples()
    )


def _overdue(day: date, job_ids=None):
    """(job, active, overdue) today."""
    late = Case(None, [(Application.reply_by < day, 1)], 0)
    query = Application.select(Application.job, fn.COUNT(Application.id), fn.SUM(late)).where(
        Application.status == "active"
    )
    return _narrow(query, job_ids).group_by(Application.job).tuples()


def _ratings(period: Period, job_ids=None):
    """(job, rating, count) of the experience ratings given in the period."""
    begin, end = period.bounds()
    query = (
        Event.select(Application.job, Event.message, fn.COUNT(Event.id))
        .join(Application, on=(Event.application == Application.id))
        .where((Event.kind == RATED) & (Event.created >= begin) & (Event.created < end))
    )
    return _narrow(query, job_ids).group_by(Application.job, Event.message).tuples()


def _rating(text: str) -> int | None:
    """The score of a "rated" event: its message is "4 out of 5" (portal.domain)."""
    value = str(text).strip().split(" ")[0]
    return int(value) if value.isdigit() and 1 <= int(value) <= 5 else None


def health(period: Period, *, job_id=None, recruiter_id=None, day: date | None = None):
    """The numbers per job, per recruiter and overall: (jobs, recruiters, overall).

    Each list is sorted by label; ``job_id`` / ``recruiter_id`` narrow every figure.
    """
    day = day or today()
    query = Job.select(Job.id, Job.title, Job.ref, User.id, User.name).join(
        User, JOIN.INNER, on=(Job.recruiter == User.id)
    )
    if job_id:
        query = query.where(Job.id == job_id)
    if recruiter_id:
        query = query.where(Job.recruiter == recruiter_id)
    jobs, owner, people = {}, {}, {}
    for jid, title, ref, uid, name in query.tuples():
        jobs[jid] = Health(f"{title} ({ref})", jid)
        owner[jid] = uid
        people.setdefault(uid, Health(name, uid))

    narrow = list(jobs) if (job_id or recruiter_id) else None
    words = [row for row in _words(period, narrow) if row[0] in jobs]
    closures = [row for row in _closures(period, narrow) if row[0] in jobs]
    days = [_day(d) for row in words + closures for d in row[1:3] if d is not None]
    dated = Workdays(min(days + [period.start]), max(days + [period.end]))

    for jid, since, at, count in words:
        health_ = jobs[jid]
        health_.gaps[max(0, dated.between(_day(since), _day(at)))] += count
        health_.words += count
    for jid, entered, at, noted, acked, count in closures:
        health_ = jobs[jid]
        health_.closures += count
        health_.noted += count * int(noted)
        health_.acknowledged += count * int(acked)
        if entered is not None:
            health_.waits[max(0, dated.between(_day(entered), _day(at)))] += count
    for jid, active, late in _overdue(day, narrow):
        if jid in jobs:
            jobs[jid].active += active
            jobs[jid].overdue += int(late or 0)
    for jid, text, count in _ratings(period, narrow):
        value = _rating(text)
        if jid in jobs and value is not None:
            jobs[jid].ratings[value] += count

    overall = Health("Everyone")
    for jid, numbers in jobs.items():
        people[owner[jid]].add(numbers)
        overall.add(numbers)

    def by_label(rows):
        return sorted(rows, key=lambda h: (h.label.lower(), h.key))

    return by_label(jobs.values()), by_label(people.values()), overall
