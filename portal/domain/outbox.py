"""What candidates do, for the systems that want to know: each change a candidate makes
(they withdrew, acknowledged a closure, rated the process, asked a question or to move an
interview, asked to be erased) becomes one ``OutboundEvent`` per endpoint that wants its
type, written in the change's own transaction, so that an event is sent exactly when
its change committed. The worker delivers them (portal.integrations.outbound)."""

import json
import secrets

from portal.clock import now
from portal.store.models import Application
from portal.store.models import OutboundEvent
from portal.store.models import WebhookEndpoint

#: The event types, by the history's kind of event that makes each.
TYPES = {
    "candidate_withdrew": "application.withdrawn",
    "acknowledged": "closure.acknowledged",
    "rated": "experience.rated",
    "question": "question.asked",
    "move_request": "interview.move_requested",
}
ERASURE_REQUESTED = "erasure.requested"
ALL_TYPES = (*TYPES.values(), ERASURE_REQUESTED)


def wanted_by(endpoint: WebhookEndpoint, type_: str) -> bool:
    return not endpoint.types or type_ in endpoint.types.split()


def publish(type_: str, application: Application, **data) -> int:
    """Queue event ``type_`` about ``application`` (its ref and job's ref, and ``data``)
    for every live endpoint that wants it; how many were queued."""
    endpoints = [
        e
        for e in WebhookEndpoint.select().where(WebhookEndpoint.disabled.is_null())
        if wanted_by(e, type_)
    ]
    if not endpoints:
        return 0
    payload = json.dumps(
        {
            "type": type_,
            "timestamp": now().isoformat(timespec="seconds") + "Z",
            "data": {"application": application.ref, "job": application.job.ref, **data},
        },
        sort_keys=True,
    )
    OutboundEvent.insert_many(
        [
            {
                "endpoint": e.id,
                "application": application.id,
                "msg_id": "msg_" + secrets.token_urlsafe(18),
                "type": type_,
                "payload": payload,
            }
            for e in endpoints
        ]
    ).execute()
    return len(endpoints)


def forget(application: Application) -> int:
    """Erasure: the events about ``application`` that carry its candidate's words go,
    sent or not (the request to be erased names nobody, and stays to be sent)."""
    return (
        OutboundEvent.delete()
        .where(
            (OutboundEvent.application == application.id)
            & (OutboundEvent.type != ERASURE_REQUESTED)
        )
        .execute()
    )


def published(event) -> None:
    """Queue what a history ``event`` tells, if it is one of ``TYPES``."""
    type_ = TYPES.get(event.kind)
    if type_ is not None:
        data = {"message": event.message} if event.message else {}
        publish(type_, event.application, **data)
