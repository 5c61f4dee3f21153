"""Delivering what candidates do (portal.domain.outbox queues it) to the endpoints an
admin registered, signed by the Standard Webhooks scheme: ``webhook-id`` (the same on
every attempt, for the receiver to drop repeats), ``webhook-timestamp`` and
``webhook-signature``. The worker delivers what is due; an endpoint that fails is tried
again later and later (``BACKOFF``), and an event whose attempts ran out waits in the
admin to be replayed."""

import base64
import secrets
import urllib.error
import urllib.request
from datetime import timedelta
from datetime import UTC

from peewee import JOIN
from standardwebhooks import Webhook

from portal.clock import now
from portal.domain.base import clean_text
from portal.domain.outbox import ALL_TYPES
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import OutboundEvent
from portal.store.models import User
from portal.store.models import WebhookEndpoint

#: After each failed attempt, the wait before the next (the schedule Standard Webhooks
#: suggests, its last steps shortened): about a day and a half in all, then the event
#: waits in the admin to be replayed.
BACKOFF = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
)
ATTEMPTS = len(BACKOFF) + 1

#: How long an attempt may hold an event before another worker may take it.
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10
#: An endpoint that answers 410 Gone is disabled, as Standard Webhooks asks.
GONE = 410
BATCH = 50


# --- endpoints --------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _require_admin(actor: User) -> None:
    if actor is None or not actor.is_admin:
        raise Forbidden("Only an admin can manage webhook endpoints.")


def add_endpoint(actor: User, url: str, description: str = "", types=()) -> WebhookEndpoint:
    """Register ``url`` for ``types`` (none: every type), with a new signing secret."""
    _require_admin(actor)
    url = clean_text(url, "URL", required=True, limit=500)
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise Invalid(f"{url!r} is not a web address: it starts with https://.")
    unknown = [t for t in types if t not in ALL_TYPES]
    if unknown:
        raise Invalid(f"Unknown event types: {', '.join(unknown)}.")
    with database.atomic():
        endpoint = WebhookEndpoint.create(
            url=url,
            description=clean_text(description, "Description", limit=200),
            secret=new_secret(),
            types=" ".join(types),
            created_by=actor,
        )
        audit(actor, "webhook_endpoint_added", f"endpoint {endpoint.id}", url=url)
    return endpoint


def disable_endpoint(actor: User, endpoint: WebhookEndpoint) -> bool:
    """Send nothing more there (what was queued for it stays, to replay elsewhere in
    time); False when it was already disabled."""
    _require_admin(actor)
    with database.atomic():
        done = (
            WebhookEndpoint.update(disabled=now())
            .where((WebhookEndpoint.id == endpoint.id) & WebhookEndpoint.disabled.is_null())
            .execute()
        )
        if done:
            audit(actor, "webhook_endpoint_disabled", f"endpoint {endpoint.id}", url=endpoint.url)
    return bool(done)


def replay(actor: User, event: OutboundEvent) -> None:
    """Send a delivered or failed ``event`` again from the next round, its attempts
    counted afresh; Invalid for one still waiting, or for a disabled endpoint."""
    _require_admin(actor)
    with database.atomic():
        done = (
            OutboundEvent.update(
                attempts=0, next_attempt=now(), failed=None, delivered=None, claimed=None
            )
            .where(
                (OutboundEvent.id == event.id)
                & (OutboundEvent.delivered.is_null(False) | OutboundEvent.failed.is_null(False))
                & OutboundEvent.endpoint.in_(
                    WebhookEndpoint.select(WebhookEndpoint.id).where(
                        WebhookEndpoint.disabled.is_null()
                    )
                )
            )
            .execute()
        )
        if not done:
            raise Invalid("Only a delivered or failed event to a live endpoint can be replayed.")
        audit(actor, "webhook_replayed", f"event {event.id}", msg_id=event.msg_id)


def endpoints() -> list[WebhookEndpoint]:
    """Every endpoint, live ones first, newest first."""
    return list(
        WebhookEndpoint.select().order_by(
            WebhookEndpoint.disabled.is_null(False), WebhookEndpoint.created.desc()
        )
    )


def recent(limit: int) -> list[OutboundEvent]:
    """The newest events, with their endpoint and application's ref, in one read."""
    return list(
        OutboundEvent.select(OutboundEvent, WebhookEndpoint, Application.id, Application.ref)
        .join(WebhookEndpoint)
        .switch(OutboundEvent)
        .join(Application, JOIN.LEFT_OUTER)
        .order_by(OutboundEvent.id.desc())
        .limit(limit)
    )


def waiting_for(endpoint: WebhookEndpoint) -> int:
    """How many events wait to be delivered to ``endpoint``."""
    return endpoint.events.where(
        OutboundEvent.delivered.is_null() & OutboundEvent.failed.is_null()
    ).count()


def _gone(endpoint: WebhookEndpoint) -> None:
    with database.atomic():
        WebhookEndpoint.update(disabled=now()).where(
            (WebhookEndpoint.id == endpoint.id) & WebhookEndpoint.disabled.is_null()
        ).execute()
        audit(None, "webhook_endpoint_disabled", f"endpoint {endpoint.id}", why="410 Gone")


# --- delivery ---------------------------------------------------------------------------


def signed_headers(endpoint: WebhookEndpoint, event: OutboundEvent) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt at ``event``, signed now."""
    moment = now().replace(tzinfo=UTC)
    signature = Webhook(endpoint.secret).sign(event.msg_id, moment, event.payload)
    return {
        "Content-Type": "application/json",
        "User-Agent": "candidate-portal-webhooks/1",
        "webhook-id": event.msg_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }


def _due(moment):
    return (
        OutboundEvent.delivered.is_null()
        & OutboundEvent.failed.is_null()
        & (OutboundEvent.next_attempt <= moment)
        & (OutboundEvent.claimed.is_null() | (OutboundEvent.claimed < moment - LEASE))
    )


def _claim(event: OutboundEvent, moment) -> bool:
    """Take ``event`` for this attempt, unless another worker took it first."""
    return (
        OutboundEvent.update(claimed=moment, attempts=OutboundEvent.attempts + 1)
        .where((OutboundEvent.id == event.id) & _due(moment))
        .execute()
        == 1
    )


def deliver_due() -> tuple[int, int]:
    """Try every event that is due once, oldest first; how many were delivered and how
    many failed this time."""
    moment = now()
    delivered = failed = 0
    due = (
        OutboundEvent.select(OutboundEvent, WebhookEndpoint)
        .join(WebhookEndpoint)
        .where(_due(moment) & WebhookEndpoint.disabled.is_null())
        .order_by(OutboundEvent.id)
        .limit(BATCH)
    )
    for event in list(due):
        if not _claim(event, moment):
            continue
        status, error = _post(event.endpoint, event)
        if status is not None and 200 <= status < 300:
            OutboundEvent.update(
                delivered=now(), claimed=None, last_status=status, last_error=""
            ).where(OutboundEvent.id == event.id).execute()
            delivered += 1
            continue
        attempts = event.attempts + 1
        given_up = attempts >= ATTEMPTS or status == GONE
        if status == GONE:  # the receiver says it is gone for good: stop sending there
            _gone(event.endpoint)
        OutboundEvent.update(
            claimed=None,
            last_status=status,
            last_error=error[:500],
            failed=now() if given_up else None,
            next_attempt=now() + BACKOFF[min(attempts, len(BACKOFF)) - 1],
        ).where(OutboundEvent.id == event.id).execute()
        failed += 1
    return delivered, failed


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not 2xx: a webhook is never re-sent somewhere else."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(endpoint: WebhookEndpoint, event: OutboundEvent) -> tuple[int | None, str]:
    """One attempt: the status the endpoint answered (None: no answer) and what failed."""
    request = urllib.request.Request(
        endpoint.url,
        data=event.payload.encode(),
        headers=signed_headers(endpoint, event),
        method="POST",
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"{error.code} {error.reason}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))
