"""The webhook receivers: ``/hooks/greenhouse`` and ``/hooks/lever``. A delivery whose
signature does not check is a 401, logged without its body; any other is answered 200
(Greenhouse retries anything else), whatever became of it: carried out, a repeat, older
than what was applied, held for the admin, or not one we follow."""

import json

from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import request

from portal.integrations import greenhouse
from portal.integrations import inbound
from portal.integrations import lever
from portal.web.views import csrf

bp = Blueprint("hooks", __name__, url_prefix="/hooks")


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # signed by the sender, never sent by a browser with our cookie
    app.register_blueprint(bp)


def _refused(vendor: str, why: str):
    current_app.logger.warning(
        "%s webhook refused: %s (%d bytes from %s)",
        vendor,
        why,
        request.content_length or 0,
        request.remote_addr,
    )
    return {"error": why}, 401


def _off(vendor: str):
    return {"error": f"The {vendor.title()} receiver is not configured here."}, 404


@bp.post("/greenhouse")
def from_greenhouse():
    secrets = current_app.config["GREENHOUSE_SECRETS"]
    if not secrets:
        return _off("greenhouse")
    body = request.get_data()
    if not greenhouse.verified(body, request.headers.get("Signature", ""), secrets):
        return _refused("greenhouse", "bad or missing signature")
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    change = greenhouse.change(document)
    delivery = greenhouse.delivery_id(request.headers, body)
    action = document.get("action") if isinstance(document, dict) else None
    event = action if isinstance(action, str) else ""
    return {"outcome": inbound.receive("greenhouse", delivery, body, change, event)}, 200


@bp.post("/lever")
def from_lever():
    tokens = current_app.config["LEVER_SIGNATURE_TOKENS"]
    if not tokens:
        return _off("lever")
    body = request.get_data()
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not lever.verified(document, tokens):
        return _refused("lever", "bad or missing signature")
    delivery = lever.delivery_id(document)
    event = document["event"] if isinstance(document.get("event"), str) else ""
    change = lever.change(document)
    return {"outcome": inbound.receive("lever", delivery, body, change, event)}, 200
