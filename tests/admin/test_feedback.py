"""Manager feedback: scorecards through the form, and nobody reads others' feedback on an
application before submitting their own (A3), admins and the job's recruiter excepted."""

import pytest
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.admin_client import submit

from portal import domain
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import Stage

SECRET = "Marker-strength-of-Max"


@pytest.fixture
def team(make_user, make_job, make_application):
    recruiter = make_user("recruiter", name="Rita Recruiter")
    max_, mia = make_user("manager", name="Max Manager"), make_user("manager", name="Mia Manager")
    job = make_job(title="Backend Engineer", recruiter=recruiter, managers=[max_, mia])
    application = make_application(job=job, name="Ada Lovelace")
    interviews = Stage.get((Stage.job == job) & (Stage.name == "Interviews"))
    domain.submit_feedback(max_, application, interviews, 4, "strong_yes", SECRET, "None")
    return {
        "recruiter": recruiter,
        "max": max_,
        "mia": mia,
        "job": job,
        "application": application,
        "interviews": interviews,
    }


def page_of(client, team):
    return client.get(f"/admin/applications/{team['application'].ref}/")


def test_others_feedback_is_hidden_before_submitting_your_own(client, auth, team):
    auth.login(team["mia"])
    page = page_of(client, team)
    assert page.status_code == 200
    assert SECRET not in page.text
    assert "Max Manager" not in page.text.split('id="feedback"')[1].split("</section>")[0]
    assert "1 scorecard from others is hidden until you submit your own" in page.text
    # the history says that feedback exists, never what it says
    assert "Feedback submitted for Interviews" in page.text


def test_submitting_your_own_reveals_the_others(client, auth, team):
    auth.login(team["mia"])
    response = submit(
        client,
        page_of(client, team),
        "/feedback",
        stage=str(team["interviews"].id),
        rating="2",
        recommendation="no",
        strengths="Mia's strengths",
        concerns="Mia's concerns",
    )
    assert response.status_code == 302
    mine = Feedback.get(Feedback.author == team["mia"].id)
    assert (mine.rating, mine.recommendation, mine.stage_id) == (2, "no", team["interviews"].id)
    after = page_of(client, team).text
    assert "Thank you: your feedback is saved." in after
    assert SECRET in after and "Mia&#39;s concerns" in after
    assert "hidden until you submit" not in after
    event = Event.get((Event.kind == "feedback") & (Event.actor == team["mia"].id))
    assert not event.visible and event.message == ""


@pytest.mark.parametrize("who", ["recruiter", "admin"])
def test_the_jobs_recruiter_and_admins_see_all_feedback(client, auth, make_user, team, who):
    auth.login(team["recruiter"] if who == "recruiter" else make_user("admin"))
    assert SECRET in page_of(client, team).text


def test_another_recruiter_must_submit_first_too(client, auth, make_user, team):
    auth.login(make_user("recruiter"))
    page = page_of(client, team)
    assert SECRET not in page.text
    assert "hidden until you submit your own" in page.text


def test_the_author_sees_their_own(client, auth, team):
    auth.login(team["max"])
    page = page_of(client, team)
    assert SECRET in page.text
    assert "hidden until you submit" not in page.text


def test_feedback_twice_at_one_stage_is_refused_and_kept(client, auth, team):
    auth.login(team["max"])
    response = submit(
        client,
        page_of(client, team),
        "/feedback",
        stage=str(team["interviews"].id),
        rating="3",
        recommendation="yes",
        strengths="Second thoughts",
    )
    assert response.status_code == 400
    assert "You already gave feedback at the Interviews stage: edit that scorecard" in response.text
    mine = Feedback.get(Feedback.author == team["max"].id)
    edit = f'<a href="/admin/feedback/{mine.id}/edit">Edit your scorecard for Interviews</a>'
    assert edit in response.text.split('id="problem"')[1].split("</div>")[0]  # by the error
    assert "Second thoughts</textarea>" in response.text
    assert Feedback.select().count() == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("rating", "5", "Not a valid choice"),
        ("rating", None, "This field is required."),
        ("recommendation", "maybe", "Not a valid choice"),
        ("recommendation", "", "This field is required."),
    ],
)
def test_scorecard_fields_are_checked(client, auth, team, field, value, message):
    auth.login(team["mia"])
    values = {"stage": str(team["interviews"].id), "rating": "3", "recommendation": "yes"}
    values[field] = value
    response = submit(client, page_of(client, team), "/feedback", **values)
    assert response.status_code == 400
    assert message in response.text
    assert Feedback.select().count() == 1


def test_manager_sees_no_recruiter_actions(client, auth, team):
    auth.login(team["mia"])
    page = page_of(client, team).text
    ref = team["application"].ref
    for action in ("move", "update", "note", "close", "reopen"):
        assert f'action="/admin/applications/{ref}/{action}"' not in page
    assert f'action="/admin/applications/{ref}/feedback"' in page


def test_a3_another_recruiter_cannot_name_themselves_the_jobs_recruiter(
    client, auth, make_user, team
):
    """A3, the penetration test's way round: a recruiter who names themselves the job's
    recruiter, to read every scorecard without giving their own. The job keeps its
    recruiter, and the scorecards stay hidden."""
    ravi = make_user("recruiter", name="Ravi Recruiter")
    auth.login(ravi)
    url = f"/admin/jobs/{team['job'].ref}/edit"
    page = client.get(url)
    assert page.status_code == 200 and "recruiter" not in form(page.text, "")["names"]
    client.post(url, data={**fill(form(page.text, "")), "recruiter": str(ravi.id)})
    assert Job.get_by_id(team["job"].id).recruiter_id == team["recruiter"].id
    assert SECRET not in page_of(client, team).text
