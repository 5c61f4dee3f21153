"""Removing a stage that only closed applications (or history) still name: it is kept,
marked removed, with its label, and hidden from the pipeline editor, the board, the move
and reopen choices and the follow-up queue's bulk moves; a stage with active applications
still cannot go. The stages page counts what it counts."""

import json
import re

import pytest
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.factories import stage

from portal import domain
from portal.errors import Invalid
from portal.followup import actions as followup
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Feedback
from portal.store.models import Stage


@pytest.fixture
def recruiter(make_user, auth):
    user = make_user("recruiter", name="Rita Recruiter")
    auth.login(user)
    return user


def closed_at(job, name, make_application, count=1, who="Closed Person"):
    """``count`` applications moved to stage ``name`` and closed there."""
    made = []
    for n in range(count):
        application = make_application(job=job, name=f"{who} {n}")
        if name != "Applied":
            domain.move(None, application, stage(job, name), application.version)
        application = Application.get_by_id(application.id)
        domain.close(None, application, application.version, "rejected", "Thank you.")
        made.append(Application.get_by_id(application.id))
    return made


def without(job, *names) -> list[dict]:
    """The job's pipeline as set_stages takes it, leaving out the stages ``names``."""
    return [
        {"id": s.id, "name": s.name, "candidate_label": s.candidate_label}
        for s in job.stages.where(Stage.removed.is_null()).order_by(Stage.position)
        if s.name not in names
    ]


def names(pipeline) -> list[str]:
    return [s.name for s in pipeline]


# --- the domain ----------------------------------------------------------------------------


def test_a_stage_with_only_closed_applications_is_kept_as_removed(make_job, make_application):
    job = make_job()
    [closed] = closed_at(job, "Screen", make_application)
    screen = stage(job, "Screen")
    kept = domain.set_stages(None, job, without(job, "Screen"))
    assert names(kept) == ["Applied", "Interviews", "Decision", "Offer"]
    removed = Stage.get_by_id(screen.id)
    assert removed.removed is not None
    assert (removed.name, removed.candidate_label) == ("Screen", "Introductory call")
    assert Application.get_by_id(closed.id).stage_id == screen.id  # it keeps its label
    assert removed.position >= len(kept)  # after the pipeline: never a first stage
    assert names(domain.queries.stages(job)) == names(kept)
    entry = AuditEntry.select().where(AuditEntry.action == "job_changed").order_by(AuditEntry.id)
    assert json.loads(list(entry)[-1].detail)["pipeline"]["kept"] == ["Screen"]


def test_a_stage_nothing_names_is_deleted(make_job):
    job = make_job()
    offer = stage(job, "Offer")
    domain.set_stages(None, job, without(job, "Offer"))
    assert Stage.get_or_none(Stage.id == offer.id) is None


def test_a_stage_that_history_and_feedback_name_is_kept(make_user, make_job, make_application):
    manager = make_user("manager")
    job = make_job(managers=[manager])
    application = make_application(job=job)
    interviews = stage(job, "Interviews")
    domain.move(None, application, interviews, application.version)
    domain.submit_feedback(manager, application, interviews, 3, "yes", "Good", "")
    application = Application.get_by_id(application.id)
    domain.move(None, application, stage(job, "Decision"), application.version)
    domain.set_stages(None, job, without(job, "Interviews"))
    assert Stage.get_by_id(interviews.id).removed is not None
    assert Feedback.get().stage_id == interviews.id  # the scorecard is not lost with it


def test_a_stage_with_active_applications_still_cannot_go(make_job, make_application):
    job = make_job()
    closed_at(job, "Screen", make_application, count=2)
    for _ in range(3):
        application = make_application(job=job)
        domain.move(None, application, stage(job, "Screen"), application.version)
    with pytest.raises(Invalid) as refused:
        domain.set_stages(None, job, without(job, "Screen"))
    assert refused.value.message == (
        "Stage 'Screen' still has applications: 3 active. Move them to a stage you keep "
        "first (from the Screen column of the job's board), then remove it. Its 2 closed "
        "can stay where they are."
    )
    assert stage(job, "Screen").removed is None


def test_new_applications_start_at_the_first_live_stage(make_job, make_application):
    job = make_job()
    closed_at(job, "Applied", make_application)
    domain.set_stages(None, job, without(job, "Applied"))
    assert make_application(job=job).stage.name == "Screen"


def test_a_removed_stage_is_not_edited_back_in(make_job, make_application):
    job = make_job()
    closed_at(job, "Screen", make_application)
    screen = stage(job, "Screen")
    domain.set_stages(None, job, without(job, "Screen"))
    with pytest.raises(Invalid, match="is not part of job"):
        domain.set_stages(None, job, [*without(job), {"id": screen.id, "name": "Screen"}])
    # a later edit keeps it out of the pipeline, numbered after it
    domain.set_stages(None, job, [*without(job), {"name": "Take-home"}])
    assert names(domain.queries.stages(job))[-1] == "Take-home"
    assert Stage.get_by_id(screen.id).position == len(domain.queries.stages(job))


def test_bulk_moves_offer_no_removed_stage(make_job, make_application):
    job = make_job()
    closed_at(job, "Screen", make_application)
    domain.set_stages(None, job, without(job, "Screen"))
    assert "Screen" not in followup.stage_names([job.id])
    assert "Screen" not in followup.stage_names()


# --- the admin -----------------------------------------------------------------------------


def test_the_stages_page_counts_what_it_counts(client, recruiter, make_job, make_application):
    job = make_job()
    closed_at(job, "Screen", make_application, count=2)
    application = make_application(job=job)
    domain.move(None, application, stage(job, "Screen"), application.version)
    page = client.get(f"/admin/jobs/{job.ref}/stages")
    assert "1 active · 2 closed</span>" in page.text
    assert "Each stage counts the applications there now (active, as on the board)" in page.text
    board = client.get(f"/admin/jobs/{job.ref}/").text
    assert "Each column counts its active applications" in board
    assert "Closed (not in the columns):" in board and ">2 rejected</a>" in board


def test_removing_from_the_editor_says_what_saving_does(
    client, recruiter, make_job, make_application
):
    job = make_job()
    closed_at(job, "Screen", make_application, count=2)
    page = client.get(f"/admin/jobs/{job.ref}/stages")
    draft = client.post(page.request.path, data={**fill(form(page.text, "")), "action": "remove-1"})
    said = " ".join(re.sub(r"<[^>]+>", " ", draft.text).split())
    assert "Saving takes out of the pipeline" in said
    assert "Screen : its 2 closed applications stay where they are" in said
    saved = client.post(page.request.path, data={**fill(form(draft.text, "")), "action": "save"})
    assert saved.status_code == 302
    shown = client.get(saved.headers["Location"]).text
    assert "kept for the history of their closed applications: Screen (2 closed)" in shown
    editor = client.get(f"/admin/jobs/{job.ref}/stages").text
    fields = form(editor, "")["fields"]
    assert "Screen" not in [v for k, v in fields.items() if k.endswith("-name")]
    assert "Removed, kept for history" in editor and "2 closed" in editor
    assert "Removed but kept for history: Screen" in client.get(f"/admin/jobs/{job.ref}/edit").text


def test_the_board_and_the_lists_hide_a_removed_stage(
    client, recruiter, make_job, make_application
):
    job = make_job()
    closed_at(job, "Screen", make_application)
    screen = stage(job, "Screen")
    domain.set_stages(None, job, without(job, "Screen"))
    board = client.get(f"/admin/jobs/{job.ref}/").text
    columns = re.findall(r'<section class="column"[^>]*>\s*<h2[^>]*><a[^>]*>([^<]+)</a>', board)
    assert columns == ["Applied", "Interviews", "Decision", "Offer"]
    assert ">1 rejected</a>" in board  # still counted among the closed
    listing = client.get(f"/admin/applications/?job={job.ref}").text
    assert f'<option value="{screen.id}"' not in listing


def options(html: str, name: str) -> list[int]:
    """The stage ids a select of the application page offers."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return [int(value) for value in re.findall(r'<option[^>]*value="(\d+)"', select)]


def live_ids(job) -> list[int]:
    return [s.id for s in domain.queries.stages(job)]


def test_moving_offers_only_live_stages(client, recruiter, make_job, make_application):
    job = make_job()
    closed_at(job, "Screen", make_application)
    domain.set_stages(None, job, without(job, "Screen"))
    active = make_application(job=job)
    page = client.get(f"/admin/applications/{active.ref}/").text
    assert options(page, "move-stage") == live_ids(job)
    assert names(domain.queries.stages(job)) == ["Applied", "Interviews", "Decision", "Offer"]


def test_reopening_at_a_removed_stage_offers_only_live_stages(
    client, recruiter, make_job, make_application
):
    job = make_job()
    [closed] = closed_at(job, "Screen", make_application)
    screen = stage(job, "Screen")
    domain.set_stages(None, job, without(job, "Screen"))
    page = client.get(f"/admin/applications/{closed.ref}/")
    assert options(page.text, "reopen-stage") == live_ids(job)
    assert screen.id not in live_ids(job)
    refused = submit(client, page, "/reopen", stage=str(screen.id))
    assert refused.status_code == 400
    assert Application.get_by_id(closed.id).status == "rejected"
    reopened = submit(client, page, "/reopen", stage=str(stage(job, "Interviews").id))
    assert reopened.status_code == 302
    after = Application.get_by_id(closed.id)
    assert (after.status, after.stage.name) == ("active", "Interviews")
