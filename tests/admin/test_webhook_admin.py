"""Admin › Integrations beyond tokens (admins only): what Greenhouse and Lever sent that is
held (applied again, linked to an application, dismissed after a page that asks), the
webhook endpoints (a new one's signing secret shown once; disabled after a page that
asks) and the recent deliveries (replayed); recruiters and managers never reach it, every
POST needs its CSRF token, free text is only text, and the page and a job's ATS page hold
at 360 and 1280 px in a real Chromium."""

import hashlib
import hmac
import json
import re
import secrets

import pytest
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.http import csrf_token
from markupsafe import escape

from portal.clock import now
from portal.conversation.actions import ask
from portal.domain.outbox import ALL_TYPES
from portal.integrations import inbound
from portal.integrations import mapping
from portal.integrations import outbound
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import ExternalRecord
from portal.store.models import InboundDelivery
from portal.store.models import OutboundEvent
from portal.store.models import WebhookEndpoint

PAGE = "/admin/integrations"
GH_SECRET = "gh-secret-for-the-admin-tests-0123456789"
LEVER_TOKEN = "lever-signature-token-for-the-admin-tests"
OPPORTUNITY = "250d8f03-738a-4bba-a671-8a3d73477145"
ONSITE = "c7131fc7-6b3d-4c8f-8d9b-7c6a1a7a7a7a"
CSRF_REFUSAL = "The form had expired or did not come from this site."
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def greenhouse(client, action, application) -> str:
    """Post a delivery to /hooks/greenhouse signed as Greenhouse signs it: its outcome."""
    body = json.dumps({"action": action, "payload": {"application": application}}).encode()
    signature = "sha256 " + hmac.new(GH_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        "/hooks/greenhouse", data=body, headers={"Signature": signature}, content_type="text/json"
    )
    assert response.status_code == 200
    return response.json["outcome"]


def lever(client, event, data, at=1764590000000) -> str:
    """Post a delivery to /hooks/lever signed as Lever signs it: its outcome."""
    nonce = secrets.token_hex(16)
    signed = hmac.new(LEVER_TOKEN.encode(), f"{nonce}{at}".encode(), hashlib.sha256).hexdigest()
    document = {
        "triggeredAt": at,
        "event": event,
        "token": nonce,
        "signature": signed,
        "data": data,
    }
    response = client.post("/hooks/lever", data=json.dumps(document), content_type="text/json")
    assert response.status_code == 200
    return response.json["outcome"]


def rejected_in_greenhouse(application_id=71980812, job_id=274075):
    """Greenhouse rejecting an application it never told us about."""
    return {
        "id": application_id,
        "rejected_at": "2026-12-02T15:50:41Z",
        "last_activity_at": "2026-12-02T15:50:41Z",
        "candidate": {"id": 60304594, "first_name": "Jane", "last_name": "Smith"},
        "jobs": [{"id": job_id, "name": "Data Scientist"}],
        "current_stage": {"id": 2944103, "name": "Face to Face"},
    }


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ann Admin", email="ann@example.com")


@pytest.fixture
def signed_in_admin(auth, admin):
    auth.login(admin)
    return admin


@pytest.fixture
def hooks(app):
    app.config["GREENHOUSE_SECRETS"] = [GH_SECRET]
    app.config["LEVER_SIGNATURE_TOKENS"] = [LEVER_TOKEN]


@pytest.fixture
def application(hooks, make_application, admin):
    """An application of ours whose job maps Lever's onsite stage to Interviews."""
    application = make_application(name="Grace Hopper")
    row = mapping.add_mapping(admin, application.job, "lever", ONSITE, "On-site")
    interviews = next(s for s in application.job.stages if s.name == "Interviews")
    mapping.map_stage(admin, row, interviews)
    return application


def shown(text: str) -> str:
    return str(escape(text))


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action))


def row_of(page, kind: str, id_: int) -> str:
    return page.text.split(f'id="{kind}-{id_}"', 1)[1].split("</tr>", 1)[0]


def held_section(page) -> str:
    return page.text.split('id="held-title"', 1)[1].split("</section>", 1)[0]


# --- needs attention --------------------------------------------------------------------


def test_a_held_lever_delivery_is_linked_to_its_application(client, application, signed_in_admin):
    moved = {"opportunityId": OPPORTUNITY, "toStageId": ONSITE}
    assert lever(client, "candidateStageChange", moved) == "held"
    [delivery] = inbound.held()
    page = client.get(PAGE)
    section = held_section(page)
    assert '<span class="visually-hidden">held deliveries: </span>1</span>' in section
    row = row_of(page, "delivery", delivery.id)
    assert "<strong>Lever</strong>" in row and "<code>candidateStageChange</code>" in row
    assert f"Lever&#39;s application {OPPORTUNITY} is not linked here" in row
    assert "Link to application" in row and "Apply again" in row and "Dismiss" in row

    action = f"{PAGE}/deliveries/{delivery.id}/link"
    wrong = submit(client, page, action, application="A-NOPE")
    assert wrong.status_code == 400
    assert "There is no application A-NOPE here." in row_of(wrong, "delivery", delivery.id)
    assert form(wrong.text, action)["fields"][f"link-{delivery.id}-application"] == "A-NOPE"
    assert ExternalRecord.select().where(ExternalRecord.kind == "application").count() == 0

    linked = submit(client, page, action, follow_redirects=True, application=application.ref)
    assert f"Linked to {application.ref}." in linked.text
    assert f"Applied: {application.ref} moved to Interviews." in linked.text
    assert Application.get_by_id(application.id).stage.name == "Interviews"
    record = ExternalRecord.get(ExternalRecord.external_id == OPPORTUNITY)
    assert (record.vendor, record.kind, record.application_id) == (
        "lever",
        "application",
        application.id,
    )
    assert inbound.held() == [] and InboundDelivery.get_by_id(delivery.id).body == ""
    assert audited("ats_application_linked")[0].actor_id == signed_in_admin.id
    assert "Nothing needs attention" in held_section(linked)


def test_apply_again_once_the_stage_is_mapped(client, hooks, make_job, admin, signed_in_admin):
    job = make_job(title="Data Scientist", ref="J-DS")
    mapping.link_job(admin, job, "greenhouse", "274075")
    new = rejected_in_greenhouse() | {"candidate": {"id": 1, "first_name": "Jane"}}
    new["candidate"]["email_addresses"] = [{"value": "jane@example.org", "type": "personal"}]
    assert greenhouse(client, "new_candidate_application", new) == "held"
    [delivery] = inbound.held()
    page = client.get(PAGE)
    row = row_of(page, "delivery", delivery.id)
    assert "is not mapped on job J-DS" in row
    assert 'href="/admin/jobs/J-DS/ats">ATS mapping of J-DS</a>' in row
    assert "Link to application" not in row  # not a link it lacks

    action = f"{PAGE}/deliveries/{delivery.id}/apply"
    still = submit(client, page, action, follow_redirects=True)
    assert "Still held:" in still.text and len(inbound.held()) == 1
    [row] = mapping.mappings(job)
    mapping.map_stage(admin, row, next(s for s in job.stages if s.name == "Interviews"))
    applied = submit(client, client.get(PAGE), action, follow_redirects=True)
    assert "Applied: Added as GH-71980812." in applied.text
    assert Application.get(Application.ref == "GH-71980812").stage.name == "Interviews"
    assert inbound.held() == []
    again = client.post(action, data={"csrf_token": csrf_token(applied)}, follow_redirects=True)
    assert "That delivery no longer needs attention: it was resolved." in again.text


def test_dismissing_asks_first_and_cannot_be_undone(client, hooks, signed_in_admin):
    assert greenhouse(client, "reject_candidate", rejected_in_greenhouse()) == "held"
    [delivery] = inbound.held()
    page = client.get(PAGE)
    dismiss = f"{PAGE}/deliveries/{delivery.id}/dismiss"
    assert f'href="{dismiss}"' in row_of(page, "delivery", delivery.id)
    ask_first = client.get(dismiss)
    assert ask_first.status_code == 200
    assert "Nothing is done with it, now or later." in ask_first.text
    assert "It cannot be undone." in ask_first.text
    assert InboundDelivery.get_by_id(delivery.id).outcome == "held"  # asking changes nothing

    done = submit(client, ask_first, dismiss)
    assert done.status_code == 302 and done.headers["Location"] == f"{PAGE}#held-title"
    gone = InboundDelivery.get_by_id(delivery.id)
    assert (gone.outcome, gone.body) == ("dismissed", "")
    assert inbound.held() == []
    page = client.get(PAGE)
    assert "Dismissed: nothing will be done with that delivery." in page.text
    assert f'id="delivery-{delivery.id}"' not in page.text
    [entry] = audited("ats_delivery_dismissed")
    assert entry.actor_id == signed_in_admin.id

    twice = submit(client, ask_first, dismiss, follow_redirects=True)
    assert "it was dismissed." in twice.text and len(audited("ats_delivery_dismissed")) == 1
    assert 'method="post"' not in client.get(dismiss).text.split("<main", 1)[1]
    # Greenhouse sending it again changes nothing
    assert greenhouse(client, "reject_candidate", rejected_in_greenhouse()) == "duplicate"


def test_unknown_deliveries_endpoints_and_events_are_404s(client, signed_in_admin):
    token = csrf_token(client.get(PAGE))
    for path in (
        f"{PAGE}/deliveries/999/apply",
        f"{PAGE}/deliveries/999/link",
        f"{PAGE}/deliveries/999/dismiss",
        f"{PAGE}/endpoints/999/disable",
        f"{PAGE}/events/999/replay",
    ):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    for path in (f"{PAGE}/deliveries/999/dismiss", f"{PAGE}/endpoints/999/disable"):
        assert client.get(path).status_code == 404, path


# --- webhook endpoints ------------------------------------------------------------------


def endpoint_secret(page) -> str | None:
    match = re.search(r'id="endpoint-secret" value="([^"]*)"', page.text)
    return match and match.group(1)


def add(client, url="https://warehouse.example.com/hooks", description="Data warehouse", **more):
    page = client.get(PAGE)
    return submit(client, page, f"{PAGE}/endpoints", url=url, description=description, **more)


def test_an_endpoint_is_added_and_its_secret_shown_once(client, signed_in_admin):
    page = client.get(PAGE)
    found = form(page.text, f"{PAGE}/endpoints")
    assert [n for n in found["names"] if n == "endpoint-types"] == ["endpoint-types"] * len(
        ALL_TYPES
    )
    for type_ in ALL_TYPES:
        assert f"<code>{type_}</code>" in page.text
    response = client.post(
        f"{PAGE}/endpoints",
        data={
            "csrf_token": csrf_token(page),
            "endpoint-url": "https://warehouse.example.com/hooks",
            "endpoint-description": "Data warehouse",
            "endpoint-types": ["question.asked", "erasure.requested"],
        },
    )
    assert response.status_code == 200
    secret = endpoint_secret(response)
    endpoint = WebhookEndpoint.get()
    assert secret and secret.startswith("whsec_") and secret == endpoint.secret
    assert "It will not be shown again." in response.text
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        assert f"<code>{header}</code>" in response.text
    assert endpoint.types == "question.asked erasure.requested"
    assert (endpoint.url, endpoint.description, endpoint.created_by_id) == (
        "https://warehouse.example.com/hooks",
        "Data warehouse",
        signed_in_admin.id,
    )
    assert audited("webhook_endpoint_added")[0].actor_id == signed_in_admin.id

    again = client.get(PAGE)
    assert secret not in again.text and endpoint_secret(again) is None
    row = row_of(again, "endpoint", endpoint.id)
    assert "<code>question.asked</code> <code>erasure.requested</code>" in row
    assert "Data warehouse" in row and "by Ann Admin" in row and "Live" in row
    assert f'href="{PAGE}/endpoints/{endpoint.id}/disable"' in row


def test_an_endpoint_with_no_type_ticked_gets_every_type(client, signed_in_admin):
    add(client)
    endpoint = WebhookEndpoint.get()
    assert endpoint.types == ""
    assert ">All</td>" in row_of(client.get(PAGE), "endpoint", endpoint.id)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"url": ""}, "URL is required."),
        ({"url": "ftp://files.example.com"}, "is not a web address"),
        ({"url": "https://x.example.com/a b"}, "is not a web address"),
        ({"description": "x" * 201}, "Description is too long (201 characters; at most 200)."),
        ({"types": "candidate.hired"}, "'candidate.hired' is not a valid choice for this field."),
    ],
    ids=["empty", "ftp", "space", "long-description", "unknown-type"],
)
def test_a_refused_endpoint_is_shown_again_as_typed(client, signed_in_admin, values, message):
    typed = {"url": "https://warehouse.example.com/hooks", "description": "Kept", **values}
    page = client.get(PAGE)
    data = {"csrf_token": csrf_token(page)}
    data.update({f"endpoint-{k}": v for k, v in typed.items()})
    response = client.post(f"{PAGE}/endpoints", data=data)
    assert response.status_code == 400
    assert message in response.text or shown(message) in response.text
    assert endpoint_secret(response) is None
    again = form(response.text, f"{PAGE}/endpoints")["fields"]
    assert again["endpoint-url"] == typed["url"]
    assert again["endpoint-description"] == typed["description"]
    assert WebhookEndpoint.select().count() == 0


def test_disabling_asks_first(client, signed_in_admin, make_application):
    add(client)
    endpoint = WebhookEndpoint.get()
    ask(make_application(), "Is the role remote?")
    disable = f"{PAGE}/endpoints/{endpoint.id}/disable"
    ask_first = client.get(disable)
    assert ask_first.status_code == 200
    assert "Nothing more is sent there, from now on." in ask_first.text
    assert "The 1 event still waiting for it is never sent" in ask_first.text
    assert WebhookEndpoint.get_by_id(endpoint.id).disabled is None

    done = submit(client, ask_first, disable)
    assert done.headers["Location"] == f"{PAGE}#endpoint-{endpoint.id}"
    assert WebhookEndpoint.get_by_id(endpoint.id).disabled is not None
    page = client.get(PAGE)
    assert "Disabled https://warehouse.example.com/hooks: nothing more is sent there." in page.text
    row = row_of(page, "endpoint", endpoint.id)
    assert "Disabled" in row and "/disable" not in row
    assert audited("webhook_endpoint_disabled")[0].actor_id == signed_in_admin.id
    ask(make_application(), "Another question")
    assert OutboundEvent.select().count() == 1  # nothing more queued for it
    twice = submit(client, ask_first, disable, follow_redirects=True)
    assert "was already disabled" in twice.text
    assert len(audited("webhook_endpoint_disabled")) == 1


# --- recent deliveries ------------------------------------------------------------------


def test_a_failed_event_is_replayed_with_its_attempts_counted_afresh(
    client, admin, signed_in_admin, make_application
):
    outbound.add_endpoint(admin, "https://warehouse.example.com/hooks", "Data warehouse")
    application = make_application()
    ask(application, "Is the role remote?")
    ask(application, "And the salary?")
    failed, waiting = OutboundEvent.select().order_by(OutboundEvent.id)
    OutboundEvent.update(
        attempts=outbound.ATTEMPTS,
        failed=now(),
        last_status=500,
        last_error="500 Internal Server Error",
    ).where(OutboundEvent.id == failed.id).execute()  # its attempts ran out
    page = client.get(PAGE)
    row = row_of(page, "event", failed.id)
    assert "question.asked" in row and f"about {application.ref}" in row
    assert "Failed" in row and f">{outbound.ATTEMPTS}</td>" in row
    assert "500 Internal Server Error" in row and "Replay" in row
    waiting_row = row_of(page, "event", waiting.id)
    assert "Waiting" in waiting_row and "next attempt" in waiting_row
    assert "Replay" not in waiting_row

    replay = f"{PAGE}/events/{failed.id}/replay"
    done = submit(client, page, replay)
    assert done.headers["Location"] == f"{PAGE}#event-{failed.id}"
    event = OutboundEvent.get_by_id(failed.id)
    assert (event.attempts, event.failed, event.delivered) == (0, None, None)
    assert event.next_attempt <= now()
    [entry] = audited("webhook_replayed")
    assert entry.actor_id == signed_in_admin.id and entry.subject == f"event {failed.id}"
    assert "the worker sends it in its next round" in client.get(PAGE).text
    # a waiting event is not replayed: it is to be sent anyway
    token = csrf_token(page)
    response = client.post(
        f"{PAGE}/events/{waiting.id}/replay", data={"csrf_token": token}, follow_redirects=True
    )
    assert "is waiting to be sent already" in response.text
    assert len(audited("webhook_replayed")) == 1


def test_the_recent_deliveries_read_the_same_whatever_their_number(
    client, admin, signed_in_admin, make_application, sql_statements
):
    outbound.add_endpoint(admin, "https://a.example.com/hooks")
    ask(make_application(), "One?")
    client.get(PAGE)
    sql_statements.clear()
    client.get(PAGE)
    few = len(sql_statements)
    outbound.add_endpoint(admin, "https://b.example.com/hooks")
    for n in range(4):
        ask(make_application(), f"Question {n}?")
    sql_statements.clear()
    page = client.get(PAGE)
    assert page.text.count('<tr id="event-') == 9
    assert len(sql_statements) == few


# --- who may, CSRF, and free text -------------------------------------------------------


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_only_admins_reach_the_held_list_and_the_endpoints(
    client, auth, hooks, admin, make_user, make_application, role
):
    endpoint = outbound.add_endpoint(admin, "https://warehouse.example.com/hooks")
    ask(make_application(), "Is the role remote?")
    event = OutboundEvent.get()
    greenhouse(client, "reject_candidate", rejected_in_greenhouse())
    [delivery] = inbound.held()
    auth.login(make_user(role))
    token = csrf_token(client.get("/admin/jobs/"))
    for path in (
        PAGE,
        f"{PAGE}/deliveries/{delivery.id}/dismiss",
        f"{PAGE}/endpoints/{endpoint.id}/disable",
    ):
        assert client.get(path).status_code == 403, path
    for path, data in (
        (f"{PAGE}/deliveries/{delivery.id}/apply", {}),
        (f"{PAGE}/deliveries/{delivery.id}/link", {f"link-{delivery.id}-application": "A-1"}),
        (f"{PAGE}/deliveries/{delivery.id}/dismiss", {}),
        (f"{PAGE}/endpoints", {"endpoint-url": "https://evil.example.com/"}),
        (f"{PAGE}/endpoints/{endpoint.id}/disable", {}),
        (f"{PAGE}/events/{event.id}/replay", {}),
    ):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert InboundDelivery.get_by_id(delivery.id).outcome == "held"
    assert [e.url for e in WebhookEndpoint.select()] == [endpoint.url]
    assert WebhookEndpoint.get_by_id(endpoint.id).disabled is None
    assert AuditEntry.select().where(AuditEntry.action.startswith("webhook_r")).count() == 0


@pytest.mark.parametrize("token", [None, "forged"])
def test_every_new_post_needs_its_csrf_token(client, hooks, admin, signed_in_admin, token):
    endpoint = outbound.add_endpoint(admin, "https://warehouse.example.com/hooks")
    greenhouse(client, "reject_candidate", rejected_in_greenhouse())
    [delivery] = inbound.held()
    data = {"csrf_token": token} if token else {}
    for path in (
        f"{PAGE}/deliveries/{delivery.id}/apply",
        f"{PAGE}/deliveries/{delivery.id}/link",
        f"{PAGE}/deliveries/{delivery.id}/dismiss",
        f"{PAGE}/endpoints",
        f"{PAGE}/endpoints/{endpoint.id}/disable",
        f"{PAGE}/events/1/replay",
    ):
        response = client.post(path, data={**data, "endpoint-url": "https://evil.example.com/"})
        assert response.status_code == 400 and CSRF_REFUSAL in response.text, path
    assert InboundDelivery.get_by_id(delivery.id).outcome == "held"
    assert WebhookEndpoint.select().count() == 1
    assert WebhookEndpoint.get_by_id(endpoint.id).disabled is None


def test_a_script_in_an_endpoint_is_only_text(client, signed_in_admin):
    added = add(client, url=f"https://x.example.com/{SCRIPT}", description=SCRIPT)
    assert added.status_code == 200
    endpoint = WebhookEndpoint.get()
    assert endpoint.description == SCRIPT
    disable = f"{PAGE}/endpoints/{endpoint.id}/disable"
    for page in (added, client.get(PAGE), client.get(disable)):
        assert page.status_code == 200
        assert SCRIPT not in page.text and ESCAPED in page.text
    disabled = submit(client, client.get(disable), disable, True)
    assert SCRIPT not in disabled.text and ESCAPED in disabled.text  # the flash too


# --- in a real browser ------------------------------------------------------------------


def looked_at(page, viewport, what: str) -> None:
    """The page, once loaded with its styles, fits the viewport and axe finds nothing
    serious on it."""
    page.wait_for_load_state("load")
    assert_fits(page, viewport, what)
    assert serious_violations(page) == [], what


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_held_deliveries_and_endpoints_in_a_browser(
    app, client, browser, server, hooks, admin, make_job, make_application, viewport
):
    job = make_job(title="Data Scientist with a long title for a phone", ref="J-DS")
    mapping.link_job(admin, job, "greenhouse", "274075")
    new = rejected_in_greenhouse() | {"candidate": {"id": 1, "first_name": "Jane"}}
    new["candidate"]["email_addresses"] = [{"value": "jane@example.org", "type": "personal"}]
    assert greenhouse(client, "new_candidate_application", new) == "held"  # a stage unmapped
    other = rejected_in_greenhouse(application_id=5551234)
    assert greenhouse(client, "reject_candidate", other) == "held"  # an application unknown
    mapping.add_mapping(admin, job, "lever", "archive:63dd55b2", "Not a fit")
    outbound.add_endpoint(
        admin, "https://warehouse.example.com/hooks/with/a/rather/long/path", "Data warehouse"
    )
    ask(make_application(job=job), "Is the role remote?")

    context, page = signed_in(browser, server, admin, viewport)
    page.goto(server + PAGE)
    looked_at(page, viewport, "the integrations page with held deliveries and an endpoint")
    assert "Link to application" in page.locator("table.held-deliveries").inner_text()

    page.click("a:has-text('ATS mapping of J-DS')")
    page.wait_for_url(f"{server}/admin/jobs/J-DS/ats")
    looked_at(page, viewport, "the job's ATS page with an unmapped stage")
    [unmapped] = [r for r in mapping.mappings(job) if r.vendor == "greenhouse"]
    interviews = next(s for s in job.stages if s.name == "Interviews")
    page.select_option(f"#mapping-{unmapped.id}-means", str(interviews.id))
    page.click(f"#mapping-{unmapped.id} button:has-text('Save')")
    page.wait_for_url(f"{server}/admin/jobs/J-DS/ats#mapping-{unmapped.id}")
    page.click("button:has-text('Apply again')")
    page.wait_for_url(f"{server}/admin/jobs/J-DS/ats")
    assert "Applied: Added as GH-71980812." in page.content()
    looked_at(page, viewport, "the job's ATS page, all applied")
    assert Application.get(Application.ref == "GH-71980812").stage_id == interviews.id

    page.goto(server + PAGE)
    page.fill("#endpoint-url", "https://crm.example.com/hooks")
    page.check("#endpoint-types-3")
    page.click("button:has-text('Add the endpoint')")
    secret = page.input_value("#endpoint-secret")
    assert secret.startswith("whsec_")
    looked_at(page, viewport, "the new endpoint's secret")
    context.close()
