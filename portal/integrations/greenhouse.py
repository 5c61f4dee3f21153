"""Greenhouse's recruiting web hooks, as its documentation (developers.greenhouse.io,
"Web Hooks") describes them: a JSON body ``{"action": ..., "payload": ...}`` signed in the
``Signature`` header as ``sha256 <hex HMAC-SHA256 of the raw body>`` with the web hook's
secret key; each delivery names itself in ``Greenhouse-Event-ID``. Greenhouse retries
anything but a 200 up to seven times over about fifteen hours."""

import hashlib
import hmac
from datetime import datetime
from datetime import UTC

from portal.integrations.changes import Change
from portal.integrations.changes import Ignored

VENDOR = "greenhouse"

#: The actions followed, and the change each is.
ACTIONS = {
    "new_candidate_application": "created",
    "candidate_stage_change": "moved",
    "reject_candidate": "closed",
    "unreject_candidate": "reopened",
    "hire_candidate": "closed",
    "update_candidate": "details",
}


def verified(body: bytes, header: str, secrets: list[str]) -> bool:
    """Whether ``header`` is the signature of ``body`` by one of ``secrets``."""
    scheme, _, given = header.strip().partition(" ")
    if scheme != "sha256" or not given:
        return False
    return any(
        hmac.compare_digest(hmac.new(s.encode(), body, hashlib.sha256).hexdigest(), given.strip())
        for s in secrets
    )


def delivery_id(headers, body: bytes) -> str:
    """The delivery's own id, or the body's hash when it carries none."""
    given = headers.get("Greenhouse-Event-ID", "").strip()
    return given[:100] if given else "sha256:" + hashlib.sha256(body).hexdigest()


def _moment(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _object(parent: dict, key: str) -> dict:
    """``parent[key]`` when it is an object; an empty one otherwise (absent, null, other)."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return str(value).strip() if isinstance(value, str | int) and value != "" else ""


def _email(candidate: dict) -> str:
    """The candidate's address: a personal one first, as they would read it."""
    addresses = [a for a in candidate.get("email_addresses") or [] if isinstance(a, dict)]
    addresses.sort(key=lambda a: a.get("type") != "personal")
    return _text(addresses[0].get("value")) if addresses else ""


def _name(candidate: dict) -> str:
    return " ".join(_text(candidate.get(k)) for k in ("first_name", "last_name")).strip()


def change(document) -> Change | Ignored:
    """What the delivery ``document`` asks of us."""
    if not isinstance(document, dict):
        return Ignored("", "The body is not a JSON object.")
    action = _text(document.get("action"))
    payload = _object(document, "payload")
    if action not in ACTIONS:
        return Ignored(action, f"Greenhouse's {action or 'unnamed'} event is not one we follow.")
    if action == "update_candidate":
        candidate = _object(payload, "candidate")
        return Change(
            VENDOR,
            "details",
            candidate_id=_text(candidate.get("id")),
            name=_name(candidate),
            email=_email(candidate),
        )
    application = payload.get("application")
    if not isinstance(application, dict) or not _text(application.get("id")):
        return Ignored(action, "The delivery names no application.")
    candidate = (
        application.get("candidate") if isinstance(application.get("candidate"), dict) else {}
    )
    jobs = [j for j in application.get("jobs") or [] if isinstance(j, dict)]
    stage = (
        application.get("current_stage")
        if isinstance(application.get("current_stage"), dict)
        else {}
    )
    reason = application.get("rejection_reason")
    status = {"reject_candidate": "rejected", "hire_candidate": "hired"}.get(action, "")
    return Change(
        VENDOR,
        ACTIONS[action],
        application_id=_text(application.get("id")),
        job_id=_text(jobs[0].get("id")) if jobs else "",
        job_name=_text(jobs[0].get("name")) if jobs else "",
        stage_id=_text(stage.get("id")),
        stage_name=_text(stage.get("name")),
        status=status,
        candidate_id=_text(candidate.get("id") or application.get("candidate_id")),
        name=_name(candidate),
        email=_email(candidate),
        note=(
            f"Rejected in Greenhouse: {_text(reason.get('name'))}"
            if action == "reject_candidate" and isinstance(reason, dict)
            else ""
        ),
        # A hire carries neither: it is applied whenever it comes.
        at=_moment(application.get("last_activity_at")) or _moment(application.get("rejected_at")),
    )
