"""Staff sign-in: flask-login sessions, rate-limited login, safe redirects."""

import functools
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import Flask
from flask import redirect
from flask import render_template
from flask import request
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

from portal.store.models import User
from portal.web.views import limiter

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return (
        User.get_or_none((User.id == int(user_id)) & User.active) if user_id.isdecimal() else None
    )


@functools.cache
def _dummy_hash() -> str:
    """Checked when the account does not exist, so a wrong email costs the same
    time as a wrong password and timing tells nothing."""
    return generate_password_hash("not a real password")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    return response.status_code != 302


def _account_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()


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
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_account_key)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = User.get_or_none(User.email == form.email.data.strip().lower())
        if user is None or not user.active:
            User(password_hash=_dummy_hash()).check_password(form.password.data)
        elif user.check_password(form.password.data):
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        flash("That email and password do not match an account.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST, so a link cannot sign anyone out)."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
