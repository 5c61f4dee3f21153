"""An interview's iCalendar file (RFC 5545, built with the icalendar package): what the
candidate's calendar needs to add the interview, replace it when it changes (the same
UID, a higher SEQUENCE) and drop it when it is cancelled (METHOD:CANCEL).

The file says what the candidate is told and nothing more: no link to their page (a
calendar entry is synced and shared more widely than an email), no staff address but
the recruiter's, whom the candidate already writes to, and the people they meet by the
names and roles they are given, with no address.
"""

from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app

from portal.candidates.interviews import FORMAT_LABELS
from portal.candidates.interviews import is_https
from portal.clock import now
from portal.store.models import Application
from portal.store.models import Interview

#: The VTIMEZONE covers this long either side of the interview: all its own dates need,
#: and a file small enough to mail (the zone's whole history would be kilobytes).
ZONE_SPAN = timedelta(days=366)

#: The address of someone the candidate meets: calendars need one, and staff addresses
#: are not the candidate's to have (calendars write attendees without one alike).
NO_ADDRESS = "invalid:nomail"

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def build(interview: Interview, application: Application, method: str = REQUEST) -> str:
    """The calendar file of ``interview`` as its text: METHOD:REQUEST for an invitation
    or an update, METHOD:CANCEL (and STATUS:CANCELLED) for a cancellation."""
    company = current_app.config["COMPANY_NAME"]
    zone = ZoneInfo(interview.timezone)
    starts = interview.starts.replace(tzinfo=UTC).astimezone(zone)
    ends = interview.ends.replace(tzinfo=UTC).astimezone(zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{company}//Candidate portal//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", interview.uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", now().replace(tzinfo=UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"Interview with {company}: {application.job.title}")
    location = _location(interview)
    if location:
        event.add("location", location)
    if interview.format == "video" and is_https(interview.place):
        event.add("url", interview.place)
    event.add("description", description(interview, application))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    recruiter = application.job.recruiter
    event.add("organizer", _address(f"mailto:{recruiter.email}", recruiter.name))
    candidate = application.candidate
    event.add(
        "attendee",
        _address(
            f"mailto:{candidate.email}",
            candidate.name,
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION",
            RSVP="FALSE",
        ),
    )
    for person in met(interview):
        event.add("attendee", _address(NO_ADDRESS, person, ROLE="REQ-PARTICIPANT"))
    calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=starts.date() - ZONE_SPAN, last_date=ends.date() + ZONE_SPAN
    )
    return calendar.to_ical().decode()


def met(interview: Interview) -> list[str]:
    """Whom the candidate meets, one "Name, role" each, as they should see it."""
    return [line.strip() for line in interview.meeting.splitlines() if line.strip()]


def description(interview: Interview, application: Application) -> str:
    """The entry's notes: what it is, how to join, whom they meet, what to prepare."""
    company = current_app.config["COMPANY_NAME"]
    label = FORMAT_LABELS[interview.format].lower()
    parts = [f"Your interview for the {application.job.title} role at {company} ({label})."]
    if interview.format == "video" and interview.place:
        parts.append(f"Join: {interview.place}")
    elif interview.format == "phone":
        parts.append(f"Phone: {interview.place}" if interview.place else "We will call you.")
    elif interview.place:
        parts.append(f"Where: {interview.place}")
    people = met(interview)
    if people:
        parts.append("You will meet:\n" + "\n".join(f"- {person}" for person in people))
    if interview.prepare:
        parts.append(f"To prepare:\n{interview.prepare}")
    recruiter = application.job.recruiter
    parts.append(
        f"Need another time? Ask on your page, or write to {recruiter.name} at {recruiter.email}."
    )
    return "\n\n".join(parts)


def _location(interview: Interview) -> str:
    """The LOCATION line: the address, the video link, or the phone number."""
    if interview.format == "phone":
        return f"Phone: {interview.place}" if interview.place else "Phone call"
    return " ".join(interview.place.split())  # one line, however it was typed


def _address(value: str, name: str, **params) -> icalendar.vCalAddress:
    """An ORGANIZER or ATTENDEE: ``value`` (mailto:...), its common name and parameters."""
    address = icalendar.vCalAddress(value)
    address.params["CN"] = icalendar.vText(name)
    for key, param in params.items():
        address.params[key] = icalendar.vText(param)
    return address
