"""Single-use links for staff: an invitation to choose a password (72 hours), a password
reset (one hour), and the break-glass sign-in an admin gets from the command line when
password sign-in is off (15 minutes). The link carries a signed random id (itsdangerous,
its own salt); the row, keyed by the id's hash, decides: used once, expired, superseded
by a newer link of its kind, or its person deactivated, and it opens nothing. A new
password ends every link and session of the person."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask import url_for
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from portal.clock import now
from portal.mail import queue as mail
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import Mail
from portal.store.models import StaffLink
from portal.store.models import StaffSession
from portal.store.models import User

INVITE, RESET, SIGN_IN = "invite", "reset", "sign_in"
LIFETIMES = {INVITE: timedelta(hours=72), RESET: timedelta(hours=1), SIGN_IN: timedelta(minutes=15)}
ROUTES = {INVITE: "accounts.welcome", RESET: "accounts.reset", SIGN_IN: "accounts.sign_in_link"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-link")


def _row_id(link_id: str) -> str:
    return hashlib.sha256(link_id.encode()).hexdigest()


def issue(user: User, purpose: str) -> str:
    """A new link of ``purpose`` for ``user`` (ending their earlier ones of that kind):
    its public address, from BASE_URL."""
    link_id = secrets.token_urlsafe(24)
    with database.atomic():
        StaffLink.delete().where(
            (StaffLink.user == user.id) & (StaffLink.purpose == purpose)
        ).execute()
        StaffLink.create(
            id=_row_id(link_id), user=user, purpose=purpose, expires=now() + LIFETIMES[purpose]
        )
    token = _serializer().dumps(link_id)
    return current_app.config["BASE_URL"].rstrip("/") + url_for(ROUTES[purpose], token=token)


def live(token: str, purpose: str) -> StaffLink | None:
    """The unused, unexpired link of ``purpose`` that ``token`` is, of an active person."""
    try:
        link_id = _serializer().loads(token, max_age=int(LIFETIMES[purpose].total_seconds()))
    except BadSignature:  # tampered, or older than its kind's lifetime (SignatureExpired)
        return None
    return (
        StaffLink.select(StaffLink, User)
        .join(User)
        .where(
            (StaffLink.id == _row_id(str(link_id)))
            & (StaffLink.purpose == purpose)
            & StaffLink.used.is_null()
            & (StaffLink.expires > now())
            & User.active
        )
        .first()
    )


def use(link: StaffLink) -> bool:
    """Spend ``link``: True for the one request that does (two at once: one wins)."""
    return (
        StaffLink.update(used=now())
        .where((StaffLink.id == link.id) & StaffLink.used.is_null())
        .execute()
        == 1
    )


def new_password(user: User, password: str, why: str) -> None:
    """``user``'s password is now ``password``: every session and link of theirs ends."""
    with database.atomic():
        user.set_password(password)
        user.save(only=[User.password_hash])
        StaffSession.end_all(user)
        StaffLink.delete().where(StaffLink.user == user.id).execute()
        audit(user, "password_set", f"user {user.id}", why=why)


def send(user: User, purpose: str, actor: User | None = None) -> Mail:
    """Email ``user`` a new link of ``purpose`` (an invitation or a reset)."""
    url = issue(user, purpose)
    subject, text, html = mail.render(
        f"staff_{purpose}",
        user=user,
        url=url,
        inviter=actor,
        hours=int(LIFETIMES[purpose].total_seconds() // 3600),
        password=current_app.config["PASSWORD_SIGN_IN"],
    )
    with database.atomic():
        sent = Mail.create(
            kind=f"staff_{purpose}", to=user.email, subject=subject, text=text, html=html
        )
        audit(actor, f"{purpose}_sent", f"user {user.id}")
    return sent
