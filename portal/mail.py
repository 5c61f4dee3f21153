"""Email to candidates: rendered from editable templates, queued in the Mail table in
the same transaction as the change, and sent only after that transaction commits.

If the mail server is down the change stands and the mail stays queued: every later
commit that queues mail retries what is pending (after a short pause), `portal send`
retries on demand or from cron, and the admin lists what is unsent.
"""

import smtplib
import ssl
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

import click
import peewee
from flask import current_app
from flask.cli import with_appcontext

from portal import clock
from portal import dates
from portal.db import database
from portal.models import Application
from portal.models import Mail

#: After a failure, opportunistic sends wait this long before trying the server again,
#: so a dead server does not cost every request a timeout. `portal send` never waits.
RETRY_PAUSE = 60.0

#: Mail sent per flush; the rest waits for the next one.
BATCH = 50
#: How long a sender's claim on a mail holds: longer than any one delivery takes (a
#: sender that died mid-way leaves its claim to lapse, and the mail goes again).
LEASE = timedelta(minutes=10)

_paused_until: dict[str, float] = {}


class MailFailed(Exception):
    """The server refused or could not be reached."""


# --- composing ---------------------------------------------------------------------


def render(kind: str, **context) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the email ``kind`` from templates/email/."""
    env = current_app.jinja_env
    context.setdefault("company", current_app.config["COMPANY_NAME"])
    # The text template reads like the email: a "Subject:" line, a blank line, the body.
    head, _, body = env.get_template(f"email/{kind}.txt").render(context).partition("\n")
    if not head.startswith("Subject:"):
        raise ValueError(f"templates/email/{kind}.txt must start with a 'Subject:' line")
    html = env.get_template(f"email/{kind}.html").render(context)
    # A subject is one line, whatever a job title contains.
    return " ".join(head.removeprefix("Subject:").split()), body.strip("\n") + "\n", html


def queue(application: Application, kind: str, **context) -> Mail:
    """Queue the email ``kind`` to the application's candidate; it is sent after commit."""
    context.update(
        first_name=application.candidate.first_name,
        job=application.job.title,
        recruiter=application.job.recruiter.name,
        recruiter_email=application.job.recruiter.email,
    )
    subject, text, html = render(kind, **context)
    mail = Mail.create(
        application=application,
        kind=kind,
        to=application.candidate.email,
        subject=subject,
        text=text,
        html=html,
    )
    app = current_app._get_current_object()
    database.after_commit(lambda: _after_commit(app))
    return mail


def _after_commit(app) -> None:
    """Send what is pending once the change is safely stored. Never raise here: the
    change is already committed, and the mail stays queued for a later try."""
    with app.app_context():
        try:
            send_pending(wait=False)
        except peewee.DatabaseError as error:
            app.logger.warning("could not send queued mail: %s", error)


# --- sending -----------------------------------------------------------------------


def unsent():
    """Mail not yet taken by the server, oldest first."""
    return Mail.select().where(Mail.sent.is_null()).order_by(Mail.created, Mail.id)


def send_pending(wait: bool = True, retry_failed: bool = False) -> tuple[int, int]:
    """Send queued mail; returns (sent, failed). ``wait=False`` skips a server that just
    failed; ``retry_failed`` also tries mail past ``MAIL_MAX_ATTEMPTS``."""
    config = current_app.config
    url = config["MAIL_URL"]
    if not wait and time.monotonic() < _paused_until.get(url, 0):
        return 0, 0
    query = unsent().where(_unclaimed(clock.now()))
    if not retry_failed:
        query = query.where(Mail.attempts < config["MAIL_MAX_ATTEMPTS"])
    pending = list(query.limit(BATCH))
    if not pending:
        return 0, 0
    sent = failed = 0
    try:
        with _transport(url) as deliver:
            for mail in pending:
                if not _claim(mail):
                    continue  # another worker took it
                try:
                    deliver(mail, message(mail))
                except MailFailed as error:
                    _failed(mail, error)
                    failed += 1
                else:
                    Mail.update(sent=clock.now(), last_error="").where(Mail.id == mail.id).execute()
                    sent += 1
    except MailFailed as error:
        # The server cannot be reached: that is no fault of any one mail, so no
        # attempt is counted; everything stays queued with the reason.
        _paused_until[url] = time.monotonic() + RETRY_PAUSE
        Mail.update(last_error=str(error)[:500], claimed=None).where(
            Mail.id.in_([mail.id for mail in pending]) & Mail.sent.is_null()
        ).execute()
        current_app.logger.warning("mail server unavailable, mail kept queued: %s", error)
        return 0, len(pending)
    return sent, failed


def _claim(mail: Mail) -> bool:
    """Take the mail for this sender and count one attempt, unless another sender holds
    it (cron's `portal send`, another worker's request cycle): one conditional UPDATE
    decides, and the claim holds for ``LEASE`` or until this sender is done."""
    moment = clock.now()
    claimed = (
        Mail.update(attempts=Mail.attempts + 1, claimed=moment)
        .where(
            (Mail.id == mail.id)
            & Mail.sent.is_null()
            & (Mail.attempts == mail.attempts)
            & _unclaimed(moment)
        )
        .execute()
    )
    mail.attempts += 1
    return claimed == 1


def _unclaimed(moment):
    """No sender holds the mail at ``moment``: never claimed, or its claim has lapsed."""
    return Mail.claimed.is_null() | (Mail.claimed < moment - LEASE)


def _failed(mail: Mail, error: Exception) -> None:
    Mail.update(last_error=str(error)[:500], claimed=None).where(Mail.id == mail.id).execute()


def message(mail: Mail) -> EmailMessage:
    """The MIME message of a queued mail: plain text and HTML alternatives."""
    config = current_app.config
    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = mail.to
    msg["Date"] = format_datetime(clock.local(clock.now()))
    msg["Message-ID"] = make_msgid(f"mail{mail.id}", urlsplit(config["BASE_URL"]).hostname)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    return msg


class _transport:
    """A context manager yielding a function that delivers one message."""

    def __init__(self, url: str):
        self.url = url
        self.smtp = None

    def __enter__(self):
        if self.url == "outbox":
            folder = outbox_folder()
            folder.mkdir(parents=True, exist_ok=True)
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
    """Where ``MAIL_URL=outbox`` delivers: the instance folder's outbox/."""
    return Path(current_app.instance_path) / "outbox"


def outbox_name(mail: Mail) -> str:
    """A mail's file in the outbox: its time and id, so that databases sharing the folder
    (a fresh demo, a test run) never overwrite each other's mail."""
    return f"{mail.created:%Y%m%dT%H%M%S%f}-{mail.id:06d}-{mail.kind}.eml"


def _write_eml(path: Path, msg: EmailMessage) -> None:
    try:
        with open(path, "xb") as handle:  # written once: a second delivery changes nothing
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


# --- the emails ---------------------------------------------------------------------


def queue_link(application: Application, url: str, ends) -> Mail:
    """The candidate's link, sent on purpose by staff or on the candidate's request."""
    return queue(application, "link", url=url, ends=dates.in_words(clock.local_date(ends)))


def queue_notice(application: Application, event, url: str) -> Mail:
    """A short notice of a candidate-visible change: what kind, never the words."""
    closing = event.kind == "closed"
    return queue(
        application,
        "closure" if closing else "notice",
        url=url,
        moved_to=event.to_stage.candidate_label if event.kind == "moved" else "",
        reply_by=dates.in_words(event.reply_by) if not closing else "",
        closure_note=application.closure_note if closing else "",
        status=application.status,
    )


@click.command("send")
@click.option("--retry-failed", is_flag=True, help="Also retry mail that failed too often.")
@with_appcontext
def send_command(retry_failed):
    """Send queued email now (run it from cron to retry mail the server refused)."""
    from portal import db

    db.check_schema()
    with database.connection_context():
        sent, failed = send_pending(wait=True, retry_failed=retry_failed)
        left = unsent().count()
    click.echo(f"Sent {sent}, failed {failed}, {left} still queued.")
    if failed:
        raise SystemExit(1)
