"""Jobs: the list with counts per status, creating and editing a job, the board, and the
pipeline editor (add, remove, reorder without JS)."""

import re
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from datetime import UTC

import pytest
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.http import Auth

from portal import domain
from portal.store.models import Application
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import Stage


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", name="Rita Recruiter")


def pipeline(job) -> list[tuple]:
    stages = Stage.select().where(Stage.job == job).order_by(Stage.position)
    return [(s.name, s.candidate_label, s.follow_up_days, s.interview) for s in stages]


def stage(job, name) -> Stage:
    return Stage.get((Stage.job == job) & (Stage.name == name))


# --- the list -----------------------------------------------------------------------


def test_jobs_list_counts_applications_per_status(
    client, auth, recruiter, make_job, make_application
):
    job = make_job(title="Data Engineer", team="Data", location="Leeds")
    for _ in range(3):
        make_application(job=job)
    rejected = make_application(job=job)
    domain.close(None, rejected, rejected.version, "rejected", "Sorry")
    hired = make_application(job=job)
    domain.close(None, hired, hired.version, "hired", "Welcome")
    empty = make_job(title="Empty Job")
    auth.login(recruiter)
    page = client.get("/admin/jobs/")
    assert page.status_code == 200
    row = re.search(
        r"<tr>\s*<td data-label=\"Job\"><a[^>]*>Data Engineer</a>.*?</tr>", page.text, re.S
    )
    assert row, page.text
    cells = dict(
        re.findall(
            r'data-label="(Active|Hired|Rejected|Withdrawn)" class="num">(.*?)</td>', row.group(0)
        )
    )
    assert re.sub(r"<[^>]+>", "", cells["Active"]) == "3"
    assert re.sub(r"<[^>]+>", "", cells["Hired"]) == "1"
    assert re.sub(r"<[^>]+>", "", cells["Rejected"]) == "1"
    assert re.sub(r"<[^>]+>", "", cells["Withdrawn"]) == "0"
    assert f'href="/admin/applications/?job={job.ref}&amp;status=active"' in row.group(0)
    assert "Data · Leeds" in row.group(0)
    assert "Empty Job" in page.text and empty.ref in page.text


def test_closed_jobs_are_hidden_until_asked_for(client, auth, recruiter, make_job):
    make_job(title="Open Role")
    make_job(title="Filled Role", is_open=False)
    auth.login(recruiter)
    assert "Filled Role" not in client.get("/admin/jobs/").text
    everything = client.get("/admin/jobs/?closed=1").text
    assert "Filled Role" in everything and "Open Role" in everything


def test_jobs_list_takes_three_queries_whatever_the_number_of_jobs(
    client, auth, recruiter, make_job, sql_statements
):
    auth.login(recruiter)
    counts = []
    for _ in range(2):
        for _ in range(5):
            make_job()
        sql_statements.clear()
        client.get("/admin/jobs/")
        counts.append(len(sql_statements))
    assert counts == [3, 3]


# --- creating and editing ---------------------------------------------------------------


def test_create_a_job_with_the_default_pipeline(client, auth, recruiter, make_user):
    manager = make_user("manager", name="Max Manager")
    auth.login(recruiter)
    page = client.get("/admin/jobs/new")
    assert page.status_code == 200
    new = form(page.text, "")
    assert new["fields"]["recruiter"] == str(recruiter.id)  # the recruiter creating it
    response = submit(
        client,
        page,
        "",
        ref="ENG-7",
        title="Platform Engineer",
        team="Platform",
        location="Remote",
        managers=str(manager.id),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/jobs/ENG-7/stages"
    job = Job.get(Job.ref == "ENG-7")
    assert (job.title, job.team, job.location, job.open) == (
        "Platform Engineer",
        "Platform",
        "Remote",
        True,
    )
    assert [m.user_id for m in job.managers] == [manager.id]
    assert [row[0] for row in pipeline(job)] == [row[0] for row in domain.DEFAULT_PIPELINE]
    assert (
        "Created Platform Engineer with the default pipeline"
        in client.get(response.headers["Location"]).text
    )


def test_a_job_needs_a_title_and_a_unique_reference(client, auth, recruiter, make_job):
    make_job(ref="TAKEN")
    auth.login(recruiter)
    page = client.get("/admin/jobs/new")
    untitled = submit(client, page, "", title="", team="Kept team")
    assert untitled.status_code == 400
    assert "This field is required." in untitled.text
    assert 'value="Kept team"' in untitled.text
    taken = submit(client, page, "", ref="TAKEN", title="Second")
    assert taken.status_code == 400
    assert "A job with the reference TAKEN already exists." in taken.text
    assert Job.select().count() == 1


def test_edit_a_job(client, auth, recruiter, make_user, make_job):
    old_manager, new_manager = make_user("manager"), make_user("manager")
    job = make_job(title="Old Title", recruiter=recruiter, managers=[old_manager])
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/edit")
    assert page.status_code == 200
    current = form(page.text, "")["fields"]
    assert current["title"] == "Old Title"
    assert current["managers"] == str(old_manager.id)
    assert current["open"] == "y"
    data = fill(
        form(page.text, ""),
        title="New Title",
        location="Bristol",
        managers=str(new_manager.id),
        stale_days="10",
        open=None,
    )
    response = client.post(f"/admin/jobs/{job.ref}/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/jobs/{job.ref}/"
    job = Job.get_by_id(job.id)
    assert (job.title, job.location, job.recruiter_id, job.stale_days, job.open) == (
        "New Title",
        "Bristol",
        recruiter.id,
        10,
        False,
    )
    assert [m.user_id for m in JobManager.select().where(JobManager.job == job)] == [new_manager.id]
    board = client.get(f"/admin/jobs/{job.ref}/").text
    assert "Saved New Title." in board and "Rita Recruiter" in board and "Closed" in board


def test_a3_an_admin_changes_a_jobs_recruiter(client, auth, recruiter, make_user, make_job):
    """A3: the recruiter is a choice on an admin's job form, and the board shows the new one."""
    other_recruiter = make_user("recruiter", name="Ravi Recruiter")
    job = make_job(title="Old Title", recruiter=recruiter)
    auth.login(make_user("admin"))
    page = client.get(f"/admin/jobs/{job.ref}/edit")
    assert form(page.text, "")["fields"]["recruiter"] == str(recruiter.id)
    response = submit(client, page, "", recruiter=str(other_recruiter.id))
    assert response.status_code == 302
    assert Job.get_by_id(job.id).recruiter_id == other_recruiter.id
    assert "Ravi Recruiter" in client.get(f"/admin/jobs/{job.ref}/").text


@pytest.mark.parametrize("whose", ["theirs", "another's"])
def test_a3_a_recruiter_edits_a_job_but_not_its_recruiter(
    client, auth, recruiter, make_user, make_job, whose
):
    """A3: a recruiter's job form shows the recruiter without a choice, and a recruiter
    sent anyway is not taken: the job keeps its recruiter, the rest is saved."""
    rita = recruiter if whose == "theirs" else make_user("recruiter", name="Rosa Recruiter")
    job = make_job(title="Old Title", recruiter=rita)
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/edit")
    assert page.status_code == 200
    assert "recruiter" not in form(page.text, "")["names"]
    assert f"{rita.name}</" in page.text and "Only an admin can change" in page.text
    sneaked = {**fill(form(page.text, ""), title="New Title"), "recruiter": str(recruiter.id)}
    response = client.post(f"/admin/jobs/{job.ref}/edit", data=sneaked)
    assert response.status_code == 302
    job = Job.get_by_id(job.id)
    assert (job.title, job.recruiter_id) == ("New Title", rita.id)


def test_a_manager_cannot_be_the_recruiter(client, auth, recruiter, make_user, make_job):
    manager = make_user("manager")
    job = make_job(recruiter=recruiter)
    auth.login(make_user("admin"))
    page = client.get(f"/admin/jobs/{job.ref}/edit")
    response = submit(client, page, "", recruiter=str(manager.id))
    assert response.status_code == 400
    assert "Not a valid choice" in response.text
    assert Job.get_by_id(job.id).recruiter_id == recruiter.id


def history(page) -> str:
    """The job form's History section."""
    found = re.search(
        r'<section class="card" aria-labelledby="history">.*?</section>', page.text, re.S
    )
    assert found, page.text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_a3_the_job_form_shows_who_changed_what(client, auth, recruiter, make_user, make_job):
    """A3: the job form lists the job's changes: who, what, the recruiter and managers by
    name, the pipeline's stages; the privacy audit log stays about personal data."""
    ravi = make_user("recruiter", name="Ravi Recruiter")
    max_ = make_user("manager", name="Max Manager")
    job = make_job(title="Old Title", recruiter=recruiter)
    url = f"/admin/jobs/{job.ref}/edit"
    auth.login(make_user("admin", name="Ada Admin"))
    assert "No changes since it was created" in history(client.get(url))
    changed = submit(
        client, client.get(url), "", title="New", recruiter=str(ravi.id), managers=str(max_.id)
    )
    assert changed.status_code == 302
    stages_page = client.get(f"/admin/jobs/{job.ref}/stages")
    assert submit(client, stages_page, "", **{"stages-1-name": "Call"}).status_code == 302
    shown = history(client.get(url))
    assert "Ada Admin" in shown
    assert "Changed title, recruiter, hiring managers" in shown
    assert "Recruiter: Rita Recruiter → Ravi Recruiter" in shown
    assert "Hiring managers: none → Max Manager" in shown
    assert "Pipeline: Applied, Screen, Interviews, Decision, Offer → " in shown
    assert "Applied, Call, Interviews, Decision, Offer" in shown
    assert shown.index("Pipeline") < shown.index("Recruiter:")  # newest first
    privacy = client.get("/admin/privacy/")
    assert privacy.status_code == 200 and "job changed" not in privacy.text
    assert "Ravi Recruiter" not in privacy.text


# --- two recruiters at once ---------------------------------------------------------


def managers(job) -> list[int]:
    rows = JobManager.select().where(JobManager.job == job).order_by(JobManager.user)
    return [m.user_id for m in rows]


def current_state(page) -> str:
    """The panel that shows, after a conflict, the job or pipeline as it is now."""
    found = re.search(
        r'<section class="card" aria-labelledby="current">.*?</section>', page.text, re.S
    )
    assert found, page.text
    return found.group(0)


@pytest.fixture
def other(app, make_user):
    """A second recruiter's browser, signed in."""
    browser = app.test_client()
    Auth(browser).login(make_user("recruiter", name="Ravi Recruiter"))
    return browser


def test_a_stale_job_form_cannot_put_back_a_removed_manager(
    client, auth, other, recruiter, make_user, make_job
):
    kept = make_user("manager", name="Max Manager")
    removed = make_user("manager", name="Mona Manager")
    job = make_job(title="Old Title", recruiter=recruiter, managers=[kept, removed])
    url = f"/admin/jobs/{job.ref}/edit"
    auth.login(recruiter)
    mine = client.get(url)
    theirs = other.get(url)
    assert (
        other.post(url, data=fill(form(theirs.text, ""), managers=str(kept.id))).status_code == 302
    )

    # both managers ticked, as the page showed them; only the title typed
    stale = {
        **fill(form(mine.text, ""), title="New Title"),
        "managers": [str(kept.id), str(removed.id)],
    }
    response = client.post(url, data=stale)
    assert response.status_code == 409
    assert f"Job {job.ref} was changed by someone else meanwhile" in response.text
    assert managers(job) == [kept.id]
    assert Job.get_by_id(job.id).title == "Old Title"
    now = current_state(response)
    assert "Max Manager" in now and "Mona Manager" not in now
    assert "<dd>Old Title" in now and now.count("(your form differs)") == 2  # title, managers
    retry = form(response.text, "")
    assert retry["fields"]["title"] == "New Title"
    assert retry["fields"]["seen"] != form(mine.text, "")["fields"]["seen"]

    # saving again is a decision made on what is there now
    again = client.post(url, data={**fill(retry), "managers": [str(kept.id)]})
    assert again.status_code == 302
    assert (Job.get_by_id(job.id).title, managers(job)) == ("New Title", [kept.id])


@pytest.mark.parametrize("seen", [None, "", "yesterday", "2020-01-01T00:00:00"])
def test_a_job_form_without_the_current_stamp_is_refused(client, auth, recruiter, make_job, seen):
    job = make_job(title="Old Title", recruiter=recruiter)
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/edit")
    response = submit(client, page, "", title="New Title", seen=seen)
    assert response.status_code == 409
    assert Job.get_by_id(job.id).title == "Old Title"


def same_instant(stamp: str, offset: str) -> str:
    """The stamp a form carries (naive UTC), written in another zone: the same instant."""
    moment = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    if offset == "Z":
        return moment.isoformat().replace("+00:00", "Z")
    hours, _, minutes = offset[1:].partition(":")
    sign = -1 if offset[0] == "-" else 1
    zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    return moment.astimezone(zone).isoformat()


@pytest.mark.parametrize("offset", ["+00:00", "Z", "+01:00", "-05:30"])
@pytest.mark.parametrize("page", ["edit", "stages"])
def test_a_time_zone_aware_stamp_is_the_instant_it_names(
    client, auth, recruiter, make_job, page, offset
):
    """F4: the job and stages forms with their stamp written with a time zone: the same
    instant is the same stamp, so the save goes through (never a 500)."""
    job = make_job(title="Old Title", recruiter=recruiter)
    auth.login(recruiter)
    form_page = client.get(f"/admin/jobs/{job.ref}/{page}")
    seen = same_instant(form(form_page.text, "")["fields"]["seen"], offset)
    typed = {"title": "New Title"} if page == "edit" else {"stages-0-name": "New Title"}
    response = submit(client, form_page, "", seen=seen, **typed)
    assert response.status_code == 302
    saved = Job.get_by_id(job.id).title if page == "edit" else pipeline(job)[0][0]
    assert saved == "New Title"


@pytest.mark.parametrize(
    "seen",
    [
        "2026-12-01T10:00:00+00:00",
        "2026-12-01T10:00:00-23:59",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59.999999-01:00",
        "9999-12-31T23:59:59.999999",
        "2026-12-01T10:00:00+25:00",
    ],
)
@pytest.mark.parametrize("page", ["edit", "stages"])
def test_an_aware_or_impossible_stamp_that_is_not_the_jobs_is_a_conflict(
    client, auth, recruiter, make_job, page, seen
):
    """F4: a time-zone-aware stamp of another instant, or one no stamp can be (beyond the
    calendar in UTC, or the last microsecond there is): the page was not the job as it is,
    a 409 that shows it, never a 500."""
    job = make_job(title="Old Title", recruiter=recruiter)
    auth.login(recruiter)
    form_page = client.get(f"/admin/jobs/{job.ref}/{page}")
    typed = {"title": "New Title"} if page == "edit" else {"stages-0-name": "New Title"}
    response = submit(client, form_page, "", seen=seen, **typed)
    assert response.status_code == 409
    assert f"Job {job.ref} was changed by someone else meanwhile" in response.text
    assert (Job.get_by_id(job.id).title, pipeline(job)[0][0]) == ("Old Title", "Applied")


def test_saving_the_pipeline_changes_the_stamp_the_job_form_carries(
    client, auth, recruiter, make_job
):
    job = make_job(title="Old Title", recruiter=recruiter)
    auth.login(recruiter)
    edit = client.get(f"/admin/jobs/{job.ref}/edit")
    assert submit(client, client.get(f"/admin/jobs/{job.ref}/stages"), "").status_code == 302
    assert submit(client, edit, "", title="New Title").status_code == 409


def test_a_stale_pipeline_cannot_delete_a_stage_added_meanwhile(
    client, auth, other, recruiter, make_job
):
    job = make_job(recruiter=recruiter)
    url = f"/admin/jobs/{job.ref}/stages"
    auth.login(recruiter)
    mine = client.get(url)
    theirs = other.post(url, data={**fill(form(other.get(url).text, "")), "action": "add"})
    filled = fill(form(theirs.text, ""), **{"stages-5-name": "Take-home"})
    assert other.post(url, data={**filled, "action": "save"}).status_code == 302

    response = submit(client, mine, "", **{"stages-1-name": "Phone screen"})
    assert response.status_code == 409
    assert f"Job {job.ref} was changed by someone else meanwhile" in response.text
    assert [row[0] for row in pipeline(job)] == [
        *(row[0] for row in domain.DEFAULT_PIPELINE),
        "Take-home",
    ]
    now = current_state(response)
    assert "Take-home" in now and "would remove Take-home" in now
    retry = form(response.text, "")["fields"]
    assert retry["stages-1-name"] == "Phone screen"  # the draft as typed
    assert "stages-5-name" not in retry


def test_the_stamp_goes_through_every_draft_of_the_pipeline(client, auth, recruiter, make_job):
    job = make_job(recruiter=recruiter)
    url = f"/admin/jobs/{job.ref}/stages"
    auth.login(recruiter)
    page = client.get(url)
    domain.set_stages(None, job, [{"name": "Only"}])
    draft = client.post(url, data={**fill(form(page.text, "")), "action": "add"})
    assert form(draft.text, "")["fields"]["seen"] == form(page.text, "")["fields"]["seen"]
    filled = fill(form(draft.text, ""), **{"stages-5-name": "Take-home"})
    response = client.post(url, data={**filled, "action": "save"})
    assert response.status_code == 409
    assert [row[0] for row in pipeline(job)] == ["Only"]
    retry = form(response.text, "")["fields"]
    assert retry["stages-0-id"] == ""  # Applied was deleted meanwhile: saving makes it anew
    now = current_state(response)
    assert (
        "would remove Only" in now
        and "Applied, Screen, Interviews, Decision, Offer were deleted" in now
    )
    assert "stages-5-name" in retry


# --- the board -------------------------------------------------------------------------


def test_board_shows_stages_with_counts_and_freshest_cards(
    client, auth, recruiter, make_job, make_application
):
    job = make_job(title="Backend Engineer")
    applied = [make_application(job=job, name=f"Applied {n:02d}") for n in range(10)]
    screened = make_application(job=job, name="Screened Person")
    domain.move(None, screened, stage(job, "Screen"), screened.version)
    closed = make_application(job=job, name="Closed Person")
    domain.close(None, closed, closed.version, "withdrawn", "")
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/")
    assert page.status_code == 200
    columns = re.findall(
        r'<section class="column"[^>]*>\s*<h2[^>]*><a href="([^"]+)">([^<]+)</a> '
        r'<span class="count"[^>]*>(\d+)</span>(.*?)</section>',
        page.text,
        re.S,
    )
    assert [(name, int(count)) for _, name, count, _ in columns] == [
        ("Applied", 10),
        ("Screen", 1),
        ("Interviews", 0),
        ("Decision", 0),
        ("Offer", 0),
    ]
    link, _, _, body = columns[0]
    applied_id = stage(job, "Applied").id
    assert link == f"/admin/applications/?job={job.ref}&amp;stage={applied_id}&amp;status=active"
    shown = re.findall(r'<a href="/admin/applications/[^"]+/">([^<]+)</a>', body)
    assert shown == [f"Applied {n:02d}" for n in range(9, 1, -1)]  # the 8 freshest
    assert "All 10 in Applied" in body
    assert "Closed Person" not in page.text
    assert ">1 withdrawn</a>" in page.text
    assert applied[0].ref not in page.text  # the oldest is only in the full list
    assert "Nobody here." in columns[2][3]


def test_board_issues_a_fixed_number_of_queries(
    client, auth, recruiter, make_job, make_application, sql_statements
):
    job = make_job()
    auth.login(recruiter)
    counts = []
    for _ in range(2):
        for n in range(12):
            application = make_application(job=job)
            if n % 3:
                domain.move(None, application, stage(job, "Screen"), application.version)
        sql_statements.clear()
        assert client.get(f"/admin/jobs/{job.ref}/").status_code == 200
        counts.append(len(sql_statements))
    assert counts == [6, 6]


# --- the pipeline editor ---------------------------------------------------------------


def test_pipeline_editor_renames_and_saves(client, auth, recruiter, make_job):
    job = make_job()
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/stages")
    assert page.status_code == 200
    response = submit(
        client,
        page,
        "",
        **{
            "stages-1-name": "Phone screen",
            "stages-1-candidate_label": "A first call",
            "stages-1-description": "Thirty minutes with your recruiter.",
            "stages-1-follow_up_days": "2",
            "stages-1-interview": "y",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/jobs/{job.ref}/"
    assert pipeline(job)[1] == ("Phone screen", "A first call", 2, True)
    assert (
        Stage.get(Stage.name == "Phone screen").description == "Thirty minutes with your recruiter."
    )


def test_reorder_add_and_remove_are_drafts_until_saved(client, auth, recruiter, make_job):
    job = make_job()
    before = pipeline(job)
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/stages")

    down = client.post(page.request.path, data={**fill(form(page.text, "")), "action": "down-0"})
    assert down.status_code == 200
    assert "Not saved yet" in down.text
    assert pipeline(job) == before
    draft = form(down.text, "")["fields"]
    assert (draft["stages-0-name"], draft["stages-1-name"]) == ("Screen", "Applied")

    added = client.post(page.request.path, data={**fill(form(down.text, "")), "action": "add"})
    assert form(added.text, "")["fields"]["stages-5-name"] == ""
    filled = fill(
        form(added.text, ""),
        **{"stages-5-name": "Take-home", "stages-5-candidate_label": "Exercise"},
    )
    removed = client.post(page.request.path, data={**filled, "action": "remove-4"})  # Offer
    names = [v for k, v in form(removed.text, "")["fields"].items() if k.endswith("-name")]
    assert names == ["Screen", "Applied", "Interviews", "Decision", "Take-home"]

    saved = client.post(page.request.path, data={**fill(form(removed.text, "")), "action": "save"})
    assert saved.status_code == 302
    assert [row[0] for row in pipeline(job)] == names
    assert pipeline(job)[4] == ("Take-home", "Exercise", 3, False)


def test_move_up_of_the_first_and_down_of_the_last_change_nothing(
    client, auth, recruiter, make_job
):
    job = make_job()
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/stages")
    data = fill(form(page.text, ""))
    for action in ("up-0", "down-4", "remove-99", "bogus"):
        response = client.post(page.request.path, data={**data, "action": action})
        names = [v for k, v in form(response.text, "")["fields"].items() if k.endswith("-name")]
        assert names == [row[0] for row in domain.DEFAULT_PIPELINE], action


def test_a_stage_with_applications_cannot_be_removed(
    client, auth, recruiter, make_job, make_application
):
    job = make_job()
    make_application(job=job)  # at Applied
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/stages")
    assert "1 active</span>" in page.text
    draft = client.post(page.request.path, data={**fill(form(page.text, "")), "action": "remove-0"})
    assert "cannot be removed yet: 1 active application still sits there" in draft.text
    saved = client.post(page.request.path, data={**fill(form(draft.text, "")), "action": "save"})
    assert saved.status_code == 400
    assert (
        "Stage &#39;Applied&#39; still has applications: 1 active. Move it to a stage you keep "
        "first (from the Applied column of the job&#39;s board), then remove it."
    ) in saved.text
    assert len(pipeline(job)) == len(domain.DEFAULT_PIPELINE)


@pytest.mark.parametrize(
    "days, message",
    [("61", "Number must be between 0 and 60."), ("", "follow-up days must be a whole number")],
)
def test_follow_up_days_are_checked(client, auth, recruiter, make_job, days, message):
    job = make_job()
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/stages")
    response = submit(
        client, page, "", **{"stages-0-follow_up_days": days, "stages-0-name": "Kept name"}
    )
    assert response.status_code == 400
    assert message in response.text
    assert 'value="Kept name"' in response.text
    assert pipeline(job)[0][0] == "Applied"


# --- a closed job ----------------------------------------------------------------------


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_open_checkbox_says_what_closing_does(client, auth, recruiter, make_job):
    job = make_job(recruiter=recruiter)
    auth.login(recruiter)
    said = words(client.get(f"/admin/jobs/{job.ref}/edit").text)
    assert "Open to new candidates" in said
    assert "Untick to close the job: it accepts no new candidates" in said
    assert "Candidates already in its pipeline stay there: they can still be moved and closed" in (
        said
    )


def test_closing_a_job_with_active_candidates_warns_and_links_its_board(
    client, auth, recruiter, make_job, make_application
):
    job = make_job(title="Data Engineer", recruiter=recruiter)
    waiting = [make_application(job=job) for _ in range(2)]
    done = make_application(job=job)
    domain.close(None, done, done.version, "hired", "Welcome")
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/edit")
    response = client.post(page.request.path, data=fill(form(page.text, ""), open=None))
    assert response.status_code == 302 and not Job.get_by_id(job.id).open
    board = client.get(response.headers["Location"]).text
    said = words(board)
    assert (
        "Data Engineer is closed to new candidates, but 2 active candidates are still in its "
        "pipeline: they can still be moved and closed, and they are owed word."
    ) in said
    assert f'<a href="/admin/jobs/{job.ref}/">See them on its board</a>' in board
    assert "The 2 active candidates still in its pipeline can be moved and closed" in said
    assert "Add a candidate" not in board
    # still in the pipeline, and still moved
    application = Application.get_by_id(waiting[0].id)
    domain.move(recruiter, application, stage(job, "Screen"), application.version)
    assert Application.get_by_id(waiting[0].id).stage.name == "Screen"
    edit = client.get(f"/admin/jobs/{job.ref}/edit").text
    assert "2 active candidates are still in its pipeline" in words(edit)
    assert f'href="/admin/jobs/{job.ref}/">go to its board</a>' in edit


def test_closing_a_job_with_nobody_active_says_nothing_more(client, auth, recruiter, make_job):
    job = make_job(title="Filled Role", recruiter=recruiter)
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/edit")
    response = client.post(page.request.path, data=fill(form(page.text, ""), open=None))
    board = client.get(response.headers["Location"]).text
    assert "Saved Filled Role." in board and "owed word. " not in words(board)
    assert "Nobody is active in its pipeline." in words(board)


def test_the_list_shows_closed_jobs_that_are_still_owed_word(
    client, auth, recruiter, make_job, make_application
):
    make_job(title="Open Role")
    owing = make_job(title="Closing Role")
    for _ in range(2):
        make_application(job=owing)
    domain.save_job(None, job=owing, title=owing.title, recruiter=owing.recruiter, is_open=False)
    make_job(title="Filled Role", is_open=False)
    auth.login(recruiter)
    page = client.get("/admin/jobs/").text
    said = words(page)
    assert "Open Role" in said and "Filled Role" not in said
    closed = page.split('id="closed-jobs"')[1]
    assert "Closing Role" in closed and "Open Role" not in closed
    assert "No new candidates; 2 active still owed word" in words(closed)
    assert "A closed job accepts no new candidates." in said
    assert "Show 1 closed job with nobody active" in said
    everything = words(client.get("/admin/jobs/?closed=1").text)
    assert "Filled Role Closed" in everything and "No new candidates; nobody active" in everything
