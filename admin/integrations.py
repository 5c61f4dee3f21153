"""Integration tokens for the JSON API under /api/v1 (admins only): the list, a new token
(its secret shown once, on the page that answers the POST, and never again), and revoking
one after a page that says what stops working. Every change is portal.api.tokens', and
audited."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from wtforms import RadioField
from wtforms import StringField
from wtforms.validators import InputRequired

from admin.access import actor
from admin.access import admin_required
from admin.blueprint import bp
from admin.forms import Form
from admin.forms import options
from portal.api import tokens
from portal.domain import queries
from portal.errors import Invalid
from portal.store.models import IntegrationToken

#: What each scope lets a token do, in the admin's words.
SCOPE_LABELS = {"read": "Read only", "write": "Read and write"}


class TokenForm(Form):
    """A new token: whom it is for and what it may do (the name's rules are the domain's)."""

    name = StringField("Name")
    scope = RadioField(
        "What it may do",
        # a scope the domain adds without words here fails at import, not on the page
        choices=options((scope, SCOPE_LABELS[scope]) for scope in tokens.SCOPES),
        default="read",
        validators=[InputRequired()],
    )


def _page(form: TokenForm, status: int = 200, error: str | None = None, made=None, secret=None):
    """The list of tokens and the form for a new one; after a POST that made one, its
    secret (this response is the only place it ever appears)."""
    # Who made each token, from one read of the staff rather than one per row.
    creators = {user.id: user for user in queries.users()}
    page = render_template(
        "admin/integrations.html",
        tokens=tokens.listed(),
        creators=creators,
        scopes=SCOPE_LABELS,
        form=form,
        error=error,
        made=made,
        secret=secret,
    )
    return page, status


def _token(token_id: int) -> IntegrationToken:
    """The token ``token_id``, live or revoked, or a 404."""
    return IntegrationToken.get_or_none(IntegrationToken.id == token_id) or abort(404)


@bp.get("/integrations", endpoint="integrations")
@admin_required
def integrations():
    """Every integration token, live ones first, and the form for a new one."""
    return _page(TokenForm(prefix="token", formdata=None))


@bp.post("/integrations", endpoint="make_token")
@admin_required
def make_token():
    """Make a token and show its secret, this once."""
    form = TokenForm(prefix="token")
    if not form.validate():
        return _page(form, 400, "Please correct the new token.")
    try:
        token, secret = tokens.create_token(actor(), form.name.data, form.scope.data)
    except Invalid as refusal:
        return _page(form, 400, refusal.message)
    # No redirect: the secret must not travel through the session cookie or a URL. The
    # response is never stored (Cache-Control: no-store, as every staff page).
    return _page(TokenForm(prefix="token", formdata=None), made=token, secret=secret)


@bp.route("/integrations/<int:token_id>/revoke", methods=["GET", "POST"], endpoint="revoke_token")
@admin_required
def revoke_token(token_id):
    """End a token at once; GET asks first, saying what stops working."""
    token = _token(token_id)
    if request.method == "GET":
        return render_template("admin/confirm_revoke_token.html", token=token, scopes=SCOPE_LABELS)
    if token.revoked is not None:
        flash(f"“{token.name}” was already revoked.", "info")
    else:
        tokens.revoke_token(actor(), token)
        flash(f"Revoked “{token.name}”: the API refuses it from now on.", "success")
    return redirect(url_for("admin.integrations", _anchor=f"token-{token.id}"))
