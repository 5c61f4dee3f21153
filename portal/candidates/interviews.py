"""The candidate page's "Your interviews": each interview in the candidate's words, with
its times in the company's time zone and in the candidate's own when it is known.

The words are shared: portal.interviews says the same in its emails and calendar files,
and the admin's panel reads them too, so an interview reads alike everywhere.
"""

from datetime import datetime
from datetime import UTC
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from portal import dates
from portal.clock import as_datetime

#: How each format of interview reads (store.models.INTERVIEW_FORMATS).
FORMAT_LABELS = {"video": "Video call", "phone": "Phone call", "on_site": "In person"}

#: The candidate-visible events of an interview (portal.interviews writes them).
ARRANGED, MOVED, CANCELLED = "interview_arranged", "interview_moved", "interview_cancelled"

#: The history's line for each of them.
INTERVIEW_HEADLINES = {
    ARRANGED: "An interview is arranged",
    MOVED: "Your interview has changed",
    CANCELLED: "An interview is cancelled",
}


class Time(NamedTuple):
    """When an interview is, in one time zone: the day and the hours, in words."""

    zone: str  # "London time"
    day: str  # "Friday 4 December"
    hours: str  # "10:00 to 11:00"


class InterviewView(NamedTuple):
    """One interview as the page shows it."""

    uid: str
    upcoming: bool
    format: str
    label: str
    #: The company's time first, then the candidate's own when known and different.
    times: list[Time]
    iso: str
    place: str
    #: The video link, only ever an https address (anything else is shown as text).
    link: str
    #: Whom they meet, one "Name, role" per line as they should see it.
    meeting: list[str]
    prepare: str


def zone_label(name: str) -> str:
    """A time zone as a person names it: "London time" for Europe/London, "UTC" for UTC."""
    if "/" not in name:
        return name
    return name.rsplit("/", 1)[1].replace("_", " ") + " time"


def local_time(moment: datetime, zone: str) -> datetime:
    """A stored (naive UTC) moment in ``zone``."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def time_in(starts: datetime, ends: datetime, zone: str, this_year: int | None = None) -> Time:
    """When an interview (stored UTC moments) is, in ``zone``; an end on another day
    names its day too."""
    start, end = local_time(starts, zone), local_time(ends, zone)
    day = dates.in_words(start.date(), this_year)
    until = f"{end:%H:%M}"
    if end.date() != start.date():
        until = f"{until} on {dates.in_words(end.date(), this_year)}"
    return Time(zone_label(zone), day, f"{start:%H:%M} to {until}")


def times(starts, ends, company: str, candidate: str = "", this_year=None) -> list[Time]:
    """The interview's time where the company is, and where the candidate is when known
    and different."""
    shown = [time_in(starts, ends, company, this_year)]
    if candidate and candidate != company:
        shown.append(time_in(starts, ends, candidate, this_year))
    return shown


def summary(format: str, starts, ends, zone: str) -> str:
    """One line saying what and when, with the year, for history and emails:
    "Video call on Friday 4 December 2026, 10:00 to 11:00 London time"."""
    when = time_in(starts, ends, zone, this_year=-1)  # -1: the year is always named
    return f"{FORMAT_LABELS[format]} on {when.day}, {when.hours} {when.zone}"


def is_https(place: str) -> bool:
    """Whether ``place`` is an https address a page may link to."""
    parts = urlsplit(place)
    return parts.scheme == "https" and bool(parts.netloc) and not any(c.isspace() for c in place)


def views(rows, company: str, moment: datetime, this_year: int) -> list[InterviewView]:
    """The page's interviews from its query's rows: upcoming ones first, soonest first
    (one under way counts as upcoming until it ends), then past ones, latest first."""
    shown = []
    for row in rows:
        starts, ends = as_datetime(row.starts), as_datetime(row.ends)
        link = row.place if row.format == "video" and is_https(row.place) else ""
        shown.append(
            InterviewView(
                uid=row.uid,
                upcoming=ends > moment,
                format=row.format,
                label=FORMAT_LABELS.get(row.format, "Interview"),
                times=times(starts, ends, company, row.candidate_zone, this_year),
                iso=local_time(starts, company).isoformat(),
                place=row.place,
                link=link,
                meeting=[line.strip() for line in row.meeting.splitlines() if line.strip()],
                prepare=row.prepare,
            )
        )
    upcoming = [view for view in shown if view.upcoming]
    past = [view for view in reversed(shown) if not view.upcoming]
    return upcoming + past
