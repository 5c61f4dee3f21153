"""`portal inbox`'s receiver: candidates' replies by email, over SMTP or LMTP (aiosmtpd),
filed on their application's conversation as questions (``actions.ask``), which tells
the job's recruiter (the mail itself is `portal worker`'s to send).

- Only a live reply address is taken, ``reply+<key>@REPLY_DOMAIN``: an unknown or
  malformed key, another domain and an erased application all get the same 550 at RCPT,
  before any text is sent, so nothing a stranger writes is read, let alone filed.
- One reply address a message (452 for the next: the sender sends it again, apart), so
  every message is one application's and LMTP's one answer a recipient holds.
- At most ``INBOX_MAX_BYTES`` (552). Mail written by a program (out-of-office replies,
  bounces, lists: ``replies.automatic``) is taken and dropped (250), counted in the log,
  so that no autoresponder keeps a conversation going and no bounce comes back.
- A reply with no words of its own is refused (550, so its sender hears at once), unless
  it carried attachments: then the team hears of them (``replies.NO_TEXT``).
"""

import asyncio
import logging
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import current_app
from flask import Flask

from portal.clock import now
from portal.conversation import replies
from portal.conversation.actions import ask
from portal.conversation.actions import ASK_LIMIT
from portal.conversation.actions import ASK_WINDOW
from portal.conversation.actions import ASKING_KINDS
from portal.domain.applications import reachable
from portal.errors import Invalid
from portal.mail.queue import REPLY_KEY_BYTES
from portal.mail.queue import REPLY_PREFIX
from portal.store.db import database
from portal.store.db import lock
from portal.store.models import Application
from portal.store.models import Event

#: The local part of a reply address, lower-cased (mail servers may change its case).
REPLY_LOCAL = re.compile(rf"{re.escape(REPLY_PREFIX)}([0-9a-f]{{{REPLY_KEY_BYTES * 2}}})")

#: What the sender's mail server is told; the same refusal whatever made it one.
FILED = "250 2.0.0 Thank you: your reply is with the team"
DROPPED = "250 2.0.0 Automatic message: not filed"
TAKEN = "250 2.1.5 OK"
UNKNOWN = "550 5.1.1 No such reply address"
ONE_EACH = "452 4.5.3 One reply address a message: send to the next one apart"
TOO_OFTEN = "450 4.7.1 Many replies in the last hour: please try again later"
NO_WORDS = "550 5.6.0 We found no words of yours in this reply: write them above the quote"
TRY_LATER = "451 4.3.0 The reply could not be filed just now: please try again later"

#: What the log calls each answer to DATA (any other is a refusal).
OUTCOMES = {"250": "filed", "450": "deferred"}

#: Threads that file replies: the database is not the event loop's to wait for.
WORKERS = 4


def reply_key(address: str, domain: str) -> str | None:
    """The key of ``address`` when it is a reply address of ``domain``, else None."""
    local, at, host = address.strip().lower().rpartition("@")
    if not at or not domain or host != domain.lower():
        return None
    found = REPLY_LOCAL.fullmatch(local)
    return found.group(1) if found else None


class Inbox:
    """aiosmtpd's handler: refuses every recipient but a live reply address, and files
    each reply on its application."""

    def __init__(self, app: Flask):
        self.app = app
        #: What became of the messages since the start: filed, dropped, refused...
        self.counts: Counter[str] = Counter()
        self._counting = threading.Lock()
        self._threads = ThreadPoolExecutor(WORKERS, thread_name_prefix="portal-inbox")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        """Take one live reply address; refuse every other, all alike."""
        if any(address.lower() == taken.lower() for taken in envelope.rcpt_tos):
            return TAKEN
        if envelope.rcpt_tos:
            return ONE_EACH
        if await self._run(self._application, address) is None:
            self._count("refused", "no live reply address")
            return UNKNOWN
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return TAKEN

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        """File the reply, or drop it when a program wrote it."""
        [address] = envelope.rcpt_tos
        return await self._run(self._deliver, address, envelope.mail_from, envelope.content)

    async def handle_exception(self, error: Exception) -> str:
        """Whatever failed (the database away): logged, and the sender tries again later."""
        self.app.logger.error("inbox: could not take a message: %r", error, exc_info=error)
        return TRY_LATER

    def close(self) -> None:
        """Let the replies being filed finish."""
        self._threads.shutdown(wait=True)

    async def _run(self, work, *args):
        """``work(*args)`` on a thread of ours, in the app with a database connection."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._in_app, work, args)

    def _in_app(self, work, args):
        with self.app.app_context(), database.connection_context():
            return work(*args)

    def _application(self, address: str) -> Application | None:
        """The application whose live reply address ``address`` is, if any."""
        key = reply_key(address, current_app.config["REPLY_DOMAIN"])
        if key is None:
            return None
        application = Application.get_or_none(Application.reply_key == key)
        return application if application is not None and reachable(application) else None

    def _deliver(self, address: str, sender: str, content: bytes) -> str:
        """File the message ``content`` sent to ``address``; the answer to the sender."""
        message = BytesParser(policy=policy.default).parsebytes(content)
        application = self._application(address)
        if application is None:  # erased since RCPT
            self._count("refused", "no live reply address")
            return UNKNOWN
        automatic = replies.automatic(message, sender)
        if automatic:
            self._count("dropped", automatic, application.ref)
            return DROPPED
        reply = replies.read(message)
        if not (reply.text or reply.attachments or reply.pictures):
            self._count("refused", "no words of its own", application.ref)
            return NO_WORDS
        note = replies.note(reply, _other_sender(message, application))
        try:
            with database.atomic():
                why, answer = self._file(address, application.id, reply.text, note)
        except Invalid as error:
            why, answer = error.message, f"550 5.7.1 {replies.shown(error.message, 200)}"
        self._count(OUTCOMES.get(answer[:3], "refused"), why, application.ref)
        return answer

    def _file(self, address: str, application_id: int, text: str, note: str):
        """Ask the question in the caller's transaction, the application held: an erasure
        that came since it was looked up wins. (What happened, the answer to the sender.)"""
        lock(Application, application_id)
        application = self._application(address)  # read again, held
        if application is None or application.id != application_id:
            return "no live reply address", UNKNOWN
        if _asked_often(application):
            return "too many replies in the last hour", TOO_OFTEN
        ask(application, text or replies.NO_TEXT, via="email", note=note)
        return "a reply", FILED

    def _count(self, outcome: str, why: str, ref: str = "") -> None:
        """Count what became of a message, and log it with the counts so far (refs, never
        addresses: a reply address is a key)."""
        with self._counting:
            self.counts[outcome] += 1
            counts = ", ".join(f"{name} {n}" for name, n in sorted(self.counts.items()))
        on = f" on {ref}" if ref else ""
        self.app.logger.info("inbox: %s%s (%s); since start: %s", outcome, on, why, counts)


def _asked_often(application: Application) -> bool:
    """Whether the candidate reached ``ASK_LIMIT`` questions in ``ASK_WINDOW``: the mail
    is deferred (its server tries again later) rather than lost."""
    recent = Event.select().where(
        (Event.application == application.id)
        & Event.kind.in_(ASKING_KINDS)
        & (Event.created > now() - ASK_WINDOW)
    )
    return recent.count() >= ASK_LIMIT


def _other_sender(message: EmailMessage, application: Application) -> str:
    """The From address when it is not the candidate's (a forward, another account of
    theirs), for the team's note; empty when it is theirs or there is none."""
    try:
        header = message["From"]
        senders = {address.addr_spec.lower() for address in getattr(header, "addresses", ())}
    except (HeaderParseError, IndexError, ValueError):  # a stranger's header can be anything
        return ""
    if not senders or application.candidate.email.lower() in senders:
        return ""
    return ", ".join(replies.shown(sender, 100) for sender in sorted(senders))


class InboxServer(Controller):
    """aiosmtpd's server on a thread of its own, speaking SMTP or (``lmtp``) LMTP."""

    def __init__(self, handler: Inbox, lmtp: bool = False, **options):
        super().__init__(handler, **options)
        self.lmtp = lmtp

    def factory(self):
        """The protocol for one connection."""
        return (LMTP if self.lmtp else SMTP)(self.handler, **self.SMTP_kwargs)

    def stop(self, no_assert: bool = False) -> None:
        """Stop listening, and let the replies being filed finish."""
        super().stop(no_assert)
        self.handler.close()


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8025, lmtp: bool = False):
    """Start receiving replies for ``app`` on ``host``:``port``; the running server."""
    # aiosmtpd logs every recipient at INFO: a reply address is a key, kept out of logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = InboxServer(
        Inbox(app),
        lmtp=lmtp,
        hostname=host,
        port=port,
        server_hostname=app.config["REPLY_DOMAIN"] or None,
        ident="portal inbox",
        data_size_limit=app.config["INBOX_MAX_BYTES"],
    )
    server.start()
    return server
