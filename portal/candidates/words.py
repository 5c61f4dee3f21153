"""What the candidate page says, in the candidate's words: the outcome, each update of
the history, each message of the conversation, and dates, with one clock per page."""

from datetime import date
from datetime import datetime
from datetime import UTC
from typing import NamedTuple

from portal import clock
from portal import dates
from portal.candidates.interviews import INTERVIEW_HEADLINES
from portal.candidates.queries import EventRow
from portal.clock import as_datetime
from portal.domain.reasons import withdrew_themselves

#: The outcome of a process the candidate withdrew from themselves (on their page, or
#: by asking for their data to be erased: ``reasons.withdrew_themselves``).
THEIR_WITHDRAWAL = "withdrawn_by_them"

#: The headline and first words of a closed process, by outcome (``outcome``).
OUTCOMES = {
    "hired": ("You accepted our offer", "Welcome aboard: we are delighted."),
    "rejected": (
        "We are not moving forward",
        "We have decided not to continue with your application. Our note is below.",
    ),
    # withdrawn by the team: the candidate asked for nothing
    "withdrawn": ("Your application is closed", "We have closed your application."),
    THEIR_WITHDRAWAL: ("Your application is withdrawn", "We have closed it, as you asked."),
}


def outcome(status: str, closure_reason: str | None) -> str:
    """The key of OUTCOMES and CLOSED_HEADLINES for a process closed as ``status`` for the
    reason ``closure_reason`` (its code): THEIR_WITHDRAWAL when the candidate withdrew."""
    return THEIR_WITHDRAWAL if withdrew_themselves(status, closure_reason) else status


class Entry(NamedTuple):
    headline: str
    date: str
    iso: str
    message: str
    next_steps: str
    #: Who wrote it, as the candidate reads the signature.
    by: str


class Said(NamedTuple):
    """One message of the conversation: the candidate's own (``mine``) or the team's."""

    mine: bool
    headline: str
    date: str
    iso: str
    message: str
    by: str


class ReplyBy(NamedTuple):
    words: str
    late: bool


#: The history's line for the closure that ended the process, by outcome.
CLOSED_HEADLINES = {
    "hired": "You accepted our offer: welcome aboard",
    THEIR_WITHDRAWAL: "Your application was withdrawn, as you asked",
}


def entry(event: EventRow, days: "Days", apart: bool = False, outcome: str = "") -> Entry:
    """One update of the history; ``apart``: its words have their own section above
    (the team is deciding), ``outcome``: it is the closure that ended the process (the
    key ``outcome()`` gives)."""
    message = "" if apart else event.message
    if event.kind == "moved":
        headline = f"Moved on to: {event.to_label or 'the next step'}"
    elif event.kind == "closed":
        headline = CLOSED_HEADLINES.get(outcome, "Your application was closed")
        message = ""  # the closure note has its own section
    elif event.kind == "reopened":
        headline = f"Your application is open again: {event.to_label or 'back with us'}"
    elif event.kind == "deciding":
        headline = "The team is deciding"
    elif event.kind in INTERVIEW_HEADLINES:
        headline = INTERVIEW_HEADLINES[event.kind]
    else:
        headline = "An update from us"
    day = days.local(as_datetime(event.created))
    # signed by who wrote it, unless the words already end with their name
    words = (message or event.next_steps).rstrip()
    by = event.author if words and not words.endswith(event.author) else ""
    return Entry(headline, days.words(day), day.isoformat(), message, event.next_steps, by)


#: How the page heads the candidate's words, by kind.
ASKED = {"question": "You asked", "move_request": "You asked to move an interview"}


def said(event: EventRow, days: "Days") -> Said:
    """One message of the conversation, oldest first: theirs, or the team's answer."""
    day = days.local(as_datetime(event.created))
    mine = event.kind in ASKED
    headline = ASKED[event.kind] if mine else f"{event.author or 'We'} answered"
    return Said(mine, headline, days.words(day), day.isoformat(), event.message, event.author)


def answer_by(asked: datetime | None, answer_days: int, days: "Days") -> ReplyBy | None:
    """When the candidate's unanswered question is to be answered, if one is waiting."""
    if asked is None:
        return None
    return reply_by(dates.add_business_days(days.local(asked), answer_days), days)


def reply_by(day: date | None, days: "Days") -> ReplyBy | None:
    if day is None:
        return None
    return ReplyBy(days.words(day), day < days.today)


class Days:
    """Dates in the candidate's words and the company's time zone, with the zone and
    today looked up once per page (``dates.in_words`` alone does it per call)."""

    def __init__(self):
        self.zone = clock.zone()
        self.today = datetime.now(self.zone).date()

    def words(self, day: date | None) -> str:
        """'Friday 4 December', with the year only when it is not this year's."""
        return dates.in_words(day, self.today.year)

    def local(self, moment: datetime) -> date:
        """The company's date at a stored UTC moment."""
        return moment.replace(tzinfo=UTC).astimezone(self.zone).date()

    def of(self, moment: datetime | None) -> str:
        """A stored UTC moment as the company's date, in words."""
        return self.words(self.local(moment)) if moment else ""
