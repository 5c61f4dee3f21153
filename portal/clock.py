"""Time, in one place: UTC for storage, the company's time zone for people."""

from datetime import date
from datetime import datetime
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """The current time in UTC, naive, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone() -> ZoneInfo:
    """The company's time zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local(moment: datetime) -> datetime:
    """A stored UTC time in the company's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone())


def stored(moment: datetime) -> datetime:
    """A wall-clock time where the company is (naive) as the database stores it: naive
    UTC. The inverse of ``local``."""
    return moment.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The company's date at a stored UTC time: what a person there calls that day."""
    return local(moment).date()


def today() -> date:
    """Today's date where the company is."""
    return datetime.now(zone()).date()


def as_datetime(value) -> datetime | None:
    """A stored moment read raw: SQLite gives text, PostgreSQL a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def as_date(value) -> date | None:
    """A stored day read raw: SQLite gives text, PostgreSQL a date."""
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value) if isinstance(value, str) else value
