"""A job's ATS page (/admin/jobs/<ref>/ats): a recruiter links the job to its Greenhouse
job, says what each stage Greenhouse or Lever names means here (the unmapped ones first),
adds one by hand, and applies again what was held until then; managers never reach it,
every POST needs its CSRF token, and an ATS's names are only text."""

import hashlib
import hmac
import json

import pytest
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.http import Auth
from helpers.http import csrf_token
from markupsafe import escape

from portal.integrations import inbound
from portal.integrations import mapping
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Event
from portal.store.models import ExternalRecord
from portal.store.models import StageMapping

SECRET = "gh-secret-for-the-admin-tests-0123456789"
GH_JOB, GH_APPLICATION = 274075, 71980812
SCREEN, FACE_TO_FACE = ("2944102", "Preliminary Phone Screen"), ("2944103", "Face to Face")
CSRF_REFUSAL = "The form had expired or did not come from this site."
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def gh_application(stage, at="2026-12-01T10:00:00Z", job=GH_JOB):
    """Greenhouse's application object, as its web hooks send it."""
    return {
        "id": GH_APPLICATION,
        "last_activity_at": at,
        "current_stage": {"id": int(stage[0]), "name": stage[1]},
        "candidate": {
            "id": 60304594,
            "first_name": "Jane",
            "last_name": "Smith",
            "email_addresses": [{"value": "jane@example.org", "type": "personal"}],
        },
        "jobs": [{"id": job, "name": "Data Scientist"}],
    }


def greenhouse(client, action, application):
    """Post a delivery to /hooks/greenhouse signed as Greenhouse signs it."""
    body = json.dumps({"action": action, "payload": {"application": application}}).encode()
    signature = "sha256 " + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        "/hooks/greenhouse",
        data=body,
        headers={"Signature": signature},
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json["outcome"]


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", name="Rae Recruiter")


@pytest.fixture
def job(app, make_job, recruiter):
    """J-DS, linked to Greenhouse's job, its phone screen mapped to our Screen."""
    app.config["GREENHOUSE_SECRETS"] = [SECRET]
    job = make_job(title="Data Scientist", ref="J-DS", recruiter=recruiter)
    mapping.link_job(recruiter, job, "greenhouse", str(GH_JOB))
    row = mapping.add_mapping(recruiter, job, "greenhouse", *SCREEN)
    mapping.map_stage(recruiter, row, stage(job, "Screen"))
    return job


@pytest.fixture
def signed_in(auth, recruiter):
    auth.login(recruiter)
    return recruiter


def stage(job, name):
    return next(s for s in job.stages if s.name == name)


def page_of(job) -> str:
    return f"/admin/jobs/{job.ref}/ats"


def row_html(page, row: StageMapping) -> str:
    return page.text.split(f'id="mapping-{row.id}"', 1)[1].split("</tr>", 1)[0]


def shown(text: str) -> str:
    """``text`` as a page shows a value: escaped."""
    return str(escape(text))


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action))


def ours() -> Application:
    return Application.get(Application.ref == f"GH-{GH_APPLICATION}")


# --- from a held delivery to a move -------------------------------------------------------


def test_a_held_stage_is_mapped_and_the_delivery_applied_again(client, job, signed_in):
    assert greenhouse(client, "new_candidate_application", gh_application(SCREEN)) == "applied"
    moved = gh_application(FACE_TO_FACE, at="2026-12-02T09:00:00Z")
    assert greenhouse(client, "candidate_stage_change", moved) == "held"
    assert ours().stage.name == "Screen"
    unmapped = StageMapping.get(StageMapping.external_stage == FACE_TO_FACE[0])

    board = client.get(f"/admin/jobs/{job.ref}/")
    assert f'href="{page_of(job)}">ATS mapping</a>' in board.text
    page = client.get(page_of(job))
    assert page.status_code == 200
    assert "Linked to Greenhouse's job <code>274075</code>" in page.text
    # the unmapped stage first, highlighted; then the mapped one
    assert page.text.index(f'id="mapping-{unmapped.id}"') < page.text.index("Preliminary Phone")
    assert f'id="mapping-{unmapped.id}" class="unmapped"' in page.text
    assert "Not mapped yet" in row_html(page, unmapped) and "Face to Face" in row_html(
        page, unmapped
    )
    [held] = inbound.held()
    assert "Held deliveries about this job" in page.text and f'id="delivery-{held.id}"' in page.text

    action = f"{page_of(job)}/stages/{unmapped.id}"
    saved = submit(
        client,
        page,
        action,
        means=str(stage(job, "Interviews").id),
        message="The team would like to meet you.",
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"{page_of(job)}#mapping-{unmapped.id}"
    row = StageMapping.get_by_id(unmapped.id)
    assert (row.stage.name, row.outcome) == ("Interviews", "")
    assert row.message == "The team would like to meet you."
    entry = audited("ats_stage_mapped")[-1]
    assert entry.actor_id == signed_in.id and entry.subject == job.ref
    assert json.loads(entry.detail)["stage"] == "Interviews"
    page = client.get(page_of(job))
    assert (
        shown("Saved: Greenhouse's “Face to Face” moves applications to Interviews.") in page.text
    )
    assert "Not mapped yet</span>" not in row_html(page, row)

    applied = submit(client, page, f"{page_of(job)}/held/{held.id}/apply", follow_redirects=True)
    assert f"Applied: GH-{GH_APPLICATION} moved to Interviews." in applied.text
    assert ours().stage.name == "Interviews"
    [move] = Event.select().where((Event.kind == "moved") & (Event.application == ours().id))
    assert move.message == "The team would like to meet you."
    assert inbound.held() == [] and "Held deliveries about this job" not in applied.text
    assert audited("ats_delivery_applied")[0].actor_id == signed_in.id


def test_a_stage_means_a_stage_an_outcome_or_nothing_yet(client, job, signed_in):
    greenhouse(client, "new_candidate_application", gh_application(SCREEN))
    greenhouse(client, "candidate_stage_change", gh_application(FACE_TO_FACE, "2026-12-02T09:00Z"))
    row = StageMapping.get(StageMapping.external_stage == FACE_TO_FACE[0])
    page = client.get(page_of(job))
    found = form(page.text, f"{page_of(job)}/stages/{row.id}")
    assert found["fields"][f"mapping-{row.id}-means"] == ""  # not mapped yet
    cell = row_html(page, row)
    for name in ("Applied", "Screen", "Interviews", "Decision", "Offer"):
        assert f">{name}</option>" in cell
    for outcome in ("hired", "rejected", "withdrawn"):
        assert f'<option value="{outcome}">Close as {outcome}</option>' in cell
    assert "Not mapped yet: hold what arrives</option>" in cell
    assert shown("empty: the stage's own words.") in cell

    submit(client, page, f"{page_of(job)}/stages/{row.id}", means="rejected")
    row = StageMapping.get_by_id(row.id)
    assert (row.stage_id, row.outcome) == (None, "rejected")
    page = client.get(page_of(job))
    assert "closes applications as rejected" in page.text
    assert form(page.text, f"/stages/{row.id}")["fields"][f"mapping-{row.id}-means"] == "rejected"
    # and back to nothing: what arrives there is held again
    submit(client, page, f"{page_of(job)}/stages/{row.id}", means="")
    row = StageMapping.get_by_id(row.id)
    assert (row.stage_id, row.outcome) == (None, "")
    assert "is not mapped; what arrives there is held" in client.get(page_of(job)).text


@pytest.mark.parametrize(
    "values, message",
    [
        ({"means": "999999"}, "Choose what the stage means from the list."),
        ({"means": "hired", "message": "x" * 5001}, "Message is too long (5001 characters"),
    ],
    ids=["unknown-stage", "long-message"],
)
def test_a_refused_mapping_is_shown_again_as_typed(client, job, signed_in, values, message):
    row = StageMapping.get(StageMapping.external_stage == SCREEN[0])
    page = client.get(page_of(job))
    response = submit(client, page, f"{page_of(job)}/stages/{row.id}", **values)
    assert response.status_code == 400
    cell = row_html(response, row)
    assert message in cell and 'role="alert"' in cell
    if "message" in values:
        again = form(response.text, f"/stages/{row.id}")
        assert again["fields"][f"mapping-{row.id}-message"] == values["message"]
    row = StageMapping.get_by_id(row.id)
    assert (row.stage.name, row.outcome, row.message) == ("Screen", "", "")


# --- linking the job, adding a stage ----------------------------------------------------


def test_the_job_is_linked_to_its_greenhouse_id(client, make_job, job, recruiter, signed_in):
    other = make_job(title="Chef", ref="J-CHEF", recruiter=recruiter)
    page = client.get(page_of(other))
    assert "Not linked yet" in page.text and "Lever's jobs are not linked" in page.text
    linked = submit(client, page, f"{page_of(other)}/link", external_id=" 555 ")
    assert linked.status_code == 302
    assert mapping.linked_ids(other) == {"greenhouse": "555"}
    assert json.loads(audited("ats_job_linked")[-1].detail)["external_id"] == "555"
    page = client.get(page_of(other))
    assert shown("Linked to Greenhouse's job 555.") in page.text  # the flash
    assert "Linked to Greenhouse's job <code>555</code>" in page.text

    taken = submit(client, page, f"{page_of(other)}/link", external_id=str(GH_JOB))
    assert taken.status_code == 400
    assert shown(f"Greenhouse's job {GH_JOB} is already linked to J-DS.") in taken.text
    assert form(taken.text, "/link")["fields"]["link-external_id"] == str(GH_JOB)
    empty = submit(client, page, f"{page_of(other)}/link", external_id="  ")
    assert empty.status_code == 400 and shown("The ATS's job id is required.") in empty.text
    assert mapping.linked_ids(other) == {"greenhouse": "555"}


def test_a_stage_is_added_by_hand_before_any_delivery(client, job, signed_in):
    page = client.get(page_of(job))
    added = submit(
        client,
        page,
        f"{page_of(job)}/stages",
        vendor="lever",
        external_stage="archive:63dd55b2",
        external_name="Not a fit",
    )
    row = StageMapping.get(StageMapping.external_stage == "archive:63dd55b2")
    assert added.status_code == 302
    assert added.headers["Location"] == f"{page_of(job)}#mapping-{row.id}"
    assert (row.job_id, row.vendor, row.external_name) == (job.id, "lever", "Not a fit")
    assert row.stage_id is None and row.outcome == ""
    [entry] = audited("ats_stage_added")[-1:]
    assert entry.actor_id == signed_in.id and entry.subject == job.ref
    page = client.get(page_of(job))
    assert "archive reason 63dd55b2" in row_html(page, row)

    again = submit(
        client, page, f"{page_of(job)}/stages", vendor="lever", external_stage="archive:63dd55b2"
    )
    assert again.status_code == 400 and "is already listed on job J-DS" in again.text
    blank = submit(client, page, f"{page_of(job)}/stages", external_stage=" ", external_name="Kept")
    assert blank.status_code == 400 and "stage id is required." in blank.text
    assert form(blank.text, f"{page_of(job)}/stages")["fields"]["stage-external_name"] == "Kept"
    unknown = submit(client, page, f"{page_of(job)}/stages", vendor="workday", external_stage="1")
    assert unknown.status_code == 400
    assert StageMapping.select().where(StageMapping.job == job.id).count() == 2


# --- who may, CSRF, and what an ATS names -------------------------------------------------


def test_managers_never_reach_the_ats_page(client, auth, job, make_user, make_job):
    manager = make_user("manager")
    theirs = make_job(title="Managed", managers=[manager])
    auth.login(manager)
    token = csrf_token(client.get("/admin/jobs/"))
    row = StageMapping.get()
    before = (StageMapping.select().count(), ExternalRecord.select().count())
    assert "ATS mapping" not in client.get(f"/admin/jobs/{theirs.ref}/").text
    for each in (job, theirs):
        assert client.get(page_of(each)).status_code in (403, 404)
        for path, data in (
            (f"{page_of(each)}/link", {"link-external_id": "9"}),
            (f"{page_of(each)}/stages", {"stage-vendor": "lever", "stage-external_stage": "x"}),
            (f"{page_of(each)}/stages/{row.id}", {f"mapping-{row.id}-means": "hired"}),
            (f"{page_of(each)}/held/1/apply", {}),
        ):
            response = client.post(path, data={"csrf_token": token, **data})
            assert response.status_code in (403, 404), path
    assert (StageMapping.select().count(), ExternalRecord.select().count()) == before
    assert StageMapping.get_by_id(row.id).outcome == ""


def test_a_row_of_another_job_is_a_404(client, job, make_job, recruiter, signed_in):
    other = make_job(title="Chef", recruiter=recruiter)
    row = StageMapping.get()
    page = client.get(page_of(other))
    token = csrf_token(page)
    data = {"csrf_token": token, f"mapping-{row.id}-means": "hired"}
    assert client.post(f"{page_of(other)}/stages/{row.id}", data=data).status_code == 404
    assert StageMapping.get_by_id(row.id).outcome == ""


@pytest.mark.parametrize("token", [None, "forged"])
def test_every_post_needs_its_csrf_token(client, job, signed_in, token):
    row = StageMapping.get()
    data = {"csrf_token": token} if token else {}
    for path, typed in (
        (f"{page_of(job)}/link", {"link-external_id": "9"}),
        (f"{page_of(job)}/stages", {"stage-vendor": "lever", "stage-external_stage": "x"}),
        (f"{page_of(job)}/stages/{row.id}", {f"mapping-{row.id}-means": "hired"}),
        (f"{page_of(job)}/held/1/apply", {}),
    ):
        response = client.post(path, data={**data, **typed})
        assert response.status_code == 400 and CSRF_REFUSAL in response.text, path
    assert StageMapping.select().count() == 1 and StageMapping.get().outcome == ""
    assert mapping.linked_ids(job) == {"greenhouse": str(GH_JOB)}


def test_an_ats_stage_name_is_only_text(app, client, job, signed_in, make_user):
    greenhouse(client, "new_candidate_application", gh_application(SCREEN))
    greenhouse(client, "candidate_stage_change", gh_application(("2944199", SCRIPT), "2026-12-03"))
    row = StageMapping.get(StageMapping.external_stage == "2944199")
    assert row.external_name == SCRIPT
    page = client.get(page_of(job))
    assert SCRIPT not in page.text and ESCAPED in page.text
    saved = submit(client, page, f"{page_of(job)}/stages/{row.id}", True, means="withdrawn")
    assert SCRIPT not in saved.text and ESCAPED in saved.text  # the flash too
    admin = app.test_client()
    Auth(admin).login(make_user("admin"))
    held = admin.get("/admin/integrations")
    assert "Needs attention" in held.text
    assert SCRIPT not in held.text and ESCAPED in held.text
