"""The pages of two-factor sign-in (portal.identity.factors): the second step of a
password sign-in (``/login/code``, limited like sign-in itself), and a member of staff's
own page to turn it on, see their recovery codes once, or turn it off."""

from datetime import timedelta

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
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired

from portal.clock import now
from portal.errors import Invalid
from portal.identity import factors
from portal.store.models import User
from portal.web.auth import PENDING
from portal.web.auth import start_session
from portal.web.views import allow
from portal.web.views import limiter

bp = Blueprint("factors", __name__)

#: How long the second step may wait after the password was right.
PATIENCE = timedelta(minutes=5)


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired()])


class TurnOffForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired()])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _pending() -> User | None:
    """Whose password was right a moment ago in this browser, still waiting for a code."""
    waiting = session.get(PENDING) or {}
    user = User.get_or_none(User.id == waiting.get("user"))
    since = waiting.get("at", 0)
    if user is None or not user.active or not user.totp_secret:
        return None
    if now().timestamp() - since > PATIENCE.total_seconds():
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def second_step():
    """The code from the authenticator app (or a recovery code) after the password."""
    user = _pending()
    if user is None:
        session.pop(PENDING, None)
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if allow("LOGIN_RATE_LIMIT", "second-factor", str(user.id)) and factors.accepted(
            user, form.code.data
        ):
            target = session.pop(PENDING, {}).get("next") or url_for("admin.home")
            start_session(user)
            session["signed_in_via"] = "password"
            return redirect(target)
        form.code.errors = ["That code did not work: use the one the app shows now."]
        return render_template("auth/second_step.html", form=form), 401
    return render_template("auth/second_step.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def setup():
    """Turn two-factor sign-in on: scan, then type the code the app shows."""
    form = CodeForm()
    if request.method == "POST" and "totp_setup" not in session:
        # The codes page reloaded (its form sent again): it was done, and is not redone.
        flash("Two-factor sign-in is on.", "info")
        return redirect(url_for("factors.setup"))
    secret = session.get("totp_setup") or factors.new_secret()
    session["totp_setup"] = secret
    if form.validate_on_submit():
        try:
            codes = factors.turn_on(current_user, secret, form.code.data)
        except Invalid as error:
            form.code.errors = [error.message]
        else:
            session.pop("totp_setup", None)
            return render_template("auth/recovery_codes.html", codes=codes)
    uri = factors.provisioning_uri(current_user, secret)
    return render_template(
        "auth/two_factor.html",
        form=form,
        off_form=TurnOffForm(formdata=None),
        qr=factors.qr_svg(uri),
        secret=secret,
        left=factors.recovery_left(current_user) if current_user.totp_secret else 0,
        required=factors.required(current_user),
    ), (400 if form.is_submitted() else 200)


@bp.post("/account/two-factor/off")
@login_required
def turn_off():
    """Turn it off, with the password to prove it is the person (not a left-open tab)."""
    form = TurnOffForm()
    if not form.validate_on_submit() or not current_user.check_password(form.password.data):
        flash("That is not your password: two-factor sign-in stays on.", "error")
        return redirect(url_for("factors.setup"))
    if factors.required(current_user):
        flash("Admins here must keep two-factor sign-in on.", "error")
        return redirect(url_for("factors.setup"))
    factors.turn_off(current_user, current_user)
    flash("Two-factor sign-in is off.", "success")
    return redirect(url_for("factors.setup"))
