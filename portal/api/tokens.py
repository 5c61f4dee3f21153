"""Integration tokens: the keys an applicant tracking system or a script signs the API
in with. An admin makes one (its secret is shown once, and only its hash is kept) and
revokes it; each is scoped ``read`` or ``write`` (read and write) and knows when it was
last used. Every change is audited. A token is the company's, not its maker's: it keeps
working when the admin who made it leaves, until an admin revokes it."""

import hashlib
import secrets
from datetime import timedelta

from peewee import JOIN

from portal.clock import now
from portal.domain.base import clean_text
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import IntegrationToken
from portal.store.models import User

#: Every secret starts so: a leaked one is recognisable (secret scanners, logs).
PREFIX = "cpt_"
SCOPES = ("read", "write")

#: ``last_used`` is written at most this often, so that reads do not all write.
USE_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_admin(actor: User) -> None:
    if actor is None or not actor.is_admin:
        raise Forbidden("Only an admin can make or revoke integration tokens.")


def create_token(actor: User, name: str, scope: str) -> tuple[IntegrationToken, str]:
    """A new token named ``name`` for an integration, and its secret (shown once)."""
    _require_admin(actor)
    name = clean_text(name, "Name", required=True, limit=100)
    if scope not in SCOPES:
        raise Invalid(f"The scope must be read or write, not {scope!r}.")
    secret = PREFIX + secrets.token_urlsafe(32)
    with database.atomic():
        token = IntegrationToken.create(
            prefix=secret[: len(PREFIX) + 6],
            digest=digest(secret),
            name=name,
            scope=scope,
            created_by=actor,
        )
        audit(actor, "token_created", f"token {token.id}", name=name, scope=scope)
    return token, secret


def revoke_token(actor: User, token: IntegrationToken) -> None:
    """End ``token`` at once: the next request with it is refused."""
    _require_admin(actor)
    with database.atomic():
        ended = (
            IntegrationToken.update(revoked=now())
            .where((IntegrationToken.id == token.id) & IntegrationToken.revoked.is_null())
            .execute()
        )
        if ended:  # two admins at once: one revokes, one audit entry
            audit(actor, "token_revoked", f"token {token.id}", name=token.name)


def authenticate(secret: str) -> IntegrationToken | None:
    """The live token whose secret is ``secret``, its use noted; None for any other."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = IntegrationToken.get_or_none(
        (IntegrationToken.digest == digest(secret)) & IntegrationToken.revoked.is_null()
    )
    if token is not None and (token.last_used is None or token.last_used < now() - USE_PRECISION):
        token.last_used = now()
        IntegrationToken.update(last_used=token.last_used).where(
            IntegrationToken.id == token.id
        ).execute()
    return token


def listed() -> list[IntegrationToken]:
    """Every token with who made it, live ones first, newest first."""
    return list(
        IntegrationToken.select(IntegrationToken, User)
        .join(User, JOIN.LEFT_OUTER, on=IntegrationToken.created_by == User.id)
        .order_by(IntegrationToken.revoked.is_null(False), IntegrationToken.created.desc())
    )
