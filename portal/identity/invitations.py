"""Inviting a colleague: the account is made with no password anyone knows, and an
email asks them to choose one (or to sign in with the company's account, where single
sign-on is on). Inviting again, before they first sign in, sends a new link and ends the
old one."""

import secrets

from portal.domain.base import normalise_email
from portal.domain.base import require_staff
from portal.domain.staff import create_user
from portal.errors import Invalid
from portal.identity import links
from portal.store.db import database
from portal.store.models import AuditEntry
from portal.store.models import User


def invite(actor: User | None, email: str, name: str, role: str) -> User:
    """Make ``email``'s account and email the invitation; for an account invited before
    and never used, send a new one (the old link ends). Someone who has signed in is not
    invited again: they have a way in (or "Forgotten your password?")."""
    require_staff(actor, ("admin",))
    with database.atomic():
        user = User.get_or_none(User.email == normalise_email(email))
        if user is None:
            user = create_user(email, name, role, secrets.token_urlsafe(32), actor=actor)
        elif not user.active:
            raise Invalid(f"{user.email} is deactivated: activate the account first.")
        elif signed_in_before(user):
            raise Invalid(
                f"{user.email} already has an account and has signed in: they can use "
                "“Forgotten your password?” on the sign-in page."
            )
        links.send(user, links.INVITE, actor)
    return user


def signed_in_before(user: User) -> bool:
    """Whether ``user`` has ever signed in (the audit log says so)."""
    return (
        AuditEntry.select()
        .where((AuditEntry.actor == user.id) & (AuditEntry.action == "signed_in"))
        .exists()
    )
