"""The admin's policy on second factors: with ``TWO_FACTOR_ADMINS`` on, an admin who
signed in with a password and has no second factor sets one up before any admin page."""

from flask import current_app
from flask import redirect
from flask import session
from flask import url_for
from flask_login import current_user

from admin.blueprint import bp
from portal.identity import factors


@bp.before_request
def _second_factor_first():
    if not current_app.config["TWO_FACTOR_ADMINS"]:
        return None  # the policy is off: nothing to ask of anyone (nor the database)
    if (
        current_user.is_authenticated
        and factors.required(current_user)
        and not current_user.totp_secret
        and session.get("signed_in_via") != "sso"
    ):
        return redirect(url_for("factors.setup"))
    return None
