"""Single sign-on with the company's OpenID Connect provider, by Authlib: discovery from
``OIDC_ISSUER``, the authorization code flow with PKCE (S256), state and nonce kept in
the session and checked once, and the ID token verified (issuer, audience, expiry,
nonce, and its signature with the provider's published keys, fetched again when it
signs with a key not seen before, so the provider can rotate them).

Who may come in is decided here, not by the provider alone: an address the provider has
verified; a role from ``OIDC_ROLES`` by the groups in ``OIDC_ROLE_CLAIM`` (nobody in none
of them); a person already here, or from a domain of ``OIDC_CREATE_DOMAINS``; and never
someone deactivated here, whatever the provider says."""

import secrets

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint
from flask import current_app
from flask import flash
from flask import Flask
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from joserfc.errors import JoseError

from portal.domain.base import normalise_email
from portal.domain.staff import create_user
from portal.errors import Invalid
from portal.settings import STAFF_ROLES
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import User
from portal.web.auth import safe_next
from portal.web.auth import start_session

bp = Blueprint("identity", __name__)
PROVIDER = "company"


class Refused(Exception):
    """Sign-in refused: ``reason`` is the one line the person reads, ``detail`` the log's."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail or reason


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def enabled() -> bool:
    return bool(current_app.config["OIDC_ISSUER"])


def client():
    """The app's OpenID Connect client for the configured provider, made at first use
    (discovery happens then, not at start-up, so a provider that is down for a moment
    does not stop the portal) and again when the settings name another."""
    config = current_app.config
    wanted = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    made = current_app.extensions.get("portal_sso")
    if made is None or made[0] != wanted:
        oauth = OAuth(current_app)
        registered = oauth.register(
            PROVIDER,
            client_id=wanted[1],
            client_secret=wanted[2],
            server_metadata_url=wanted[0].rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
        made = current_app.extensions["portal_sso"] = (wanted, registered)
    return made[1]


def callback_url() -> str:
    """Where the provider sends people back: from BASE_URL, never the Host header."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("identity.sso_callback")


@bp.get("/login/sso")
def sso_start():
    """Off to the provider, with a fresh state, nonce and PKCE verifier in the session."""
    if not enabled():
        return redirect(url_for("auth.login"))
    session["sso_next"] = safe_next(request.args.get("next"))
    return client().authorize_redirect(callback_url(), nonce=secrets.token_urlsafe(24))


@bp.get("/login/sso/callback")
def sso_callback():
    """Back from the provider: the ID token checked, the person let in or told why not."""
    if not enabled():
        return redirect(url_for("auth.login"))
    try:
        user = _signed_in()
    except Refused as refused:
        current_app.logger.warning("single sign-on refused: %s", refused.detail)
        with database.atomic():
            audit(None, "sign_in_refused", "sso", why=refused.detail[:200])
        flash(refused.reason, "error")
        return redirect(url_for("auth.login"))
    start_session(user)
    session["signed_in_via"] = "sso"  # the provider asked for any second factor
    with database.atomic():
        audit(user, "signed_in", f"user {user.id}", via="sso")
    return redirect(session.pop("sso_next", None) or url_for("admin.home"))


def _signed_in() -> User:
    if "error" in request.args:
        raise Refused(
            "The sign-in was cancelled or refused at your company's sign-in page.",
            f"provider error {request.args.get('error', '')[:100]}",
        )
    try:
        token = client().authorize_access_token()
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        # A replayed or forged state, a nonce that does not match, a token for another
        # client, expired, or not signed by the provider's keys: all end here.
        raise Refused(
            "That sign-in could not be verified. Please start again.",
            f"{type(error).__name__}: {error}",
        ) from None
    return staff_for(token.get("userinfo") or {})


def roles_of(claims: dict) -> list[str]:
    """The roles ``OIDC_ROLES`` gives the groups in the role claim, strongest first."""
    groups = claims.get(current_app.config["OIDC_ROLE_CLAIM"]) or []
    if isinstance(groups, str):
        groups = groups.split()
    given = set()
    for pair in current_app.config["OIDC_ROLES"]:
        group, _, role = (part.strip() for part in pair.partition("="))
        if group in groups:
            given.add(role)
    return [r for r in STAFF_ROLES if r in given]


def staff_for(claims: dict) -> User:
    """The member of staff these verified claims are, made if their domain allows;
    Refused with the line to show otherwise."""
    email = claims.get("email")
    if not email or claims.get("email_verified") is False:
        raise Refused(
            "Your company's sign-in did not give a verified email address.",
            f"no verified email for sub {claims.get('sub')!r}",
        )
    try:
        email = normalise_email(email)
    except Invalid:
        raise Refused("Your company's sign-in gave an email address we cannot use.") from None
    roles = roles_of(claims)
    if not roles:
        raise Refused(
            "You are not in a group that may use the hiring portal. Ask your IT team to add you.",
            f"{email}: no group of OIDC_ROLES in {current_app.config['OIDC_ROLE_CLAIM']!r}",
        )
    user = User.get_or_none(User.email == email)
    if user is not None and not user.active:
        raise Refused(
            "Your account here is deactivated. Ask an admin if you need it back.",
            f"{email}: deactivated",
        )
    if user is None:
        user = _made(email, claims.get("name") or email.split("@")[0], roles[0])
    elif user.role != roles[0]:
        with database.atomic():
            audit(None, "role_from_sso", f"user {user.id}", before=user.role, after=roles[0])
            User.update(role=roles[0]).where(User.id == user.id).execute()
        user.role = roles[0]
    return user


def _made(email: str, name: str, role: str) -> User:
    domain = email.rpartition("@")[2]
    if domain not in [d.strip().lower() for d in current_app.config["OIDC_CREATE_DOMAINS"]]:
        raise Refused(
            "There is no account here for you yet. Ask an admin to invite you.",
            f"{email}: unknown, and {domain} is not in OIDC_CREATE_DOMAINS",
        )
    with database.atomic():
        user = create_user(email, name, role, secrets.token_urlsafe(32))
        audit(None, "user_created_by_sso", f"user {user.id}", role=role)
    return user
