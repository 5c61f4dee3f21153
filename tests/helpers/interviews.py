"""Interviews for the tests, arranged through portal.interviews with sensible defaults,
and the calendar files they send, parsed back with icalendar."""

from datetime import datetime
from datetime import timedelta
from datetime import UTC

import icalendar

from portal.interviews import actions
from portal.store.models import Application
from portal.store.models import Interview
from portal.store.models import Mail

#: Monday 7 December 2026, 09:00 UTC (and in London): the tests' "now".
MONDAY = "2026-12-07 09:00 +0000"
#: Wednesday 9 December 2026, 10:00 in London (GMT: the same in UTC).
WEDNESDAY_10 = datetime(2026, 12, 9, 10, 0)

MEETING = "Grace Hopper, Engineering Manager\nAlan Turing, Staff Engineer"
VIDEO = "https://meet.example.com/abc-defg-hij"


def arrange(
    application: Application,
    actor=None,
    *,
    starts: datetime = WEDNESDAY_10,
    hours: float = 1,
    timezone: str = "Europe/London",
    format: str = "video",
    place: str = VIDEO,
    meeting: str = MEETING,
    prepare: str = "Bring a laptop.",
    **fields,
) -> Interview:
    """Arrange an interview on ``application``: ``starts`` is the wall clock in
    ``timezone`` (Wednesday 9 December 2026 at 10:00 in London unless told otherwise)."""
    return actions.schedule(
        actor,
        Application.get_by_id(application.id),
        starts,
        starts + timedelta(hours=hours),
        timezone,
        format,
        place,
        meeting,
        prepare,
        **fields,
    )


def fresh(interview: Interview) -> Interview:
    """The interview as it is stored now."""
    return Interview.get_by_id(interview.id)


def interview_mails() -> list[Mail]:
    """Every interview email queued, oldest first."""
    return list(Mail.select().where(Mail.kind == "interview").order_by(Mail.id))


def parsed(text: str) -> icalendar.Calendar:
    """A calendar file parsed back."""
    return icalendar.Calendar.from_ical(text)


def vevent(text: str) -> icalendar.Event:
    """The one VEVENT of a calendar file."""
    [event] = parsed(text).walk("VEVENT")
    return event


def attendees(event: icalendar.Event) -> list:
    """The event's ATTENDEE properties, one or many."""
    found = event.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


def utc(moment: datetime) -> datetime:
    """An aware datetime's moment as naive UTC, as stored."""
    return moment.astimezone(UTC).replace(tzinfo=None)
