"""The candidate's email about an interview, with its calendar file: an invitation, an
update or a cancellation, queued in the change's transaction (portal.mail.queue)."""

from flask import current_app

from portal.candidates import links
from portal.candidates.interviews import ARRANGED
from portal.candidates.interviews import CANCELLED
from portal.candidates.interviews import FORMAT_LABELS
from portal.candidates.interviews import is_https
from portal.candidates.interviews import MOVED
from portal.candidates.interviews import summary
from portal.candidates.interviews import times
from portal.domain.applications import reachable
from portal.interviews import calendar
from portal.interviews.calendar import met
from portal.mail import queue as mail
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Interview
from portal.store.models import Mail

#: The email template's word for each event kind.
CHANGES = {ARRANGED: "arranged", MOVED: "moved", CANCELLED: "cancelled"}


def when(interview: Interview) -> str:
    """The interview in one line with the year, in the company's time zone."""
    zone = current_app.config["TIMEZONE"]
    return summary(interview.format, interview.starts, interview.ends, zone)


def send(application: Application, interview: Interview, event: Event) -> Mail | None:
    """Queue the candidate's email about ``event`` with the interview's calendar file;
    none without a live link to carry (a revoked link is a decision) or for an erased
    stand-in."""
    link = links.live(application)
    if link is None or not reachable(application):
        return None
    change = CHANGES[event.kind]
    method = calendar.CANCEL if change == "cancelled" else calendar.REQUEST
    said = mail.words(application, event)
    said.update(next_steps="", next_steps_kept=False)  # an invitation carries its own
    return mail.queue(
        application,
        "interview",
        event=event,
        calendar=calendar.build(interview, application, method),
        url=links.url(link),
        change=change,
        **said,
        **details(interview, application),
    )


def details(interview: Interview, application: Application) -> dict:
    """The interview as the email's template reads it."""
    company = current_app.config["TIMEZONE"]
    place = interview.place
    return {
        "format": interview.format,
        "label": FORMAT_LABELS[interview.format],
        "times": times(interview.starts, interview.ends, company, application.timezone),
        "place": place,
        "link": place if interview.format == "video" and is_https(place) else "",
        "meeting": met(interview),
        "prepare": interview.prepare,
    }
