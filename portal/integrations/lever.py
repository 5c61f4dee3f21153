"""Lever's webhooks: a JSON body ``{"triggeredAt": <ms>, "event": ..., "token": ...,
"signature": ..., "data": {...}}``, where ``signature`` is the hex HMAC-SHA256 of
``token`` followed by ``triggeredAt``, keyed with the webhook's own signature token
(Lever gives each webhook one). The data are ids only (an opportunity, its stages, an
archive reason): names and addresses stay in Lever, so an opportunity is known here only
once it is linked to an application (the API's ``ats`` field, or the admin)."""

import hashlib
import hmac
from datetime import datetime
from datetime import UTC

from portal.integrations.changes import Change
from portal.integrations.changes import Ignored

VENDOR = "lever"

#: Lever's largest sensible triggeredAt (ms): year 9999 would overflow datetime.
_LATEST = 253_402_300_799_000


def verified(document, tokens: list[str]) -> bool:
    """Whether the body's ``signature`` is its ``token`` + ``triggeredAt`` signed by one
    of ``tokens``."""
    if not isinstance(document, dict):
        return False
    token, at, given = (document.get(k) for k in ("token", "triggeredAt", "signature"))
    if not isinstance(token, str) or not isinstance(given, str) or not isinstance(at, int):
        return False
    message = f"{token}{at}".encode()
    return any(
        hmac.compare_digest(hmac.new(t.encode(), message, hashlib.sha256).hexdigest(), given)
        for t in tokens
    )


def delivery_id(document: dict) -> str:
    """One delivery, however often it is sent: its event, token and time."""
    key = f"{document.get('event')}:{document.get('token')}:{document.get('triggeredAt')}"
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _moment(ms) -> datetime | None:
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 < ms < _LATEST:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)


def change(document: dict) -> Change | Ignored:
    """What the delivery ``document`` asks of us."""
    event = document.get("event") if isinstance(document.get("event"), str) else ""
    data = document.get("data") if isinstance(document.get("data"), dict) else {}
    opportunity = data.get("opportunityId")
    if not isinstance(opportunity, str) or not opportunity:
        return Ignored(event, "The delivery names no opportunity (Lever's test sends none).")
    at = _moment(document.get("triggeredAt"))
    common = {"application_id": opportunity, "at": at}
    if event == "candidateStageChange":
        stage = data.get("toStageId")
        return Change(VENDOR, "moved", stage_id=stage if isinstance(stage, str) else "", **common)
    if event == "candidateHired":
        return Change(VENDOR, "closed", status="hired", **common)
    if event == "candidateArchiveChange":
        archived = data.get("toArchived")
        if archived is None:
            return Change(VENDOR, "reopened", **common)
        reason = archived.get("reason") if isinstance(archived, dict) else None
        if not isinstance(reason, str) or not reason:
            return Ignored(event, "The archive change names no reason.")
        return Change(VENDOR, "closed", outcome_key=f"archive:{reason}", **common)
    if event == "applicationCreated":
        return Ignored(
            event,
            "Lever sends no name or address: add the application through the API with "
            f"ats {{vendor: lever, id: {opportunity}}} and its stages follow from here.",
        )
    return Ignored(event, f"Lever's {event or 'unnamed'} event is not one we follow.")
