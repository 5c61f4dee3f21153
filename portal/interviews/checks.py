"""What an interview's details must be before one is arranged or changed: a time zone we
know, an end after the start, a time that exists on that day, a format of the list, and
a place that fits the format (an https link for a video call)."""

import functools
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from zoneinfo import available_timezones
from zoneinfo import ZoneInfo

from portal.candidates.interviews import is_https
from portal.domain.base import clean_text
from portal.errors import Invalid
from portal.store.models import INTERVIEW_FORMATS

#: The longest interview: anything longer is a typo in the end time.
LONGEST = timedelta(hours=12)
#: The furthest ahead an interview may be arranged.
HORIZON = timedelta(days=366)

PLACE_LIMIT = 500
#: What the place is, by format: how the admin's form and its refusals name it.
PLACE_LABELS = {"video": "Video link", "phone": "Phone number", "on_site": "Address"}
MEETING_LIMIT = 2000
PREPARE_LIMIT = 5000
MESSAGE_LIMIT = 5000

#: Zones the admin's list offers: the IANA names of places, not the aliases kept for
#: old systems ("US/Eastern", "Etc/GMT+5"), which the domain still accepts.
_ALIASES = ("Etc/", "SystemV/", "US/", "posix", "right/", "Factory", "localtime")


@functools.cache
def known_zones() -> frozenset[str]:
    """Every IANA time zone name zoneinfo can load."""
    return frozenset(available_timezones())


@functools.cache
def zone_choices() -> tuple[str, ...]:
    """The time zones to choose from, sorted: places (Area/City) and UTC."""
    places = (z for z in known_zones() if "/" in z and not z.startswith(_ALIASES))
    return ("UTC", *sorted(places))


def zone(name: str | None, label: str = "Time zone", required: bool = True) -> str:
    """``name`` if it is a time zone we know ("" when not ``required`` and empty)."""
    name = clean_text(name, label, required, 64)
    if name and name not in known_zones():
        raise Invalid(f"{label}: {name!r} is not a time zone we know; choose one from the list.")
    return name


def moment(value: datetime, zone_name: str, label: str) -> datetime:
    """``value`` as stored (naive UTC): an aware time converted, a naive one read as the
    wall clock in ``zone_name``, refused when the clocks skip it that day."""
    if not isinstance(value, datetime):
        raise Invalid(f"{label}: give a date and a time.")
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    local = value.replace(tzinfo=ZoneInfo(zone_name))
    stored = local.astimezone(UTC)
    if stored.astimezone(local.tzinfo).replace(tzinfo=None) != value:
        raise Invalid(
            f"{label}: {value:%H:%M} does not exist on {value:%d %B %Y} in {zone_name} "
            "(the clocks go forward then); choose another time."
        )
    return stored.replace(tzinfo=None)


def details(
    starts, ends, timezone, format, place="", meeting="", prepare="", *, now: datetime
) -> dict:
    """The interview's fields, checked, as Interview stores them."""
    timezone = zone(timezone)
    starts, ends = moment(starts, timezone, "Start"), moment(ends, timezone, "End")
    if ends <= starts:
        raise Invalid("The interview must end after it starts: check the end time.")
    if ends - starts > LONGEST:
        raise Invalid("The interview would last more than 12 hours: check the end time.")
    if starts > now + HORIZON:
        raise Invalid("The interview would be more than a year away: check the date.")
    if format not in INTERVIEW_FORMATS:
        raise Invalid(f"Format must be one of {', '.join(INTERVIEW_FORMATS)}.")
    place = clean_text(place, PLACE_LABELS[format], format != "phone", PLACE_LIMIT)
    if format == "video" and not is_https(place):
        raise Invalid(
            "The video link must be a full https:// address (as the video service gives it), "
            "so that the candidate can open it."
        )
    return {
        "starts": starts,
        "ends": ends,
        "timezone": timezone,
        "format": format,
        "place": place,
        "meeting": clean_text(meeting, "Whom they meet", limit=MEETING_LIMIT),
        "prepare": clean_text(prepare, "What to prepare", limit=PREPARE_LIMIT),
    }
