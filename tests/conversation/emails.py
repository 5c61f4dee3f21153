"""Replies as candidates' mail programs write them, a real SMTP (or LMTP) client that
delivers them to `portal inbox`'s receiver one command at a time, and what it filed."""

import smtplib
from email import policy
from email.message import EmailMessage
from typing import NamedTuple

from portal.store.models import Event
from portal.store.models import Mail

#: The reply domain of the tests: reply+<key>@DOMAIN.
DOMAIN = "hiring.example.com"


class Answer(NamedTuple):
    """What the receiver answered: to RCPT when it refused the address, else to DATA."""

    stage: str
    code: int
    text: str


class Client:
    """Delivers to the receiver on 127.0.0.1:``port`` over SMTP, or LMTP."""

    def __init__(self, port: int, lmtp: bool = False):
        self.port = port
        self.lmtp = lmtp

    def deliver(self, to: str, message, sender: str = "ada@example.org") -> Answer:
        """Deliver ``message`` (an EmailMessage, or the bytes as sent) to ``to``, one
        command at a time, so that each answer can be read."""
        data = message if isinstance(message, bytes) else message.as_bytes(policy=policy.SMTP)
        with self.connect() as client:
            code, text = client.mail(sender)
            assert code == 250, text
            code, text = client.rcpt(to)
            if code != 250:
                return Answer("RCPT", code, text.decode())
            code, text = client.data(data)
            return Answer("DATA", code, text.decode())

    def connect(self) -> smtplib.SMTP:
        """A client that has said hello (EHLO, or LMTP's LHLO)."""
        client = (smtplib.LMTP if self.lmtp else smtplib.SMTP)("127.0.0.1", self.port, timeout=30)
        client.ehlo()
        return client


def reply(
    text: str = "Is the role open to people outside London?",
    *,
    html: str = "",
    attachments=(),
    subject: str = "Re: Your application",
    sender: str = "Ada Lovelace <ada@example.org>",
    **headers,
) -> EmailMessage:
    """A candidate's reply: ``text``, or ``html`` alone when ``text`` is empty, or both as
    alternatives; ``attachments`` are (name, bytes); ``headers`` with _ for -."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"Example Ltd <reply@{DOMAIN}>"
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text:
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
    elif html:
        message.set_content(html, subtype="html")
    for name, content in attachments:
        message.add_attachment(
            content, maintype="application", subtype="octet-stream", filename=name
        )
    return message


# --- what the inbox filed ----------------------------------------------------------------------


def questions(application=None) -> list[Event]:
    """The candidates' questions filed, oldest first (of ``application`` only, if given)."""
    query = Event.select().where(Event.kind == "question").order_by(Event.id)
    if application is not None:
        query = query.where(Event.application == application.id)
    return list(query)


def notes(application) -> list[str]:
    """The team's notes on what replies by email lost, of ``application``."""
    query = Event.select().where(
        (Event.application == application.id) & (Event.kind == "reply_note")
    )
    return [event.message for event in query.order_by(Event.id)]


def told_staff() -> list[Mail]:
    """The recruiters' notices of questions, oldest first."""
    return list(Mail.select().where(Mail.kind == "question_staff").order_by(Mail.id))


def nothing_filed() -> bool:
    """No question, note or notice at all."""
    return (
        not questions()
        and not told_staff()
        and not Event.select().where(Event.kind == "reply_note").exists()
    )
