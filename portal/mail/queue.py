"""Email to candidates: rendered from editable templates, queued in the Mail table in
the same transaction as the change, and sent only after that transaction commits.

If the mail server is down the change stands and the mail stays queued: every later
commit that queues mail retries what is pending (after a short pause), `portal send`
retries on demand or from cron, and the admin lists what is unsent.
"""

import time
from datetime import timedelta

import peewee
from flask import current_app

from portal import clock
from portal import dates
from portal.mail import transport
from portal.mail.transport import MailFailed
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Mail

#: After a failure, opportunistic sends wait this long before trying the server again,
#: so a dead server does not cost every request a timeout. `portal send` never waits.
RETRY_PAUSE = 60.0

#: Mail sent per flush; the rest waits for the next one.
BATCH = 50
#: How long a sender's claim on a mail holds: longer than any one delivery takes (a
#: sender that died mid-way leaves its claim to lapse, and the mail goes again).
LEASE = timedelta(minutes=10)

_paused_until: dict[str, float] = {}


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
        with transport.Transport(url) as deliver:
            for mail in pending:
                if not _claim(mail):
                    continue  # another worker took it
                try:
                    deliver(mail, transport.message(mail))
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
