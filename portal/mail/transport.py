"""Delivering one email: over SMTP (plain, STARTTLS or TLS, with login), or as an .eml
file in the outbox folder when ``MAIL_URL`` is ``outbox``: one folder per database, and
owner-only, as each file holds a candidate's link."""

import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

from flask import current_app
from playhouse.db_url import parse as parse_url

from portal import clock
from portal import files
from portal.store import db
from portal.store.models import Mail

#: The METHOD line of a cancellation's calendar file.
CANCEL = re.compile(r"^METHOD:CANCEL\r?$", re.MULTILINE)


class MailFailed(Exception):
    """The server refused or could not be reached."""


def message(mail: Mail) -> EmailMessage:
    """The MIME message of a queued mail: plain text and HTML alternatives (and its
    calendar file, attached), with the Reply-To and Message-ID fixed when it was queued."""
    config = current_app.config
    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = mail.to
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["Date"] = format_datetime(clock.local(clock.now()))
    msg["Message-ID"] = mail.message_id or legacy_message_id(mail)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    if mail.calendar:
        # The method a calendar reads before it opens the file: an invitation or update
        # (REQUEST) replaces the entry of the same UID, a CANCEL removes it.
        method = "CANCEL" if CANCEL.search(mail.calendar) else "REQUEST"
        msg.add_attachment(
            mail.calendar,
            subtype="calendar",
            charset="utf-8",
            params={"method": method},
            filename="invite.ics",
        )
    return msg


def message_domain() -> str:
    """The domain of Message-IDs: the ``MAIL_FROM`` address's, else ``BASE_URL``'s host."""
    config = current_app.config
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2]
    return domain or urlsplit(config["BASE_URL"]).hostname or "localhost"


def legacy_message_id(mail: Mail) -> str:
    """The Message-ID of a mail queued before they were fixed at queue time (its
    ``message_id`` is empty): derived from its id and creation time, so every retry
    still carries the same one."""
    return f"<{mail.created:%Y%m%d%H%M%S%f}.mail{mail.id}@{message_domain()}>"


class Transport:
    """A context manager yielding a function that delivers one message."""

    def __init__(self, url: str):
        self.url = url
        self.smtp = None

    def __enter__(self):
        if self.url == "outbox":
            folder = files.private_folder(outbox_folder())
            return lambda mail, msg: _write_eml(folder / outbox_name(mail), msg)
        self.smtp = _connect(self.url, current_app.config["MAIL_TIMEOUT"])
        return self._send

    def _send(self, mail: Mail, msg: EmailMessage) -> None:
        try:
            refused = self.smtp.send_message(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            raise MailFailed(f"refused: {error}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailFailed(f"{type(error).__name__}: {error}") from None
        if refused:
            raise MailFailed(f"refused: {refused}")

    def __exit__(self, *exc):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
        return False


def _connect(url: str, timeout: float) -> smtplib.SMTP:
    """An SMTP session for ``smtp://``, ``smtp+starttls://`` or ``smtps://`` URLs."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtp+starttls", "smtps") or not parts.hostname:
        raise MailFailed(
            f"PORTAL_MAIL_URL {scheme}:// is not smtp://, smtp+starttls:// or smtps://"
        )
    context = ssl.create_default_context()
    smtp = None
    try:
        if scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                parts.hostname, parts.port or 465, timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
            if scheme == "smtp+starttls":
                smtp.starttls(context=context)
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
    except (smtplib.SMTPException, OSError) as error:
        if smtp is not None:
            smtp.close()
        raise MailFailed(f"{type(error).__name__}: {error}") from None
    return smtp


def outbox_folder() -> Path:
    """Where ``MAIL_URL=outbox`` delivers, one folder per database (an erasure deletes the
    mail its database knows of): ``<file stem>.outbox/`` beside a SQLite file, and
    ``outbox-<database name>/`` in the instance folder for PostgreSQL."""
    url = db.database_url(current_app)
    name = parse_url(url).get("database") or ""
    if url.split(":", 1)[0] == "sqlite" and name and name != ":memory:":
        path = Path(os.path.abspath(name))
        return path.with_name(f"{path.stem}.outbox")
    instance = Path(current_app.instance_path)
    if url.split(":", 1)[0] == "sqlite":
        return instance / "outbox"  # a database in memory
    return instance / f"outbox-{re.sub(r'[^A-Za-z0-9_.-]', '_', name).lstrip('.')}"


def outbox_name(mail: Mail) -> str:
    """A mail's file in the outbox: its time and id, so that a database made afresh (a new
    demo) never overwrites the mail of the one it replaced, which reused its ids."""
    return f"{mail.created:%Y%m%dT%H%M%S%f}-{mail.id:06d}-{mail.kind}.eml"


def _write_eml(path: Path, msg: EmailMessage) -> None:
    try:
        # Written once (a second delivery changes nothing), owner-only, never through a
        # symlink.
        with open(files.create(path), "wb") as handle:
            handle.write(msg.as_bytes())
    except FileExistsError:
        return
    except OSError as error:
        raise MailFailed(f"cannot write to the outbox: {error}") from None


def forget_outbox(mails) -> int:
    """Delete the outbox copies of these mails (an erasure: they name the person)."""
    folder = outbox_folder()
    removed = 0
    for mail in mails:
        path = folder / outbox_name(mail)
        if path.exists():
            path.unlink()
            removed += 1
    return removed
