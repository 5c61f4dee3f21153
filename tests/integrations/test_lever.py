"""Lever's webhooks (I3): the body carries ``token``, ``triggeredAt`` and ``signature``,
the hex HMAC-SHA256 of token + triggeredAt with the webhook's signature token; data are
ids only, so an opportunity counts once linked to an application here. Stage changes,
archiving (by a mapped archive reason), unarchiving and hires; bad signatures, repeats
and late deliveries."""

import hashlib
import hmac
import json
import secrets

import pytest

from portal.integrations import inbound
from portal.integrations import mapping
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import InboundDelivery
from portal.store.models import StageMapping

TOKEN = "lever-signature-token-for-this-webhook"
OPPORTUNITY = "250d8f03-738a-4bba-a671-8a3d73477145"
PHONE_SCREEN, ONSITE = "lead-responded", "c7131fc7-6b3d-4c8f-8d9b-7c6a1a7a7a7a"
NOT_A_FIT = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42"


def deliver(client, event, data, at, token=TOKEN, signature=None):
    nonce = secrets.token_hex(16)
    document = {
        "triggeredAt": at,
        "event": event,
        "token": nonce,
        "signature": signature
        if signature is not None
        else hmac.new(token.encode(), f"{nonce}{at}".encode(), hashlib.sha256).hexdigest(),
        "data": data,
    }
    return client.post(
        "/hooks/lever", data=json.dumps(document), content_type="application/json"
    ), document


def stage_change(to, frm=PHONE_SCREEN):
    return {
        "opportunityId": OPPORTUNITY,
        "candidateId": OPPORTUNITY,
        "contactId": "7f23e772-f2cf-4e6e-9a8c-2b1a8a1e7e5b",
        "fromStageId": frm,
        "toStageId": to,
    }


@pytest.fixture
def application(app, make_application, make_user):
    app.config["LEVER_SIGNATURE_TOKENS"] = [TOKEN]
    application = make_application(ref="A-LV")
    inbound.link("lever", "application", OPPORTUNITY, application)
    recruiter = make_user("recruiter")
    stages = {s.name: s for s in application.job.stages}
    for theirs, stage, outcome in (
        (PHONE_SCREEN, stages["Screen"], ""),
        (ONSITE, stages["Interviews"], ""),
        (f"archive:{NOT_A_FIT}", None, "rejected"),
    ):
        row = StageMapping.create(job=application.job, vendor="lever", external_stage=theirs)
        mapping.map_stage(recruiter, row, stage, outcome=outcome)
    return application


def now_of(application) -> Application:
    return Application.get_by_id(application.id)


def test_a_stage_change_moves_the_linked_application(client, application):
    response, _ = deliver(client, "candidateStageChange", stage_change(ONSITE), 1764590000000)
    assert response.status_code == 200 and response.json == {"outcome": "applied"}
    assert now_of(application).stage.name == "Interviews"


def test_a_repeat_and_a_late_delivery_change_nothing(client, application):
    first, document = deliver(client, "candidateStageChange", stage_change(ONSITE), 1764590000000)
    repeat = client.post("/hooks/lever", data=json.dumps(document), content_type="application/json")
    assert repeat.json == {"outcome": "duplicate"}
    late, _ = deliver(client, "candidateStageChange", stage_change(PHONE_SCREEN), 1764580000000)
    assert late.json == {"outcome": "stale"}
    assert now_of(application).stage.name == "Interviews"
    assert Event.select().where(Event.kind == "moved").count() == 1


def test_archiving_closes_by_the_mapped_reason_and_unarchiving_reopens(client, application):
    archived = {
        "opportunityId": OPPORTUNITY,
        "fromArchived": None,
        "toArchived": {"archivedAt": 1764600000000, "reason": NOT_A_FIT},
    }
    response, _ = deliver(client, "candidateArchiveChange", archived, 1764600000000)
    assert response.json == {"outcome": "applied"}
    assert now_of(application).status == "rejected"
    unarchived = {
        "opportunityId": OPPORTUNITY,
        "fromArchived": archived["toArchived"],
        "toArchived": None,
    }
    response, _ = deliver(client, "candidateArchiveChange", unarchived, 1764610000000)
    assert response.json == {"outcome": "applied"} and now_of(application).status == "active"


def test_an_unmapped_archive_reason_is_held_not_guessed(client, application):
    archived = {
        "opportunityId": OPPORTUNITY,
        "toArchived": {"archivedAt": 1764600000000, "reason": "hired-reason-id"},
    }
    response, _ = deliver(client, "candidateArchiveChange", archived, 1764600000000)
    assert response.json == {"outcome": "held"} and now_of(application).status == "active"
    assert "archive:hired-reason-id" in inbound.held()[0].reason
    hired, _ = deliver(client, "candidateHired", {"opportunityId": OPPORTUNITY}, 1764600000500)
    assert hired.json == {"outcome": "applied"} and now_of(application).status == "hired"


def test_an_unlinked_opportunity_is_held(client, application):
    data = {**stage_change(ONSITE), "opportunityId": "not-linked-here"}
    response, _ = deliver(client, "candidateStageChange", data, 1764590000000)
    assert response.json == {"outcome": "held"}
    assert "not-linked-here is not linked here" in inbound.held()[0].reason
    # Someone says which application it is: linked, and the move is carried out.
    assert inbound.link_application(None, inbound.held()[0], application) == "applied"
    assert now_of(application).stage.name == "Interviews" and inbound.held() == []


@pytest.mark.parametrize("kind", ["other token", "forged", "missing"])
def test_a_bad_signature_is_a_401(client, application, kind):
    data = stage_change(ONSITE)
    if kind == "other token":
        response, _ = deliver(client, "candidateStageChange", data, 1764590000000, token="other")
    elif kind == "forged":
        response, _ = deliver(client, "candidateStageChange", data, 1764590000000, signature="00")
    else:
        body = {"event": "candidateStageChange", "triggeredAt": 1764590000000, "data": data}
        response = client.post(
            "/hooks/lever", data=json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 401
    assert InboundDelivery.select().count() == 0
    assert now_of(application).stage.name == "Applied"


def test_a_new_application_and_a_test_ping_are_answered_and_ignored(client, application):
    created, _ = deliver(client, "applicationCreated", {"opportunityId": "new-one"}, 1764590000000)
    assert created.json == {"outcome": "ignored"}
    ping, _ = deliver(client, "candidateStageChange", {}, 1764590000000)
    assert ping.json == {"outcome": "ignored"}
    reasons = [d.reason for d in InboundDelivery.select().order_by(InboundDelivery.id)]
    assert "through the API" in reasons[0] and "names no opportunity" in reasons[1]
