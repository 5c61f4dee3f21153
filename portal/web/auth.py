"""Staff sign-in: sessions that can be ended, rate-limited login, safe redirects.

The session cookie holds a random session id (its ``StaffSession`` row is keyed by the
id's hash), never just the user's id:
signing out deletes the row, a new password or deactivation delete all of a person's,
and a row older than ``SESSION_HOURS`` opens nothing. A saved cookie is worth nothing
once its row is gone.

Failed sign-ins are limited per client address (then refused) and counted per account
(then slowed): a stranger spraying one account from many addresses cannot lock its
owner out, and a correct password from an address with no failures always signs in.
"""

import functools
import hashlib
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import Flask
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import LoginManager
from flask_login import logout_user
from flask_wtf import FlaskForm
from werkzeug.security import generate_password_hash
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import DataRequired

from portal.clock import now
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import StaffSession
from portal.store.models import User
from portal.web.views import allow
from portal.web.views import limiter

bp = Blueprint("auth", __name__)

#: The session's note of a sign-in whose password was right and whose second factor is
#: still to come (portal.identity.second_factor).
PENDING = "second_factor"
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # The cookie ends with the session it names (the row decides; this is for browsers).
    app.permanent_session_lifetime = lifetime(app)
    app.register_blueprint(bp)


def lifetime(app: Flask) -> timedelta:
    """How long a staff sign-in lasts (``SESSION_HOURS``)."""
    return timedelta(hours=app.config["SESSION_HOURS"])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The active member of staff whose live session the cookie names, or None."""
    if not session_id or len(session_id) > 64:
        return None
    user = (
        User.select()
        .join(StaffSession)
        .where(
            (StaffSession.id == _row_id(session_id))
            & (StaffSession.created > now() - lifetime(current_app))
            & User.active
        )
        .first()
    )
    if user is not None:
        user.session_id = session_id
    return user


def _row_id(session_id: str) -> str:
    """The row of a session: a hash of the id the cookie holds, so that a copy of the
    database (a backup) holds no session anyone could present."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(user: User) -> None:
    """Sign ``user`` in: a new session row, named by the cookie (expired rows go too)."""
    StaffSession.delete().where(StaffSession.created <= now() - lifetime(current_app)).execute()
    user.session_id = secrets.token_urlsafe(24)
    StaffSession.create(id=_row_id(user.session_id), user=user)
    session.permanent = True
    login_user(user)


def end_session() -> None:
    """Sign out this browser: its session row goes, so a copy of the cookie opens nothing."""
    StaffSession.delete().where(StaffSession.id == _row_id(current_user.get_id())).execute()
    logout_user()


@functools.cache
def _dummy_hash() -> str:
    """Checked when the account does not exist, so a wrong email costs the same
    time as a wrong password and timing tells nothing."""
    return generate_password_hash("not a real password")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    return response.status_code != 302


def _slow_down_if_sprayed(email: str) -> None:
    """Count a failure against the account, whatever the address; once the account is
    over the limit, answer this failure late. The account is never locked."""
    if not allow("LOGIN_RATE_LIMIT", "login-account", email):
        time.sleep(current_app.config["LOGIN_SLOWDOWN_SECONDS"])


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the admin home. Read as a browser
    reads it: control characters and spaces dropped, backslashes as slashes; then a
    second slash at the start would name another host (``//host``, and ``////host``,
    which the redirect's normalisation turns into ``//host``)."""
    path = "".join(c for c in target or "" if c > " ").replace("\\", "/")
    parts = urlsplit(path)
    if path.startswith("/") and not path.startswith("//") and not parts.scheme and not parts.netloc:
        return path
    return url_for("admin.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if not current_app.config["PASSWORD_SIGN_IN"]:
        # Single sign-on only: the form is not shown, and a posted one is not read.
        return render_template(
            "auth/login.html", form=None
        ), 403 if request.method == "POST" else 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = User.get_or_none(User.email == email)
        if user is None or not user.active:
            User(password_hash=_dummy_hash()).check_password(form.password.data)
        elif user.check_password(form.password.data) and user.totp_secret:
            # The password was right; the code from their app comes next (portal.identity).
            session[PENDING] = {
                "user": user.id,
                "at": now().timestamp(),
                "next": safe_next(request.args.get("next")),
            }
            return redirect(url_for("factors.second_step"))
        elif user.check_password(form.password.data):
            start_session(user)
            session["signed_in_via"] = "password"
            with database.atomic():
                audit(user, "signed_in", f"user {user.id}", via="password")
            return redirect(safe_next(request.args.get("next")))
        with database.atomic():  # which account, never what was typed for an unknown one
            audit(None, "sign_in_failed", f"user {user.id}" if user else "unknown account")
        _slow_down_if_sprayed(email)
        flash("That email and password do not match an account.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST, so a link cannot sign anyone out)."""
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """Sign out every browser signed in as you, this one included."""
    count = StaffSession.end_all(current_user)
    logout_user()
    flash(f"You are signed out everywhere ({count} session{'s' * (count != 1)} ended).", "info")
    return redirect(url_for("auth.login"))
