"""Candidate links: the one module that owns signed values, and each link's life.

A link is a row (opaque random id, application, issued, expires, revoked, last viewed)
and one token minted when it is issued: the link's id, signed with its own salt and
timestamped. The token never changes while the link lives, so a static page's path is
stable across builds. Keys rotate: ``SECRET_KEY_FALLBACKS`` + ``[SECRET_KEY]``, current
key last; the signature and ``max_age`` are checked before the database is asked.
"""

import functools
import hmac
import secrets
from datetime import datetime
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import Signer
from itsdangerous import URLSafeTimedSerializer

from portal.clock import now
from portal.site import publish
from portal.store.db import database
from portal.store.db import lock
from portal.store.models import Application
from portal.store.models import Link

#: One salt per purpose: a value signed for one can never pass as the other.
LINK_SALT = "portal.candidate-link"
FORM_SALT = "portal.candidate-form"

#: Real tokens are ~70 characters; anything much longer is refused before any work.
MAX_TOKEN_LENGTH = 160

#: A page view updates ``Link.last_viewed`` at most this often (see ``viewed``).
VIEW_RESOLUTION = timedelta(hours=1)


def signing_keys() -> tuple[str, ...]:
    """The keys tokens may be signed with: the fallbacks, then the current one."""
    config = current_app.config
    return (*config["SECRET_KEY_FALLBACKS"], config["SECRET_KEY"])


@functools.lru_cache(maxsize=8)
def _serializer(keys: tuple[str, ...]) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(list(keys), salt=LINK_SALT)


@functools.lru_cache(maxsize=8)
def _form_signer(keys: tuple[str, ...]) -> Signer:
    return Signer(list(keys), salt=FORM_SALT)


def lifetime() -> timedelta:
    """How long a link lives after it is issued (``LINK_DAYS``)."""
    return timedelta(days=current_app.config["LINK_DAYS"])


def closed_grace() -> timedelta:
    """How long a page stays readable after the process closes (``CLOSED_DAYS``)."""
    return timedelta(days=current_app.config["CLOSED_DAYS"])


def sign(link_id: str) -> str:
    """A token for ``link_id``, signed with the current key."""
    return _serializer(signing_keys()).dumps(link_id)


def unsign(token: str) -> str | None:
    """The link id inside a good, unexpired ``token``; None otherwise. No database work."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        link_id = _serializer(signing_keys()).loads(token, max_age=int(lifetime().total_seconds()))
    except BadSignature:  # also SignatureExpired and BadPayload
        return None
    return link_id if isinstance(link_id, str) else None


def form_token(link_id: str) -> str:
    """The form token of a link's page: derived from the link, never from a session,
    so the page's bytes are the same for everyone and for the static build."""
    return _form_signer(signing_keys()).get_signature(link_id).decode("ascii")


def check_form_token(link_id: str, value: str | None) -> bool:
    """Whether ``value`` is the form token of ``link_id`` (under any listed key)."""
    if not value or len(value) > 100:
        return False
    return _form_signer(signing_keys()).verify_signature(link_id, value)


def signed_now(link: Link) -> bool:
    """Whether the link's token passes the signature check as configured now: a token
    signed with a key since retired, or older than a since-shortened ``LINK_DAYS``,
    opens nothing even though its row says live."""
    return unsign(link.token) == link.id


def same_token(stored: str, given: str) -> bool:
    """Constant-time comparison of the minted token and the one presented."""
    return hmac.compare_digest(stored.encode(), given.encode())


def ends(expires: datetime, status: str, closed: datetime | None) -> datetime:
    """When a link stops working: at its expiry, or ``CLOSED_DAYS`` after a closure."""
    if status != "active" and closed is not None:
        return min(expires, closed + closed_grace())
    return expires


def url(link: Link) -> str:
    """The public address of a link's page, built from ``BASE_URL``."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/c/{link.token}/"


def live_links():
    """Every link whose page may be shown now (one per application at most)."""
    moment = now()
    return (
        Link.select(Link, Application)
        .join(Application)
        .where(
            Link.revoked.is_null()
            & (Link.expires > moment)
            & (Link.issued > moment - lifetime())  # a since-shortened LINK_DAYS ends it too
            & (
                (Application.status == "active")
                | (Application.closed.is_null())
                | (Application.closed > moment - closed_grace())
            )
        )
        .order_by(Application.ref)
    )


def live(application: Application) -> Link | None:
    """The application's live link, if it has one."""
    return live_links().where(Link.application == application.id).first()


def issue(application: Application) -> Link:
    """The application's live link, minting a new one when there is none (at most one
    is live: concurrent calls for one application take turns)."""
    with database.atomic():
        lock(Application, application.id)
        link = live(application)
        if link is not None and signed_now(link):
            return link
        if link is not None:  # dead by its signature: end it, so its page goes too
            revoke(application)
        link_id = secrets.token_urlsafe(16)
        issued = now()
        return Link.create(
            id=link_id,
            application=application,
            token=sign(link_id),
            issued=issued,
            expires=issued + lifetime(),
        )


def revoke(application: Application) -> int:
    """End every unrevoked link of the application; how many there were."""
    with database.atomic():
        tokens = [
            link.token
            for link in Link.select(Link.token).where(
                (Link.application == application.id) & Link.revoked.is_null()
            )
        ]
        Link.update(revoked=now()).where(
            (Link.application == application.id) & Link.revoked.is_null()
        ).execute()
        unpublish(tokens)
    return len(tokens)


def reissue(application: Application) -> Link:
    """End the application's links and mint a new one."""
    with database.atomic():
        revoke(application)
        return issue(application)


def viewed(link_id: str, last_viewed: datetime | None) -> bool:
    """Note that the link was opened, at most once per ``VIEW_RESOLUTION``.

    Not a change of the application's state: the page does not show it and its bytes
    do not depend on it. It only tells staff the link was opened (email scanners open
    links too). The coarse resolution keeps the page's hot path free of writes."""
    moment = now()
    if last_viewed is not None and moment - last_viewed < VIEW_RESOLUTION:
        return False
    Link.update(last_viewed=moment).where(Link.id == link_id).execute()
    return True


def unpublish(tokens: list[str]) -> None:
    """Delete the static pages of these ended (revoked or erased) links once the caller's
    transaction commits, when a site is published; at once outside a transaction."""
    if current_app.config["SITE_DIR"] and tokens:
        app = current_app._get_current_object()
        database.after_commit(functools.partial(_remove_pages, app, tokens))


def _remove_pages(app, tokens: list[str]) -> None:
    """Delete the pages now; the next build would drop them anyway, so a failure is only
    logged (the change of state is committed already)."""
    site_dir = app.config["SITE_DIR"]
    try:
        publish.remove_pages(site_dir, tokens)
    except (OSError, publish.UnsafePath) as error:
        app.logger.warning("could not delete pages of ended links from %s: %s", site_dir, error)
