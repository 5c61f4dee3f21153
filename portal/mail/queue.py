"""Email to candidates: rendered from editable templates, queued in the Mail table in
the same transaction as the change, and sent only after that transaction commits: by
`portal worker` for a change made in a request (a recruiter never waits for the mail
server), at once after the commit for one made by a command.

Each email about a change carries its words (the message, the next steps, the
reply-by date, the closure note) and the link to the candidate's page. Its Reply-To
(the application's reply address with ``REPLY_DOMAIN``, which `portal inbox` receives;
else the job's recruiter) and its Message-ID are fixed when it is queued.

If the mail server is down the change stands and the mail stays queued: the worker
retries it every round (after a short pause), `portal send` retries on demand, and the
admin lists what is unsent.
"""

import re
import secrets
import time
from contextvars import ContextVar
from datetime import date
from datetime import datetime
from datetime import timedelta
from email.utils import formataddr
from email.utils import make_msgid

import peewee
from flask import current_app

from portal import clock
from portal import dates
from portal.mail import transport
from portal.mail.transport import MailFailed
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail

#: After a failure, opportunistic sends wait this long before trying the server again,
#: so a dead server does not cost every request a timeout. `portal send` never waits.
RETRY_PAUSE = 60.0

#: Mail sent per flush; the rest waits for the next one.
BATCH = 50
#: How long a sender's claim on a mail holds: longer than any one delivery takes (a
#: sender that died mid-way leaves its claim to lapse, and the mail goes again).
LEASE = timedelta(minutes=10)

#: A message that opens like a letter ("Dear Ada,") is one: the email adds no greeting.
GREETING = re.compile(r"(dear|hello|hi|hey|good (morning|afternoon|evening))\b", re.IGNORECASE)

#: A reply address is ``reply+<key>@REPLY_DOMAIN``: the key is random (never the link's
#: token, so an address seen on the way gives no page), of this many bytes, in lower-case
#: hex, which mail servers that lower-case local parts leave as it is.
REPLY_PREFIX = "reply+"
REPLY_KEY_BYTES = 16

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


def queue(
    application: Application, kind: str, event: Event | None = None, calendar: str = "", **context
) -> Mail:
    """Queue the email ``kind`` to the application's candidate; it is sent after commit.
    ``calendar``: an iCalendar file sent with it (an interview's, portal.interviews).

    Its Reply-To (see ``_reply_to``) and its Message-ID are fixed now: a later change of
    recruiter does not redirect what was decided, and every retry is recognisably the
    same message."""
    recruiter = application.job.recruiter
    reply_to = _reply_to(application)
    context.update(
        first_name=application.candidate.first_name,
        job=application.job.title,
        recruiter=recruiter.name,
        recruiter_email=recruiter.email,
        replies=bool(reply_to),
    )
    subject, text, html = render(kind, **context)
    mail = Mail.create(
        application=application,
        event=event,
        kind=kind,
        to=application.candidate.email,
        reply_to=reply_to,
        message_id=make_msgid(domain=transport.message_domain()),
        subject=subject,
        text=text,
        html=html,
        calendar=calendar,
    )
    if not serving():  # a request never waits for the mail server
        app = current_app._get_current_object()
        database.after_commit(lambda: _after_commit(app))
    return mail


def _reply_to(application: Application) -> str:
    """Where the candidate's answer goes: the application's reply address when
    ``REPLY_DOMAIN`` is set (`portal inbox` files it on the application), else the job's
    recruiter, unless ``REPLY_TO_RECRUITER`` is off (empty: the From address)."""
    config = current_app.config
    if config["REPLY_DOMAIN"]:
        return formataddr((config["COMPANY_NAME"], reply_address(application)))
    if config["REPLY_TO_RECRUITER"]:
        recruiter = application.job.recruiter
        return formataddr((recruiter.name, recruiter.email))
    return ""


def reply_address(application: Application) -> str:
    """The application's reply address, ``reply+<key>@REPLY_DOMAIN``; its key is made the
    first time, in the caller's transaction (erasure clears it, and the address is dead)."""
    if application.reply_key is None:
        key = secrets.token_hex(REPLY_KEY_BYTES)
        Application.update(reply_key=key).where(
            (Application.id == application.id) & Application.reply_key.is_null()
        ).execute()
        # another sender may have made one first: theirs stands
        application.reply_key = (
            Application.select(Application.reply_key)
            .where(Application.id == application.id)
            .scalar()
        )
    return f"{REPLY_PREFIX}{application.reply_key}@{current_app.config['REPLY_DOMAIN'].lower()}"


#: True while the app dispatches a request: what it queues is the worker's to send.
_serving: ContextVar[bool] = ContextVar("portal_serving_request", default=False)


def init_app(app) -> None:
    """Mark every request while the app dispatches it (from before_request to
    after_request or teardown), so that what it queues waits for the worker."""

    @app.before_request
    def _dispatching() -> None:
        _serving.set(True)

    @app.after_request
    def _dispatched(response):
        _serving.set(False)
        return response

    app.teardown_request(lambda error: _serving.set(False))


def serving() -> bool:
    """Whether this runs in a request the app is serving (not a command, the worker, or
    a test calling the domain directly)."""
    return _serving.get()


def _after_commit(app) -> None:
    """Send what is pending once the change is safely stored (outside a request: the
    CLI, the worker; a request leaves its mail to `portal worker`). Never raise here:
    the change is already committed, and the mail stays queued for a later try."""
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
    if not query.exists():
        return 0, 0
    sent = failed = 0
    held, tried = None, []  # the mail in hand (claimed, not yet marked); those done here
    try:
        with transport.Transport(url) as deliver:
            # Claimed one at a time once the server answers: a refused connection costs
            # no attempt, and a sender killed mid-batch holds only the mail in hand.
            for _ in range(BATCH):
                held = _claim_next(query.where(Mail.id.not_in(tried)) if tried else query)
                if held is None:
                    break
                tried.append(held.id)  # once a round: a refused mail waits for the next
                try:
                    deliver(held, transport.message(held))
                except MailFailed as error:
                    _failed(held, error)
                    failed += 1
                else:
                    Mail.update(sent=clock.now(), claimed=None, last_error="").where(
                        Mail.id == held.id
                    ).execute()
                    sent += 1
                held = None
    except MailFailed as error:
        # The server cannot be reached: that is no fault of any one mail, so no attempt
        # is counted but for the mail it failed on; everything stays queued with the reason.
        _paused_until[url] = time.monotonic() + RETRY_PAUSE
        waiting = [m.id for m in query.limit(BATCH)] + ([held.id] if held else [])
        Mail.update(last_error=str(error)[:500], claimed=None).where(
            Mail.id.in_(waiting) & Mail.sent.is_null()
        ).execute()
        current_app.logger.warning("mail server unavailable, mail kept queued: %s", error)
        return sent, len(waiting)
    return sent, failed


def _claim_next(query) -> Mail | None:
    """Take the next mail ``query`` finds for this sender, counting one attempt, or None
    when there is none left: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` passes over a row
    another worker is taking this instant, so several workers share the queue without
    waiting on each other; SQLite's writers take turns anyway."""
    with database.atomic():
        chosen = query.limit(1)
        if not isinstance(database.obj, peewee.SqliteDatabase):
            chosen = chosen.for_update("FOR UPDATE SKIP LOCKED")
        mail = chosen.first()
        if mail is not None and _claim(mail):
            return mail
    return None


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


def queue_link(application: Application, url: str, ends: datetime) -> Mail:
    """The candidate's link, sent on purpose by staff or on the candidate's request."""
    return queue(application, "link", url=url, ends=_day(ends))


def queue_notice(
    application: Application, event: Event, url: str, ends: datetime, own_withdrawal=False
) -> Mail:
    """The email of a candidate-visible change, with its words: what happened (the
    stage it moved to), the message, the next steps, the reply-by date and the link;
    for a closure, the closure note and until when the page can be read (``ends``), and
    whether it was the candidate's own withdrawal (only then "as you asked")."""
    closing = event.kind == "closed"
    return queue(
        application,
        "closure" if closing else "notice",
        event=event,
        url=url,
        ends=_day(ends),
        own_withdrawal=own_withdrawal,
        **words(application, event),
    )


def queue_erasure(
    application: Application, closure: Event | None, url: str, due: date, others: list[str]
) -> Mail:
    """The confirmation of a candidate's request to delete ``application`` by ``due``.
    When asking withdrew it, ``closure`` is that closing event and this is its one email:
    the closure note and the request together, never two emails in the same second."""
    if closure is not None:
        said = words(application, closure)
    else:
        said = {"message": "", "greets": False, "signed": False}
    said.setdefault("author", application.job.recruiter.name)
    return queue(
        application,
        "erasure",
        event=closure,
        url=url,
        due=due,
        others=others,
        withdrew=closure is not None,
        **said,
    )


def words(application: Application, event: Event) -> dict:
    """What an email about ``event`` says, as template context: the candidate-visible
    texts of the event, who signs it (its author, as on the page, else the job's
    recruiter), and how the message reads (a letter of its own or a note)."""
    author = event.actor.name if event.actor_id else application.job.recruiter.name
    if event.kind == "closed":
        message = application.closure_note or event.message
        next_steps = ""
    elif event.kind == "answer":  # an answer is about their question, not the steps
        message, next_steps = event.message, ""
    else:
        message = event.message
        # the event's own, else the standing ones it left in place (an update without any)
        next_steps = event.next_steps or application.next_steps
    kept = bool(next_steps) and not event.next_steps
    stage = event.to_stage if event.to_stage_id else application.stage
    return {
        "event_kind": event.kind,
        "status": application.status,
        "stage": stage.candidate_label,
        "message": message,
        "next_steps": next_steps,
        "next_steps_kept": kept,
        "reply_by": dates.in_words(event.reply_by),
        "author": author,
        # a letter greets and signs itself: the email adds no "Hello" and no signature
        "greets": bool(GREETING.match(message)),
        "signed": bool(author) and message.rstrip().endswith(author),
    }


def _day(moment: datetime) -> str:
    """A stored UTC moment as the company's date, in words."""
    return dates.in_words(clock.local_date(moment))
