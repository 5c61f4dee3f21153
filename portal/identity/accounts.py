"""A member of staff's own way in: accepting an invitation (choosing a password),
resetting a forgotten password by email, changing it when signed in, and the
break-glass sign-in link. Each link's page is a GET that changes nothing (mail scanners
open links); the form it shows spends the link. Every new password signs the person out
everywhere else and is audited."""

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
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from portal.identity import links
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import User
from portal.web.auth import start_session
from portal.web.views import limiter

bp = Blueprint("accounts", __name__)

#: The least a password may be; long, not clever (NIST SP 800-63B).
PASSWORD_MIN = 12


class NewPassword(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN, max=200, message=f"Use at least {PASSWORD_MIN} characters."),
        ],
    )
    confirm = PasswordField(
        "The same again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ChangePassword(NewPassword):
    current = PasswordField("Your current password", validators=[DataRequired()])


class ResetRequest(FlaskForm):
    email = EmailField("Your work email", validators=[DataRequired()])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _reset_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _choose(token: str, purpose: str, title: str, done: str):
    """The page of a link that sets a password: the form, or why the link is no use."""
    link = links.live(token, purpose)
    if link is None:
        return render_template("auth/link_ended.html", purpose=purpose), 410
    if not current_app.config["PASSWORD_SIGN_IN"]:  # nothing to choose: the company signs in
        return render_template("auth/choose_password.html", form=None, title=title, user=link.user)
    form = NewPassword()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template(
            "auth/choose_password.html", form=form, title=title, user=link.user
        ), status
    if not links.use(link):
        return render_template("auth/link_ended.html", purpose=purpose), 410
    links.new_password(link.user, form.password.data, why=purpose)
    start_session(link.user)
    flash(done, "success")
    return redirect(url_for("admin.home"))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token):
    """An invitation: choose the password of the new account."""
    return _choose(
        token, links.INVITE, "Welcome: choose your password", "Your account is ready. Welcome!"
    )


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_request():
    """Ask for a reset link. The answer is the same whether the address has an account."""
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return render_template("auth/reset_request.html", form=None)
    form = ResetRequest()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = User.get_or_none((User.email == email) & User.active)
        if user is not None:
            links.send(user, links.RESET)
        flash(
            "If that address has an account here, we have emailed it a link to choose a new "
            "password. The link works once, for an hour.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    """A reset link: choose a new password."""
    return _choose(
        token,
        links.RESET,
        "Choose a new password",
        "Your password is changed, and you are signed out everywhere else.",
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your own password, knowing the current one."""
    form = ChangePassword()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors = ["That is not your current password."]
        else:
            links.new_password(current_user, form.password.data, why="changed")
            start_session(current_user)
            flash("Your password is changed, and you are signed out everywhere else.", "success")
            return redirect(url_for("admin.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
def sign_in_link(token):
    """The break-glass link `portal sign-in-link` prints: a button that spends it."""
    link = links.live(token, links.SIGN_IN)
    if link is None:
        return render_template("auth/link_ended.html", purpose=links.SIGN_IN), 410
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        if not links.use(link):
            return render_template("auth/link_ended.html", purpose=links.SIGN_IN), 410
        start_session(link.user)
        with database.atomic():
            audit(link.user, "signed_in", f"user {link.user.id}", via="sign-in link")
        return redirect(url_for("admin.home"))
    return render_template("auth/sign_in_link.html", form=form, user=link.user)
