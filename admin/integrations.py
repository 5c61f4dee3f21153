"""Admin › Integrations (admins only), one page in four parts, each change the domain's and
audited:

- needs attention: what Greenhouse or Lever sent that is held (portal.integrations.inbound),
  applied again, linked to an application, or dismissed after a page that asks;
- integration tokens for the JSON API under /api/v1 (portal.api.tokens): a new token's
  secret shown once, on the page that answers the POST, and never again; revoking one
  after a page that says what stops working;
- webhook endpoints (portal.integrations.outbound): a new one's signing secret shown once
  the same way; disabling one after a page that asks;
- recent deliveries: the last outbound events, replayed on demand.
"""

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
from admin.ats import flash_outcome
from admin.ats import held_about
from admin.ats import VENDOR_LABELS
from admin.blueprint import bp
from admin.forms import Form
from admin.forms import MultiCheckboxField
from admin.forms import options
from portal.api import tokens
from portal.domain import queries
from portal.domain.outbox import ALL_TYPES
from portal.errors import Invalid
from portal.integrations import inbound
from portal.integrations import outbound
from portal.store.models import InboundDelivery
from portal.store.models import IntegrationToken
from portal.store.models import OutboundEvent
from portal.store.models import WebhookEndpoint

#: What each scope lets a token do, in the admin's words.
SCOPE_LABELS = {"read": "Read only", "write": "Read and write"}
#: What each outbound event type tells, in the admin's words.
TYPE_LABELS = {
    "application.withdrawn": "a candidate withdrew their application",
    "closure.acknowledged": "a candidate acknowledged that their process closed",
    "experience.rated": "a candidate rated how the process went",
    "question.asked": "a candidate asked a question",
    "interview.move_requested": "a candidate asked to move an interview",
    "erasure.requested": "a candidate asked to be erased",
}
#: The outbound events listed under "Recent deliveries", newest first.
RECENT = 50


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


class EndpointForm(Form):
    """A new webhook endpoint: where, what for, and which events (none ticked: all)."""

    url = StringField("URL")
    description = StringField("Description")
    # as for the scopes: a type without words here fails at import
    types = MultiCheckboxField(
        "Events it is sent", choices=options((t, TYPE_LABELS[t]) for t in ALL_TYPES)
    )


class LinkForm(Form):
    """The application of ours a held delivery is about."""

    application = StringField("Application reference")


def _page(status=200, error=None, error_in=None, **shown):
    """The whole page; ``error`` refused the form ``error_in`` ("token", "endpoint" or a
    held delivery's "link-<id>"), re-shown as typed. After a POST that made a token or an
    endpoint, its secret (this response is the only place it ever appears)."""
    # Who made each token and endpoint, from one read of the staff rather than one per row.
    creators = {user.id: user for user in queries.users()}
    held = inbound.held()
    page = render_template(
        "admin/integrations.html",
        held=held,
        held_jobs=held_about(held),
        link_form=shown.get("link_form"),
        tokens=tokens.listed(),
        creators=creators,
        scopes=SCOPE_LABELS,
        form=shown.get("form") or TokenForm(prefix="token", formdata=None),
        made=shown.get("made"),
        secret=shown.get("secret"),
        endpoints=outbound.endpoints(),
        endpoint_form=shown.get("endpoint_form") or EndpointForm(prefix="endpoint", formdata=None),
        added=shown.get("added"),
        events=outbound.recent(RECENT),
        types=TYPE_LABELS,
        vendors=VENDOR_LABELS,
        error=error,
        error_in=error_in,
    )
    return page, status


def _token(token_id: int) -> IntegrationToken:
    """The token ``token_id``, live or revoked, or a 404."""
    return IntegrationToken.get_or_none(IntegrationToken.id == token_id) or abort(404)


def _delivery(delivery_id: int) -> InboundDelivery:
    return InboundDelivery.get_or_none(InboundDelivery.id == delivery_id) or abort(404)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return WebhookEndpoint.get_or_none(WebhookEndpoint.id == endpoint_id) or abort(404)


def _back(anchor: str):
    return redirect(url_for("admin.integrations", _anchor=anchor))


@bp.get("/integrations", endpoint="integrations")
@admin_required
def integrations():
    """What needs attention, the tokens, the webhook endpoints and recent deliveries."""
    return _page()


# --- integration tokens -----------------------------------------------------------------


@bp.post("/integrations", endpoint="make_token")
@admin_required
def make_token():
    """Make a token and show its secret, this once."""
    form = TokenForm(prefix="token")
    if not form.validate():
        return _page(400, "Please correct the new token.", "token", form=form)
    try:
        token, secret = tokens.create_token(actor(), form.name.data, form.scope.data)
    except Invalid as refusal:
        return _page(400, refusal.message, "token", form=form)
    # No redirect: the secret must not travel through the session cookie or a URL. The
    # response is never stored (Cache-Control: no-store, as every staff page).
    return _page(made=token, secret=secret)


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
    return _back(f"token-{token.id}")


# --- needs attention: held deliveries ---------------------------------------------------


def _still_held(delivery: InboundDelivery) -> bool:
    """Whether ``delivery`` waits; if not, says so."""
    if delivery.outcome == inbound.HELD:
        return True
    flash(f"That delivery no longer needs attention: it was {delivery.outcome}.", "info")
    return False


@bp.post("/integrations/deliveries/<int:delivery_id>/apply", endpoint="apply_delivery")
@admin_required
def apply_delivery(delivery_id):
    """Carry out a held delivery again, its job or stage mapped since, say."""
    delivery = _delivery(delivery_id)
    if _still_held(delivery):
        outcome = inbound.apply_again(actor(), delivery)
        flash_outcome(outcome, InboundDelivery.get_by_id(delivery.id).reason)
    return _back("held-title")


@bp.post("/integrations/deliveries/<int:delivery_id>/link", endpoint="link_delivery")
@admin_required
def link_delivery(delivery_id):
    """Say which application of ours the delivery is about, and apply it again."""
    delivery = _delivery(delivery_id)
    if not _still_held(delivery):
        return _back("held-title")
    form = LinkForm(prefix=f"link-{delivery.id}")
    ref = (form.application.data or "").strip()
    application = queries.application(ref) if ref else None
    where = f"link-{delivery.id}"
    if application is None:
        error = f"There is no application {ref} here." if ref else "Type the application's ref."
        return _page(400, error + " It is on its page, such as A-12.", where, link_form=form)
    try:
        outcome = inbound.link_application(actor(), delivery, application)
    except Invalid as refusal:
        return _page(400, refusal.message, where, link_form=form)
    flash(f"Linked to {application.ref}.", "success")
    flash_outcome(outcome, InboundDelivery.get_by_id(delivery.id).reason)
    return _back("held-title")


@bp.route(
    "/integrations/deliveries/<int:delivery_id>/dismiss",
    methods=["GET", "POST"],
    endpoint="dismiss_delivery",
)
@admin_required
def dismiss_delivery(delivery_id):
    """Do nothing with a held delivery, ever; GET asks first."""
    delivery = _delivery(delivery_id)
    if request.method == "GET":
        return render_template(
            "admin/confirm_dismiss_delivery.html", delivery=delivery, vendors=VENDOR_LABELS
        )
    if _still_held(delivery):
        inbound.dismiss(actor(), delivery)
        flash("Dismissed: nothing will be done with that delivery.", "success")
    return _back("held-title")


# --- webhook endpoints and their deliveries ---------------------------------------------


@bp.post("/integrations/endpoints", endpoint="add_endpoint")
@admin_required
def add_endpoint():
    """Register an endpoint and show its signing secret, this once."""
    form = EndpointForm(prefix="endpoint")
    if not form.validate():
        return _page(400, "Please correct the new endpoint.", "endpoint", endpoint_form=form)
    try:
        endpoint = outbound.add_endpoint(
            actor(), form.url.data, form.description.data, form.types.data
        )
    except Invalid as refusal:
        return _page(400, refusal.message, "endpoint", endpoint_form=form)
    return _page(added=endpoint)  # no redirect, as for a token's secret


@bp.route(
    "/integrations/endpoints/<int:endpoint_id>/disable",
    methods=["GET", "POST"],
    endpoint="disable_endpoint",
)
@admin_required
def disable_endpoint(endpoint_id):
    """Send nothing more to an endpoint; GET asks first."""
    endpoint = _endpoint(endpoint_id)
    if request.method == "GET":
        return render_template(
            "admin/confirm_disable_endpoint.html",
            endpoint=endpoint,
            waiting=outbound.waiting_for(endpoint),
        )
    if outbound.disable_endpoint(actor(), endpoint):
        flash(f"Disabled {endpoint.url}: nothing more is sent there.", "success")
    else:
        flash(f"{endpoint.url} was already disabled.", "info")
    return _back(f"endpoint-{endpoint.id}")


@bp.post("/integrations/events/<int:event_id>/replay", endpoint="replay_event")
@admin_required
def replay_event(event_id):
    """Send a delivered or failed event again, its attempts counted afresh."""
    event = (
        OutboundEvent.select(OutboundEvent, WebhookEndpoint)
        .join(WebhookEndpoint)
        .where(OutboundEvent.id == event_id)
        .first()
    ) or abort(404)
    if event.endpoint.disabled is not None:
        flash(f"{event.endpoint.url} is disabled: a replay would never be sent.", "error")
    elif event.delivered is None and event.failed is None:
        flash(f"That {event.type} event is waiting to be sent already.", "info")
    else:
        outbound.replay(actor(), event)
        flash(
            f"Replaying the {event.type} event to {event.endpoint.url}: the worker sends it "
            "in its next round.",
            "success",
        )
    return _back(f"event-{event.id}")
