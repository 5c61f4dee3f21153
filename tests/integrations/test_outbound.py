"""Outbound events (I4): what candidates do reaches a real HTTP receiver on loopback that
checks the Standard Webhooks signature by the spec, written here by hand rather than by
the library we sign with; a receiver that is down gets every event once it is back."""

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest
import time_machine
from helpers.http import Auth
from helpers.ports import free_port

from portal import domain
from portal.candidates.actions import acknowledge_closure
from portal.candidates.actions import rate_experience
from portal.candidates.actions import withdraw_by_candidate
from portal.clock import now
from portal.conversation.actions import ask
from portal.domain import outbox
from portal.integrations import outbound
from portal.privacy.actions import erase_application
from portal.privacy.actions import request_erasure
from portal.store.models import OutboundEvent
from portal.store.models import WebhookEndpoint


def verify(secret: str, headers, body: bytes) -> bool:
    """The Standard Webhooks check: HMAC-SHA256 over "id.timestamp.body" with the
    secret's base64 key, any of the space-separated "v1,<base64>" signatures, and a
    timestamp within five minutes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
    given = [s.partition(",")[2] for s in headers["webhook-signature"].split()]
    return fresh and any(hmac.compare_digest(expected, s) for s in given)


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that keeps what it received with a good signature
    (and answers 400 to a bad one), and can go down and come back on its port."""

    def __init__(self):
        self.port, self.secret, self.answer = free_port(), "", None
        self.received, self.refused, self.server = [], 0, None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/portal"

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.answer:
                    self.send_response(receiver.answer)
                elif verify(receiver.secret, self.headers, body):
                    receiver.received.append((self.headers["webhook-id"], json.loads(body)))
                    self.send_response(204)
                else:
                    receiver.refused += 1
                    self.send_response(400)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def endpoint(make_user, receiver):
    added = outbound.add_endpoint(make_user("admin"), receiver.url, "Our ATS")
    receiver.secret = added.secret
    return added


def test_what_candidates_do_is_delivered_signed(endpoint, receiver, make_application):
    application = make_application(ref="A-1")
    ask(application, "Is the role open to remote work?")
    withdraw_by_candidate(application, application.version, "I took another offer.")
    acknowledge_closure(application)
    rate_experience(application, 4)
    assert outbound.deliver_due() == (4, 0)
    types = [payload["type"] for _, payload in receiver.received]
    assert types == [
        "question.asked",
        "application.withdrawn",
        "closure.acknowledged",
        "experience.rated",
    ]
    first = receiver.received[0][1]
    assert first["data"] == {
        "application": "A-1",
        "job": application.job.ref,
        "message": "Is the role open to remote work?",
    }
    assert receiver.refused == 0
    assert outbound.deliver_due() == (0, 0)  # each once


def test_staff_changes_send_nothing(endpoint, receiver, make_application):
    application = make_application()
    domain.add_note(None, application, "Strong portfolio.")
    domain.post_update(None, application, application.version, "We are reading it.")
    assert OutboundEvent.select().count() == 0


def test_a_receiver_that_is_down_gets_everything_once_it_is_back(
    endpoint, receiver, make_application
):
    application = make_application(ref="A-2")
    receiver.stop()
    ask(application, "When will I hear back?")
    assert outbound.deliver_due() == (0, 1)
    [event] = OutboundEvent.select()
    assert event.attempts == 1 and event.last_status is None and event.last_error
    assert outbound.deliver_due() == (0, 0)  # not due yet: it waits its backoff
    receiver.start()
    ask(application, "And who will I meet?")
    with time_machine.travel(now() + timedelta(seconds=10), tick=False):
        assert outbound.deliver_due() == (2, 0)
    ids = [msg_id for msg_id, _ in receiver.received]
    assert event.msg_id in ids and len(set(ids)) == 2


def metrics(client, make_user) -> str:
    """/metrics as a signed-in admin sees it."""
    Auth(client).login(make_user("admin"))
    return client.get("/metrics").text


def test_an_endpoint_that_keeps_failing_is_given_up_then_replayed(
    endpoint, receiver, make_application, make_user, client
):
    application = make_application()
    receiver.secret = outbound.new_secret()  # it checks with another secret: 400 each time
    ask(application, "Hello?")
    moment = now()
    for _ in range(outbound.ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            outbound.deliver_due()
        moment += timedelta(days=1)
    [event] = OutboundEvent.select()
    assert event.failed is not None and event.last_status == 400
    assert "portal_webhooks_failed 1.0" in metrics(client, make_user)
    assert event.attempts == outbound.ATTEMPTS and receiver.refused == outbound.ATTEMPTS
    with time_machine.travel(moment, tick=False):
        assert outbound.deliver_due() == (0, 0)  # given up
        receiver.secret = endpoint.secret
        outbound.replay(make_user("admin"), event)
        assert outbound.deliver_due() == (1, 0)
    assert receiver.received[0][0] == event.msg_id  # the same webhook-id


def test_endpoints_get_only_the_types_they_want(make_user, receiver, make_application):
    admin = make_user("admin")
    outbound.add_endpoint(admin, receiver.url, types=["experience.rated"])
    application = make_application()
    ask(application, "A question")
    assert OutboundEvent.select().count() == 0
    with pytest.raises(outbound.Invalid):
        outbound.add_endpoint(admin, receiver.url, types=["everything"])
    with pytest.raises(outbound.Invalid):
        outbound.add_endpoint(admin, "ftp://example.com/")
    with pytest.raises(outbound.Forbidden):
        outbound.add_endpoint(make_user("recruiter"), receiver.url)


def test_an_event_is_queued_only_if_its_change_commits(endpoint, make_application):
    application = make_application()
    with pytest.raises(outbound.Invalid):
        rate_experience(application, 5)  # still active: refused, nothing queued
    assert OutboundEvent.select().count() == 0


def test_erasure_is_told_and_takes_the_candidates_words(endpoint, receiver, make_application):
    application = make_application(ref="A-9")
    ask(application, "My phone is 07700 900123, call me")
    request_erasure(application)
    types = [e.type for e in OutboundEvent.select().order_by(OutboundEvent.id)]
    assert types == ["question.asked", "application.withdrawn", outbox.ERASURE_REQUESTED]
    erase_application(None, application, "request")
    left = list(OutboundEvent.select())
    assert [e.type for e in left] == [outbox.ERASURE_REQUESTED]
    assert "07700" not in left[0].payload
    assert outbound.deliver_due() == (1, 0)
    assert receiver.received[0][1]["data"]["application"] == "A-9"


def test_an_endpoint_that_answers_gone_is_disabled(endpoint, receiver, make_application):
    receiver.answer = 410
    ask(make_application(), "Still there?")
    assert outbound.deliver_due() == (0, 1)
    [event] = OutboundEvent.select()
    assert event.failed is not None and event.last_status == 410
    assert WebhookEndpoint.get_by_id(endpoint.id).disabled is not None
    ask(make_application(email="other@example.org"), "Anyone?")
    assert OutboundEvent.select().count() == 1  # nothing more is queued for it
