"""Greenhouse's web hooks (I3), in the shapes its documentation gives (developers.greenhouse.io,
"Web Hooks": new_candidate_application, candidate_stage_change, reject_candidate,
unreject_candidate, hire_candidate, update_candidate), signed as it signs them: valid,
invalid, missing and another secret's signatures, repeats and late deliveries; and the
round trip where the candidate's page and email follow."""

import hashlib
import hmac
import json
import logging

import pytest

from portal.candidates import links
from portal.integrations import inbound
from portal.integrations import mapping
from portal.mail import queue as mail
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Event
from portal.store.models import InboundDelivery
from portal.store.models import StageMapping

SECRET = "gh-secret-0123456789abcdef0123456789"
GH_JOB, GH_APPLICATION = 274075, 71980812
STAGES = {"Preliminary Phone Screen": 2944102, "Face to Face": 2944103, "Offer": 2944104}


def application_payload(stage="Preliminary Phone Screen", at="2026-12-01T10:00:00Z", **more):
    return {
        "id": GH_APPLICATION,
        "rejected_at": None,
        "prospect": False,
        "status": "active",
        "applied_at": "2026-11-30T14:44:43Z",
        "last_activity_at": at,
        "rejection_reason": None,
        "current_stage": {"id": STAGES[stage], "name": stage},
        "candidate": {
            "id": 60304594,
            "first_name": "Jane",
            "last_name": "Smith",
            "email_addresses": [
                {"value": "jane@work.example", "type": "work"},
                {"value": "jane@example.org", "type": "personal"},
            ],
        },
        "jobs": [{"id": GH_JOB, "name": "Data Scientist", "status": "open"}],
        **more,
    }


def deliver(client, action, payload, secret=SECRET, event_id=None, signature=None):
    body = json.dumps({"action": action, "payload": payload}).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Signature": signature if signature is not None else f"sha256 {digest}"}
    if event_id:
        headers["Greenhouse-Event-ID"] = event_id
    return client.post(
        "/hooks/greenhouse", data=body, headers=headers, content_type="application/json"
    )


@pytest.fixture
def job(app, make_job, make_user):
    app.config["GREENHOUSE_SECRETS"] = ["an-old-secret-kept-while-rotating", SECRET]
    job = make_job(title="Data Scientist", ref="J-DS")
    recruiter = make_user("recruiter")
    mapping.link_job(recruiter, job, "greenhouse", str(GH_JOB))
    ours = {s.name: s for s in job.stages}
    for theirs, stage in (
        ("Preliminary Phone Screen", ours["Screen"]),
        ("Face to Face", ours["Interviews"]),
    ):
        row = StageMapping.create(
            job=job, vendor="greenhouse", external_stage=str(STAGES[theirs]), external_name=theirs
        )
        mapping.map_stage(
            recruiter,
            row,
            stage,
            message="The team would like to meet you." if theirs == "Face to Face" else "",
        )
    return job


def ours() -> Application:
    return Application.get(Application.ref == f"GH-{GH_APPLICATION}")


def test_a_new_application_arrives_where_greenhouse_has_it(client, job, smtp_server):
    response = deliver(client, "new_candidate_application", {"application": application_payload()})
    assert response.status_code == 200 and response.json == {"outcome": "applied"}
    application = ours()
    assert (application.stage.name, application.candidate.email) == ("Screen", "jane@example.org")
    assert application.candidate.name == "Jane Smith"
    mail.send_pending(wait=True)
    assert [m["To"] for m in smtp_server.messages] == ["jane@example.org"]  # their link


def test_a_stage_change_moves_with_the_recruiters_message(client, job, smtp_server):
    deliver(client, "new_candidate_application", {"application": application_payload()})
    moved = application_payload("Face to Face", at="2026-12-02T09:00:00Z")
    assert deliver(client, "candidate_stage_change", {"application": moved}).json == {
        "outcome": "applied"
    }
    application = ours()
    assert application.stage.name == "Interviews"
    page = client.get("/c/" + links.live(application).token + "/").text
    assert "The team would like to meet you." in page
    mail.send_pending(wait=True)
    last = smtp_server.messages[-1].get_body(("plain",)).get_content()
    assert "The team would like to meet you." in last


def test_a_repeated_delivery_changes_nothing(client, job):
    payload = {"application": application_payload()}
    deliver(client, "new_candidate_application", payload, event_id="evt-1")
    moved = {"application": application_payload("Face to Face", at="2026-12-02T09:00:00Z")}
    assert deliver(client, "candidate_stage_change", moved, event_id="evt-2").json["outcome"] == (
        "applied"
    )
    again = deliver(client, "candidate_stage_change", moved, event_id="evt-2")
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    assert Event.select().where(Event.kind == "moved").count() == 1
    # The same body without an event id is known by its hash.
    assert deliver(client, "candidate_stage_change", moved).json["outcome"] == "stale"
    assert deliver(client, "candidate_stage_change", moved).json["outcome"] == "duplicate"


def test_a_late_delivery_never_moves_an_application_backwards(client, job):
    deliver(client, "new_candidate_application", {"application": application_payload()})
    later = application_payload("Face to Face", at="2026-12-03T09:00:00Z")
    earlier = application_payload("Preliminary Phone Screen", at="2026-12-02T09:00:00Z")
    deliver(client, "candidate_stage_change", {"application": later}, event_id="later")
    late = deliver(client, "candidate_stage_change", {"application": earlier}, event_id="earlier")
    assert late.json["outcome"] == "stale"
    assert ours().stage.name == "Interviews"


@pytest.mark.parametrize(
    "signature",
    ["", "sha256", "sha256 " + "0" * 64, "sha1 abc", "sha256 not-hex"],
)
def test_a_bad_signature_is_a_401_logged_without_the_body(client, job, caplog, signature):
    caplog.set_level(logging.WARNING)
    payload = {"application": application_payload()}
    response = deliver(client, "new_candidate_application", payload, signature=signature)
    assert response.status_code == 401
    assert "bad or missing signature" in caplog.text
    assert "jane@example.org" not in caplog.text and "Jane" not in caplog.text
    assert Application.select().count() == InboundDelivery.select().count() == 0


def test_another_secrets_signature_is_a_401(client, job):
    payload = {"application": application_payload()}
    response = deliver(client, "new_candidate_application", payload, secret="someone-else")
    assert response.status_code == 401 and Application.select().count() == 0


def test_the_receiver_is_off_until_configured(client, app):
    app.config["GREENHOUSE_SECRETS"] = []
    assert deliver(client, "new_candidate_application", {}).status_code == 404


def test_an_unknown_job_or_unmapped_stage_is_held_never_guessed(client, job, make_job):
    other = application_payload(jobs=[{"id": 999, "name": "Chef"}])
    held = deliver(client, "new_candidate_application", {"application": other})
    assert held.status_code == 200 and held.json["outcome"] == "held"
    offer = application_payload("Offer")
    assert deliver(client, "new_candidate_application", {"application": offer}).json == {
        "outcome": "held"
    }
    assert Application.select().count() == 0
    reasons = [d.reason for d in inbound.held()]
    assert "job 999 “Chef” is not linked" in reasons[0]
    assert "“Offer” (2944104) is not mapped on job J-DS" in reasons[1]
    # The unmapped stage is noted on the job for someone to map; then it applies.
    unmapped = StageMapping.get(StageMapping.external_stage == "2944104")
    assert unmapped.stage is None and unmapped.external_name == "Offer"
    mapping.map_stage(None, unmapped, [s for s in job.stages if s.name == "Offer"][0])
    assert inbound.apply_again(None, inbound.held()[1]) == "applied"
    assert ours().stage.name == "Offer"
    assert [d.delivery_id for d in inbound.held()] != []  # the unknown job still waits
    inbound.dismiss(None, inbound.held()[0])
    assert inbound.held() == []


def test_rejection_closes_with_the_template_and_keeps_the_reason_internal(client, job, smtp_server):
    deliver(client, "new_candidate_application", {"application": application_payload()})
    rejected = application_payload(
        at="2026-12-02T15:50:41Z",
        status="rejected",
        rejected_at="2026-12-02T15:50:41Z",
        rejection_reason={
            "id": 14,
            "name": "Too Junior",
            "type": {"id": 3, "name": "Wrong skill set"},
        },
    )
    assert deliver(client, "reject_candidate", {"application": rejected}).json == {
        "outcome": "applied"
    }
    application = ours()
    assert application.status == "rejected"
    assert application.closed_reason == "Rejected in Greenhouse: Too Junior"
    page = client.get("/c/" + links.live(application).token + "/").text
    assert "Too Junior" not in page and application.closure_note.split(",")[0] in page
    mail.send_pending(wait=True)
    assert all(
        "Too Junior" not in m.get_body(("plain",)).get_content() for m in smtp_server.messages
    )
    # Unrejected: back in the pipeline at Greenhouse's stage.
    back = application_payload("Face to Face", at="2026-12-03T10:00:00Z")
    assert deliver(client, "unreject_candidate", {"application": back}).json == {
        "outcome": "applied"
    }
    assert (ours().status, ours().stage.name) == ("active", "Interviews")


def test_a_hire_closes_as_hired_and_candidate_updates_correct_details(client, job):
    deliver(client, "new_candidate_application", {"application": application_payload()})
    hired = {
        "id": GH_APPLICATION,
        "candidate": {"id": 60304594, "first_name": "Jane", "last_name": "Smith"},
        "jobs": [{"id": GH_JOB, "name": "Data Scientist"}],
        "offer": {"id": 506409, "version": 2, "resolved_at": "2026-12-04T22:49:14Z"},
    }
    assert deliver(client, "hire_candidate", {"application": hired}).json == {"outcome": "applied"}
    assert ours().status == "hired"
    candidate = {
        "id": 60304594,
        "first_name": "Jane",
        "last_name": "Smith-Okafor",
        "email_addresses": [{"value": "jane@example.org", "type": "personal"}],
    }
    assert deliver(client, "update_candidate", {"candidate": candidate}).json == {
        "outcome": "applied"
    }
    assert ours().candidate.name == "Jane Smith-Okafor"
    audit = [e for e in AuditEntry.select() if "Greenhouse webhook" in e.detail]
    assert audit  # the correction's audit entry says who it was done for


def test_events_we_do_not_follow_are_answered_and_ignored(client, job):
    response = deliver(client, "delete_application", {"application": {"id": 1, "job_id": 2}})
    assert response.status_code == 200 and response.json["outcome"] == "ignored"
    ping = deliver(client, "ping", {"web_hook": {"name": "Portal"}})
    assert ping.status_code == 200 and ping.json["outcome"] == "ignored"
    assert inbound.held() == []
