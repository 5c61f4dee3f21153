"""The email the suite sends: a real SMTP server on loopback (aiosmtpd) and what it
received, for conftest.py's ``smtp_server`` fixture; and the check every email to a
candidate must pass, which conftest.py runs after every test that has a database (its
calendar file too, parsed back: an interview's invitation)."""

import asyncio
import email
import email.policy
import re

import icalendar
from markupsafe import escape

from portal import dates
from portal.store.models import ClosureReason
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Mail
from portal.store.models import Rating

#: Internal texts shorter than this are not looked for: short common words collide.
SHORTEST_SECRET = 12

_TAG = re.compile(r"<[^>]*>")


class SmtpInbox:
    """What a real SMTP server on loopback (aiosmtpd) received, parsed."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        #: How many of the next deliveries to read and then defer (451), as a server
        #: does that is busy, or that took a message and lost the answer: the sender
        #: sees a failure and tries again later.
        self.defer = 0
        self.deferred = []
        #: Seconds each delivery takes, as a busy server's do.
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.defer:
            self.defer -= 1
            self.deferred.append(message)
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        self.messages.append(message)
        return "250 Message accepted"


def start(inbox: SmtpInbox, **options) -> None:
    """Serve ``inbox`` on 127.0.0.1:``inbox.port``."""
    from aiosmtpd.controller import Controller

    inbox.controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **options)
    inbox.controller.start()


def stop(inbox: SmtpInbox) -> None:
    """Take ``inbox``'s server down, if it is up."""
    if inbox.controller is not None:
        inbox.controller.stop()
        inbox.controller = None


# --- the check every candidate email passes ----------------------------------------------


def candidate_mails():
    """Every email the portal queued to a candidate about a change (it names its event),
    and every link email."""
    return (
        Mail.select()
        .where(
            Mail.application.is_null(False) & (Mail.event.is_null(False) | (Mail.kind == "link"))
        )
        .order_by(Mail.id)
    )


def check_every_candidate_mail(reply_to_recruiter: bool) -> int:
    """Check each of ``candidate_mails``; how many were checked."""
    checked = 0
    for mail in candidate_mails():
        check_candidate_mail(mail, reply_to_recruiter)
        checked += 1
    return checked


def check_candidate_mail(mail: Mail, reply_to_recruiter: bool) -> None:
    """Fail, saying why, unless ``mail`` is what a candidate should get: a Reply-To when
    ``reply_to_recruiter``, the words of its event in its text and (escaped) its HTML,
    the link to their page in both, and nothing internal of their application."""
    problems = candidate_mail_problems(mail, reply_to_recruiter)
    assert not problems, (
        f"email {mail.id} ({mail.kind}, {mail.subject!r}) to a candidate:\n- "
        + "\n- ".join(problems)
    )


def candidate_mail_problems(mail: Mail, reply_to_recruiter: bool) -> list[str]:
    """What is wrong with ``mail`` (see ``check_candidate_mail``); empty when nothing."""
    application = mail.application
    text = _words(f"{mail.subject}\n{mail.text}")
    html = _words(_TAG.sub(" ", mail.html))
    problems = []
    if reply_to_recruiter and not mail.reply_to:
        problems.append("no Reply-To, though REPLY_TO_RECRUITER is on")
    if mail.event_id is not None:
        for what, words in told(mail.event):
            if _words(words) not in text:
                problems.append(f"the text lacks the {what} {words!r}")
            if _words(str(escape(words))) not in html:
                problems.append(f"the HTML lacks the {what} {words!r}, escaped")
    tokens = [re.escape(link.token) for link in application.links]
    if not any(re.search(rf"/c/{token}/", mail.text) for token in tokens):
        problems.append("the text has no link to the candidate's page")
    if not any(re.search(rf'href="[^"]*/c/{token}/"', mail.html) for token in tokens):
        problems.append("the HTML has no link to the candidate's page")
    said = _words(calendar_text(mail.calendar)) if mail.calendar else ""
    for secret in internal_texts(application):
        escaped = _words(str(escape(secret)))
        if secret in text or escaped in html or secret in _words(mail.html):
            problems.append(f"internal text of the application: {secret!r}")
        if secret in said:
            problems.append(f"internal text of the application in its calendar file: {secret!r}")
    if any(re.search(rf"/c/{token}", mail.calendar) for token in tokens):
        problems.append("its calendar file holds the link to the candidate's page")
    return problems


def calendar_text(text: str) -> str:
    """Every word a calendar file shows, parsed back (unfolded, unescaped): each entry's
    summary, description, location, link, and the names of its organizer and attendees."""
    words = []
    for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        words += [str(event.get(key, "")) for key in ("SUMMARY", "DESCRIPTION", "LOCATION", "URL")]
        people = event.get("ATTENDEE", [])
        for person in [event.get("ORGANIZER"), *(people if isinstance(people, list) else [people])]:
            if person is not None:
                words += [str(person), str(person.params.get("CN", ""))]
    return "\n".join(words)


def told(event: Event) -> list[tuple[str, str]]:
    """(what, words) the candidate is told by ``event``, as its email must carry them."""
    said = [
        ("closure note" if event.kind == "closed" else "message", event.message),
        ("next steps", event.next_steps),
    ]
    if event.kind in ("moved", "reopened") and event.to_stage_id is not None:
        said.append(("stage label", event.to_stage.candidate_label))
    if event.reply_by is not None:
        # without the year, which the email shows only in another year than the one it
        # was sent in
        said.append(("reply-by date", dates.in_words(event.reply_by, event.reply_by.year)))
    return [(what, words) for what, words in said if words.strip()]


def internal_texts(application) -> set[str]:
    """The application's internal texts of ``SHORTEST_SECRET`` characters or more
    (whitespace normalised): internal notes, internal reasons, feedback its author did
    not share and the notes on its criteria, except words also told to the candidate;
    and the closure reasons that may not be told (``untold_reasons``)."""
    events = list(application.events)
    feedback = list(Feedback.select().where(Feedback.application == application.id))
    internal = [application.closed_reason]
    internal += [e.message for e in events if e.kind in ("note", "reason")]
    internal += [f.strengths for f in feedback if not f.share_strengths]
    internal += [f.concerns for f in feedback if not f.share_concerns]
    # the notes on each criterion of a scorecard: never shared
    internal += [
        r.note for r in Rating.select().where(Rating.feedback.in_([f.id for f in feedback]))
    ]
    visible = [application.closure_note, application.next_steps]
    visible += [text for e in events if e.visible for text in (e.message, e.next_steps)]
    visible += [f.strengths for f in feedback if f.share_strengths]
    visible += [f.concerns for f in feedback if f.share_concerns]
    visible = [_words(text) for text in visible]
    return {
        secret
        for secret in map(_words, internal)
        if len(secret) >= SHORTEST_SECRET and not any(secret in text for text in visible)
    } | untold_reasons()


def untold_reasons() -> set[str]:
    """Every word of the closure reasons a candidate may not be told (label, code, and
    any sentence or next steps kept on them), of ``SHORTEST_SECRET`` characters or more:
    never in a candidate's email, whatever their own note says (a reason's words reach
    the note only through the domain, which leaves these out)."""
    untold = ClosureReason.select().where(~ClosureReason.tellable)
    texts = (t for r in untold for t in (r.label, r.code, r.candidate_text, r.next_steps))
    return {text for text in map(_words, texts) if len(text) >= SHORTEST_SECRET}


def _words(text: str) -> str:
    """``text`` with its whitespace normalised: one space between words."""
    return " ".join(text.split())
