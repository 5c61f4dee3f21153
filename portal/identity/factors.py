"""Two-factor sign-in for password accounts: a TOTP authenticator app (pyotp: RFC 6238,
30-second codes, one step of clock drift either way), set up from a QR code drawn here
(segno, an SVG: nothing is sent to a third party), with ten recovery codes shown once
and kept as hashes. A code is good once: the step of the last one accepted is kept.
Single sign-on leaves the second factor to the company's provider."""

import hashlib
import secrets
import time

import pyotp
import segno
from flask import current_app

from portal.clock import now
from portal.errors import Invalid
from portal.store.audit import audit
from portal.store.db import database
from portal.store.db import lock
from portal.store.models import RecoveryCode
from portal.store.models import User

RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=f"{current_app.config['COMPANY_NAME']} hiring"
    )


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG, with a title for screen readers."""
    return segno.make(uri, error="m").svg_inline(
        scale=5,
        omitsize=True,
        title="QR code for your authenticator app",
        dark="#1c2430",
        light="#ffffff",
    )


def _step_of(secret: str, code: str) -> int | None:
    """The time step ``code`` is the code of (now, or one step either side), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(time.time()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def turn_on(user: User, secret: str, code: str) -> list[str]:
    """Confirm the authenticator by a code it shows; the recovery codes (shown once)."""
    step = _step_of(secret, code)
    if step is None:
        raise Invalid("That code does not match: check the app's time and try the current one.")
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with database.atomic():
        User.update(totp_secret=secret, totp_last_step=step).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        RecoveryCode.insert_many([{"user": user.id, "digest": _digest(c)} for c in codes]).execute()
        audit(user, "two_factor_on", f"user {user.id}")
    user.totp_secret, user.totp_last_step = secret, step
    return codes


def turn_off(actor: User, user: User) -> None:
    """No second factor any more (the person themselves, or an admin for a lost phone)."""
    with database.atomic():
        User.update(totp_secret="", totp_last_step=0).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        audit(actor, "two_factor_off", f"user {user.id}")
    user.totp_secret = ""


def accepted(user: User, code: str) -> bool:
    """Whether ``code`` is ``user``'s current TOTP code, not used before, or one of their
    unused recovery codes (spent now). Audited either way."""
    with database.atomic():
        lock(User, user.id)  # two tries with one code at once: one wins
        fresh = User.get_by_id(user.id)
        step = _step_of(fresh.totp_secret, code) if fresh.totp_secret else None
        if step is not None and step > fresh.totp_last_step:
            User.update(totp_last_step=step).where(User.id == user.id).execute()
            audit(user, "two_factor_passed", f"user {user.id}", by="app")
            return True
        spent = (
            RecoveryCode.update(used=now())
            .where(
                (RecoveryCode.user == user.id)
                & (RecoveryCode.digest == _digest(code))
                & RecoveryCode.used.is_null()
            )
            .execute()
        )
        audit(
            user if spent else None,
            "two_factor_passed" if spent else "two_factor_failed",
            f"user {user.id}",
            **({"by": "recovery code"} if spent else {}),
        )
        return bool(spent)


def recovery_left(user: User) -> int:
    return (
        RecoveryCode.select()
        .where((RecoveryCode.user == user.id) & RecoveryCode.used.is_null())
        .count()
    )


def required(user: User) -> bool:
    """Whether ``user`` must have a second factor before using the admin: admins, when
    ``TWO_FACTOR_ADMINS`` is on."""
    return user.is_admin and current_app.config["TWO_FACTOR_ADMINS"]
