"""The API as an applicant tracking system uses it: tokens and scopes (I1), idempotent
writes and versions (I2), pages behind a cursor, errors as problem documents, and a
round trip where the ATS moves and rejects and the candidate's page and email follow."""

import hashlib
import hmac
import json

import pytest

from portal import domain
from portal.api import tokens
from portal.candidates import links
from portal.domain import kits
from portal.mail import queue as mail
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Event
from portal.store.models import IntegrationToken
from portal.store.models import Job
from portal.store.models import StageMapping

PROBLEM = "application/problem+json"


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", email="rita@example.com", name="Rita")


@pytest.fixture
def job(make_job, recruiter):
    return make_job(title="Data Engineer", recruiter=recruiter, ref="J-DATA")


@pytest.fixture
def application(make_application, job):
    return make_application(job=job, name="Fen Okafor", email="fen@example.org", ref="A-1")


def state(ref: str) -> tuple:
    row = Application.get(Application.ref == ref)
    return row.status, row.stage.name, row.version


# --- I1: tokens and scopes --------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer cpt_made-up", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000],
)
def test_no_live_token_is_a_401_and_changes_nothing(client, application, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    body = {"version": application.version, "stage": "Screen"}
    for method, path, sent in (
        ("GET", "/api/v1/applications/A-1", None),
        ("POST", "/api/v1/applications/A-1/move", body),
    ):
        response = client.open(path, method=method, json=sent, headers=headers)
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
        assert "fen@example.org" not in response.get_data(as_text=True)
    assert state("A-1") == ("active", "Applied", 1)


def test_a_revoked_token_stops_at_once(api, admin, write_token, application):
    assert api("GET", "/applications/A-1").status_code == 200
    tokens.revoke_token(admin, write_token[0])
    assert api("GET", "/applications/A-1").status_code == 401
    body = {"version": 1, "stage": "Screen"}
    assert api("POST", "/applications/A-1/move", json=body).status_code == 401
    assert state("A-1") == ("active", "Applied", 1)


def test_a_read_token_reads_and_may_not_write(reader, application):
    assert reader("GET", "/applications/A-1").json["stage"] == "Applied"
    response = reader("POST", "/applications/A-1/move", json={"version": 1, "stage": "Screen"})
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert "may only read" in response.json["detail"]
    assert reader("DELETE", "/applications/A-1/link").status_code == 403
    # The page's address is the candidate's key: reading it takes a write token.
    assert reader("GET", "/applications/A-1/link").status_code == 403
    assert links.live(application) is not None
    assert state("A-1") == ("active", "Applied", 1)


def test_tokens_are_kept_only_as_hashes_and_only_admins_make_them(admin, make_user):
    token, secret = tokens.create_token(admin, "Lever", "read")
    assert secret.startswith("cpt_") and len(secret) > 40
    stored = IntegrationToken.get_by_id(token.id)
    assert secret not in json.dumps(stored.__data__, default=str)
    assert stored.digest == tokens.digest(secret) and secret.startswith(stored.prefix)
    assert secret not in "".join(e.detail for e in AuditEntry.select())
    with pytest.raises(tokens.Forbidden):
        tokens.create_token(make_user("recruiter"), "Mine", "write")
    with pytest.raises(tokens.Invalid):
        tokens.create_token(admin, "Everything", "admin")


def test_last_use_is_noted(api, write_token, application):
    assert IntegrationToken.get_by_id(write_token[0].id).last_used is None
    api("GET", "/jobs")
    assert IntegrationToken.get_by_id(write_token[0].id).last_used is not None


# --- I2: idempotency and versions -------------------------------------------------------


def test_one_write_twice_with_one_key_has_one_effect(api, application, smtp_server):
    body = {"version": 1, "stage": "Screen", "message": "Let us talk on Friday."}
    key = {"Idempotency-Key": "move-A-1-screen"}
    first = api("POST", "/applications/A-1/move", json=body, headers=key)
    again = api("POST", "/applications/A-1/move", json=body, headers=key)
    assert first.status_code == again.status_code == 200
    assert first.json == again.json and again.headers["Idempotent-Replayed"] == "true"
    assert state("A-1") == ("active", "Screen", 2)
    assert Event.select().where(Event.kind == "moved").count() == 1
    # The same key for another request is refused, not replayed.
    other = api(
        "POST", "/applications/A-1/update", json={"version": 2, "message": "Hi"}, headers=key
    )
    assert other.status_code == 422 and "another request" in other.json["detail"]
    assert state("A-1") == ("active", "Screen", 2)
    mail.send_pending(wait=True)
    assert len([m for m in smtp_server.messages if m["To"] == "fen@example.org"]) == 1


def test_a_failed_write_leaves_its_key_free(api, application):
    key = {"Idempotency-Key": "k-1"}
    bad = api(
        "POST", "/applications/A-1/move", json={"version": 1, "stage": "Nowhere"}, headers=key
    )
    assert bad.status_code == 422 and "has no stage 'Nowhere'" in bad.json["detail"]
    good = api(
        "POST", "/applications/A-1/move", json={"version": 1, "stage": "Screen"}, headers=key
    )
    assert good.status_code == 200 and good.json["stage"] == "Screen"


def test_a_stale_version_is_a_409_with_the_current_state(api, application):
    assert (
        api("POST", "/applications/A-1/move", json={"version": 1, "stage": "Screen"}).status_code
        == 200
    )
    response = api("POST", "/applications/A-1/close", json={"version": 1, "status": "hired"})
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert response.json["current"]["version"] == 2
    assert response.json["current"]["stage"] == "Screen"
    assert response.json["current"]["closure_reason"] is None  # the whole record
    assert state("A-1") == ("active", "Screen", 2)


def test_a_bad_idempotency_key_is_a_400(api, application):
    headers = {"Idempotency-Key": "with space"}
    response = api("POST", "/applications/A-1/notes", json={"message": "x"}, headers=headers)
    assert response.status_code == 400
    assert Event.select().where(Event.kind == "note").count() == 0


# --- records, lists and errors ----------------------------------------------------------


def test_put_creates_then_corrects_a_job_matching_stages_by_name(api, recruiter, make_user):
    manager = make_user("manager", email="mo@example.com")
    body = {
        "title": "Designer",
        "recruiter": "RITA@example.com",
        "managers": [manager.email],
        "stages": [{"name": "Applied"}, {"name": "Portfolio", "follow_up_days": 4}],
    }
    created = api("PUT", "/jobs/J-DES", json=body)
    assert created.status_code == 201
    assert [s["name"] for s in created.json["stages"]] == ["Applied", "Portfolio"]
    assert created.json["managers"] == ["mo@example.com"]
    before = {s.name: s.id for s in Job.get(Job.ref == "J-DES").stages}
    body["stages"].insert(1, {"name": "Screen"})
    body["title"] = "Product Designer"
    updated = api("PUT", "/jobs/J-DES", json=body)
    assert updated.status_code == 200 and updated.json["title"] == "Product Designer"
    after = {s.name: s.id for s in Job.get(Job.ref == "J-DES").stages}
    assert after["Portfolio"] == before["Portfolio"]  # the same stage, kept by name
    assert [s["name"] for s in updated.json["stages"]] == ["Applied", "Screen", "Portfolio"]
    # An unknown recruiter is refused with what to fix.
    body["recruiter"] = "nobody@example.com"
    refused = api("PUT", "/jobs/J-DES", json=body)
    assert refused.status_code == 422 and "nobody@example.com" in refused.json["detail"]


def test_put_creates_an_application_then_corrects_its_candidate(api, job, smtp_server):
    body = {"job": "J-DATA", "candidate": {"name": "Ida B", "email": "ida@example.org"}}
    created = api("PUT", "/applications/GH-77", json={**body, "stage": "Screen", "tell": True})
    assert created.status_code == 201
    assert (created.json["stage"], created.json["version"]) == ("Screen", 1)
    body["candidate"]["name"] = "Ida Bell"
    corrected = api("PUT", "/applications/GH-77", json=body)
    assert corrected.status_code == 200 and corrected.json["candidate"]["name"] == "Ida Bell"
    again = api("PUT", "/applications/GH-77", json=body)  # nothing to change: no new event
    assert again.json["updated"] == corrected.json["updated"]
    moved = api("PUT", "/applications/GH-77", json={**body, "job": "J-OTHER"})
    assert moved.status_code == 422 and "stays in its job" in moved.json["detail"]
    bad_ref = api("PUT", "/applications/-x", json=body)
    assert bad_ref.status_code == 422 and "cannot be a new ref" in bad_ref.json["detail"]
    mail.send_pending(wait=True)
    assert any(m["To"] == "ida@example.org" for m in smtp_server.messages)


def test_lists_page_behind_a_cursor(api, make_application, job):
    for n in range(5):
        make_application(job=job, email=f"c{n}@example.org", ref=f"A-{n + 10}")
    seen, cursor = [], None
    while True:
        path = "/applications?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api("GET", path).json
        seen += [a["ref"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"A-{n + 10}" for n in range(5)]
    refused = api("GET", "/applications?cursor=not-ours")
    assert refused.status_code == 422 and "cursor" in refused.json["detail"]
    assert api("GET", "/applications?status=hired").json["items"] == []
    assert api("GET", "/applications?limit=0").status_code == 422


def test_errors_are_problem_documents(api, application):
    unknown = api("GET", "/applications/A-404")
    assert unknown.status_code == 404 and unknown.mimetype == PROBLEM
    assert api("GET", "/no-such-thing").mimetype == PROBLEM
    wrong_method = api("PATCH", "/jobs")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    not_json = api("POST", "/applications/A-1/notes", data="message=x")
    assert not_json.status_code == 415 and not_json.mimetype == PROBLEM
    typo = api("POST", "/applications/A-1/move", json={"version": 1, "stag": "Screen"})
    assert typo.status_code == 422
    assert {e["field"] for e in typo.json["errors"]} == {"stage", "stag"}


def test_the_document_lists_every_operation_and_is_public_to_tokens_only(client, api):
    document = api("GET", "/openapi.json").json
    assert document["openapi"] == "3.1.0"
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"move_application", "close_application", "put_job", "list_owed"} <= operations
    move = document["paths"]["/api/v1/applications/{ref}/move"]["post"]
    assert move["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MoveIn"
    }
    assert {"200", "401", "409", "422"} <= set(move["responses"])
    # The document describes the API, not its data: anyone may read it.
    assert client.get("/api/v1/openapi.json").status_code == 200


# --- a round trip -----------------------------------------------------------------------


def test_the_ats_moves_and_rejects_and_the_candidate_page_and_email_follow(
    api, client, application, smtp_server
):
    moved = api(
        "POST",
        "/applications/A-1/move",
        json={
            "version": 1,
            "stage": "Interviews",
            "message": "The team would like to meet you.",
            "next_steps": "Pick a time from the link we sent.",
        },
    ).json
    closed = api(
        "POST",
        "/applications/A-1/close",
        json={
            "version": moved["version"],
            "status": "rejected",
            "reason": "skills_gap",
            "internal_note": "Weak on SQL windows, per the panel.",
        },
    )
    assert closed.status_code == 200, closed.json
    assert closed.json["closure_reason"]["code"] == "skills_gap"
    page = client.get(links.url(links.live(application)).split("127.0.0.1", 1)[-1]).text
    assert "The team would like to meet you." in page
    assert "did not yet show all of the skills" in page  # the reason's words, filled in
    assert "Weak on SQL" not in page
    history = api("GET", "/applications/A-1/history").json["items"]
    assert [e["kind"] for e in history] == ["moved", "closed"]
    assert all("Weak on SQL" not in e["message"] for e in history)
    mail.send_pending(wait=True)
    told = [m for m in smtp_server.messages if m["To"] == "fen@example.org"]
    assert len(told) == 2
    assert "did not yet show all of the skills" in told[-1].get_body(("plain",)).get_content()
    entries = AuditEntry.select().where(AuditEntry.action == "api_write")
    assert [json.loads(e.detail)["operation"] for e in entries] == [
        "move_application",
        "close_application",
    ]
    assert all("Greenhouse sync" in json.loads(e.detail)["for"] for e in entries)


def test_links_are_issued_read_and_revoked(api, application):
    live = api("GET", "/applications/A-1/link").json
    assert live["url"].endswith("/") and "/c/" in live["url"]
    assert api("POST", "/applications/A-1/link").json["url"] == live["url"]  # the live one
    assert api("DELETE", "/applications/A-1/link").status_code == 204
    assert api("GET", "/applications/A-1/link").status_code == 404
    assert api("DELETE", "/applications/A-1/link").status_code == 404
    fresh = api("POST", "/applications/A-1/link").json
    assert fresh["url"] != live["url"]


def test_the_queue_lists_who_is_owed_word(api, application, job):
    Application.update(reply_by=None).where(Application.id == application.id).execute()
    items = api("GET", "/followup").json["items"]
    assert [(i["ref"], i["recruiter"]) for i in items] == [("A-1", "rita@example.com")]
    assert api("GET", "/followup?job=J-NONE").json["items"] == []


def test_an_application_added_with_its_ats_id_follows_that_systems_webhooks(api, app, client, job):
    app.config["LEVER_SIGNATURE_TOKENS"] = ["lever-token"]
    body = {
        "job": "J-DATA",
        "candidate": {"name": "Lu Wei", "email": "lu@example.org"},
        "ats": {"vendor": "lever", "id": "opp-1"},
    }
    assert api("PUT", "/applications/LV-1", json=body).status_code == 201
    screen = [s for s in job.stages if s.name == "Screen"][0]
    StageMapping.create(job=job, vendor="lever", external_stage="stage-2", stage=screen)
    at, nonce = 1764590000000, "n-1"
    document = {
        "triggeredAt": at,
        "event": "candidateStageChange",
        "token": nonce,
        "signature": hmac.new(b"lever-token", f"{nonce}{at}".encode(), hashlib.sha256).hexdigest(),
        "data": {"opportunityId": "opp-1", "toStageId": "stage-2"},
    }
    hook = client.post("/hooks/lever", data=json.dumps(document), content_type="application/json")
    assert hook.json == {"outcome": "applied"}
    assert api("GET", "/applications/LV-1").json["stage"] == "Screen"


def test_jobs_carry_their_kits_and_applications_their_scorecards(api, application, job):
    interviews = [s for s in job.stages if s.name == "Interviews"][0]
    [sql] = kits.set_kit(None, job, interviews, [{"name": "SQL", "guidance": "Ask about windows."}])
    record = api("GET", "/jobs/J-DATA").json
    assert record["kit"] and all(c["name"] for c in record["kit"])  # the job's default kit
    by_name = {s["name"]: s for s in record["stages"]}
    assert by_name["Interviews"]["kit"] == [{"name": "SQL", "guidance": "Ask about windows."}]
    assert by_name["Screen"]["kit"] is None
    domain.submit_feedback(
        job.recruiter, application, interviews, 3, "yes", "Clear thinker", ratings={sql.id: (4, "")}
    )
    [card] = api("GET", "/applications/A-1/scorecards").json["items"]
    assert (card["author"], card["stage"], card["recommendation"]) == (
        "rita@example.com",
        "Interviews",
        "yes",
    )
    assert card["ratings"][0]["criterion"] == "SQL" and card["ratings"][0]["score"] == 4
