"""Scorecards that fit the job, through the admin as people use it: editing the job's
interview kit and a stage's own (without JS), scoring each criterion, correcting your own
scorecard until the application is decided, and the criteria side by side across
interviewers once the viewer may see others'."""

import re

import pytest
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.factories import stage
from helpers.http import csrf_token

from portal import domain
from portal.domain.kits import DEFAULT_KIT
from portal.store.models import Application
from portal.store.models import Criterion
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Rating
from portal.store.models import Stage

XSS = '<script>alert("x")</script>'


@pytest.fixture
def team(make_user, make_job, make_application):
    """A job with two managers, and an application at its interview stage."""
    recruiter = make_user("recruiter", name="Rita Recruiter")
    max_, mia = make_user("manager", name="Max Manager"), make_user("manager", name="Mia Manager")
    job = make_job(title="Backend Engineer", recruiter=recruiter, managers=[max_, mia])
    application = make_application(job=job, name="Ada Lovelace")
    interviews = stage(job, "Interviews")
    domain.move(recruiter, application, interviews, application.version)
    return {
        "recruiter": recruiter,
        "max": max_,
        "mia": mia,
        "job": job,
        "application": Application.get_by_id(application.id),
        "interviews": interviews,
    }


def kit_url(team, stage_=None):
    base = f"/admin/jobs/{team['job'].ref}/kit"
    return base if stage_ is None else f"{base}/{stage_.id}"


def page_of(client, team, **args):
    return client.get(f"/admin/applications/{team['application'].ref}/", query_string=args)


def press(client, page, action, **values):
    """Press a button of the kit editor with ``values`` typed in."""
    return client.post(
        page.request.path, data={**fill(form(page.text, ""), **values), "action": action}
    )


def kit_names(job, stage_=None):
    where = Criterion.stage.is_null() if stage_ is None else Criterion.stage == stage_.id
    query = Criterion.select().where((Criterion.job == job.id) & where).order_by(Criterion.position)
    return [c.name for c in query]


def score(client, team, scores, **values):
    """Submit the page's scorecard with ``scores`` (one per criterion, "" for none)."""
    typed = {f"ratings-{n}-score": s for n, s in enumerate(scores)}
    typed.update({f"ratings-{n}-note": f"note {n}" for n in range(len(scores))})
    values = {"rating": "3", "recommendation": "yes", **typed, **values}
    return submit(client, page_of(client, team), "/feedback", **values)


def section(html, anchor):
    """The card with ``id=anchor``."""
    return html.split(f'id="{anchor}"')[1].split("</section>")[0]


# --- the kit editor ------------------------------------------------------------------------


def test_the_kit_editor_adds_reorders_and_removes_without_saving_until_asked(client, auth, team):
    auth.login(team["recruiter"])
    page = client.get(kit_url(team))
    assert page.status_code == 200
    for spec in DEFAULT_KIT:
        assert spec.name in page.text
    draft = press(client, page, "add")
    assert draft.status_code == 200 and "Not saved yet" in draft.text
    assert kit_names(team["job"]) == [s.name for s in DEFAULT_KIT]
    draft = press(client, draft, "up-4", **{"criteria-4-name": "Ownership"})
    draft = press(client, draft, "remove-0")
    saved = press(client, draft, "save", **{"criteria-2-guidance": "Ask: what did you own?"})
    assert saved.status_code == 302 and saved.location.endswith(kit_url(team))
    assert kit_names(team["job"]) == [
        "Problem solving",
        "Communication",
        "Ownership",
        "Collaboration",
    ]
    assert Criterion.get(Criterion.name == "Ownership").guidance == "Ask: what did you own?"
    assert "Saved the interview kit of Backend Engineer." in client.get(kit_url(team)).text
    history = client.get(f"/admin/jobs/{team['job'].ref}/edit").text
    assert "Changed interview kit" in history and "Kit of the job:" in history


def test_a_stage_gets_its_own_kit_and_can_go_back_to_the_jobs(client, auth, team):
    auth.login(team["recruiter"])
    overview = client.get(kit_url(team)).text
    assert "same as the job's kit" in overview
    page = client.get(kit_url(team, team["interviews"]))
    assert "scores the job's kit now" in page.text
    assert "Use the job's kit instead" not in page.text
    own = press(
        client,
        page,
        "save",
        **{"criteria-0-name": "System design", "criteria-1-name": "Coding"},
    )
    assert own.status_code == 302
    assert kit_names(team["job"], team["interviews"])[:2] == ["System design", "Coding"]
    assert kit_names(team["job"]) == [s.name for s in DEFAULT_KIT]  # the job's is unchanged
    assert "its own kit (System design, Coding" in client.get(kit_url(team)).text
    page = client.get(kit_url(team, team["interviews"]))
    back = press(client, page, "same")
    assert back.status_code == 302
    assert kit_names(team["job"], team["interviews"]) == []
    assert "The Interviews stage scores the job&#39;s kit." in client.get(kit_url(team)).text


def test_a_bad_kit_is_shown_again_as_typed(client, auth, team):
    auth.login(team["recruiter"])
    page = client.get(kit_url(team))
    response = press(client, page, "save", **{"criteria-1-name": "role KNOWLEDGE"})
    assert response.status_code == 400
    assert "named &#39;role KNOWLEDGE&#39; like criterion 1" in response.text
    assert 'value="role KNOWLEDGE"' in response.text
    assert kit_names(team["job"]) == [s.name for s in DEFAULT_KIT]


def test_a_kit_saved_over_someone_elses_change_is_refused(client, auth, team):
    auth.login(team["recruiter"])
    page = client.get(kit_url(team))
    domain.set_kit(None, team["job"], None, [("Meanwhile", "")])
    response = press(client, page, "save", **{"criteria-0-name": "Mine"})
    assert response.status_code == 409
    assert "was changed by someone else meanwhile" in response.text
    assert "The kit as it is now" in response.text and "Meanwhile" in response.text
    assert 'value="Mine"' in response.text
    assert kit_names(team["job"]) == ["Meanwhile"]
    again = press(client, response, "save")
    assert again.status_code == 302 and kit_names(team["job"])[0] == "Mine"


def test_managers_cannot_edit_a_kit_and_stages_of_other_jobs_are_not_found(
    client, auth, team, make_job
):
    auth.login(team["max"])
    assert client.get(kit_url(team)).status_code == 403
    auth.logout()
    auth.login(team["recruiter"])
    other = stage(make_job(), "Interviews")
    assert client.get(kit_url(team, other)).status_code == 404
    board = client.get(f"/admin/jobs/{team['job'].ref}/").text
    assert f'href="{kit_url(team)}"' in board


# --- scoring -------------------------------------------------------------------------------


def test_a_scorecard_scores_each_criterion_of_the_kit(client, auth, team):
    auth.login(team["max"])
    page = page_of(client, team).text
    scorecard = form(page, "/feedback")
    assert "Your scorecard for Interviews" in page
    for spec in DEFAULT_KIT:
        assert spec.name in page
    assert "Ask: Walk me through a problem" in page  # the guidance, with its questions
    assert "Not assessed" in page
    assert len({n for n in scorecard["names"] if n.endswith("-score")}) == len(DEFAULT_KIT)
    response = score(client, team, ["4", "", "2", "3"])
    assert response.status_code == 302
    card = Feedback.get(Feedback.author == team["max"].id)
    rated = [(r.name, r.score, r.note) for r in card.ratings.order_by(Rating.id)]
    assert rated == [
        ("Role knowledge", 4, "note 0"),
        ("Problem solving", None, "note 1"),
        ("Communication", 2, "note 2"),
        ("Collaboration", 3, "note 3"),
    ]
    after = page_of(client, team).text
    assert "You gave your scorecard for Interviews." in after
    assert 'method="post" action="/admin/applications/' not in section(after, "feedback")


@pytest.mark.parametrize("value", ["5", "0", "x"])
def test_a_criterions_score_is_one_of_the_choices(client, auth, team, value):
    auth.login(team["max"])
    response = score(client, team, [value])
    assert response.status_code == 400
    assert "Not a valid choice" in response.text
    assert Feedback.select().count() == 0


def test_another_stage_is_scored_with_its_own_kit(client, auth, team):
    screen = stage(team["job"], "Screen")
    domain.set_kit(None, team["job"], screen, [("Motivation", "Ask: why us?")])
    auth.login(team["max"])
    page = page_of(client, team, scorecard=screen.id)
    assert "Your scorecard for Screen" in page.text and "Motivation" in page.text
    assert "Role knowledge" not in section(page.text, "feedback")
    response = submit(
        client,
        page,
        "/feedback",
        rating="2",
        recommendation="no",
        **{"ratings-0-score": "1"},
    )
    assert response.status_code == 302
    card = Feedback.get(Feedback.author == team["max"].id)
    assert card.stage_id == screen.id
    assert [(r.name, r.score) for r in card.ratings] == [("Motivation", 1)]


def test_a_kit_changed_while_scoring_is_refused_with_the_form_kept(client, auth, team):
    auth.login(team["max"])
    page = page_of(client, team)
    domain.set_kit(None, team["job"], team["interviews"], [("System design", "")])
    values = {"rating": "3", "recommendation": "yes", "ratings-0-score": "4", "strengths": "Kept"}
    response = submit(client, page, "/feedback", **values)
    assert response.status_code == 400
    assert "is not in the kit scored at the Interviews stage" in response.text
    assert "Kept</textarea>" in response.text
    assert Feedback.select().count() == 0


# --- correcting your own --------------------------------------------------------------------


def test_the_author_corrects_their_scorecard(client, auth, team):
    auth.login(team["max"])
    score(client, team, ["2", "2", "2", "2"], strengths="First take")
    card = Feedback.get(Feedback.author == team["max"].id)
    page = page_of(client, team).text
    link = f'href="/admin/feedback/{card.id}/edit"'
    assert link in page and "Edit your scorecard" in page
    edit = client.get(f"/admin/feedback/{card.id}/edit")
    assert edit.status_code == 200 and "First take</textarea>" in edit.text
    assert len(re.findall(r'<input checked[^>]*-score[^>]*value="2"', edit.text)) == 4
    response = submit(
        client,
        edit,
        f"/admin/feedback/{card.id}/edit",
        rating="4",
        strengths="Second take",
        **{"ratings-1-score": "4", "ratings-1-note": "Sharp after all"},
    )
    assert response.status_code == 302
    corrected = Feedback.get_by_id(card.id)
    assert (corrected.rating, corrected.strengths, corrected.created) == (
        4,
        "Second take",
        card.created,
    )
    assert corrected.edited is not None
    problem = Rating.get((Rating.feedback == card.id) & (Rating.name == "Problem solving"))
    assert (problem.score, problem.note) == (4, "Sharp after all")
    after = page_of(client, team).text
    assert "Your scorecard is corrected" in after and "corrected " in section(after, "feedback")
    assert "Scorecard corrected for Interviews" in after
    event = Event.get(Event.kind == "feedback_edited")
    assert "Second take" not in event.message and "Sharp" not in event.message


def test_a_decided_application_keeps_its_scorecards(client, auth, team):
    auth.login(team["max"])
    score(client, team, ["3"])
    card = Feedback.get(Feedback.author == team["max"].id)
    application = team["application"]
    domain.close(None, application, application.version, "hired", "Welcome aboard, Ada!")
    page = page_of(client, team)
    assert "Edit your scorecard" not in page.text
    edit = client.get(f"/admin/feedback/{card.id}/edit", follow_redirects=True)
    assert "This application is decided" in edit.text
    data = {"csrf_token": csrf_token(page), "feedback-rating": "1", "feedback-stage": "1"}
    response = client.post(f"/admin/feedback/{card.id}/edit", data=data)
    assert response.status_code == 302
    assert Feedback.get_by_id(card.id).rating == 3 and Feedback.get_by_id(card.id).edited is None


@pytest.mark.parametrize("who", ["mia", "recruiter", "admin"])
def test_nobody_else_corrects_a_scorecard(client, auth, team, make_user, who):
    card = domain.submit_feedback(team["max"], team["application"], team["interviews"], 3, "yes")
    auth.login(make_user("admin") if who == "admin" else team[who])
    url = f"/admin/feedback/{card.id}/edit"
    assert client.get(url).status_code == 403
    page = page_of(client, team)
    assert url not in page.text
    assert client.post(url, data={"csrf_token": csrf_token(page)}).status_code == 403
    assert Feedback.get_by_id(card.id).edited is None


def test_a_manager_of_another_job_does_not_find_the_scorecard(client, auth, team, make_user):
    card = domain.submit_feedback(team["max"], team["application"], team["interviews"], 3, "yes")
    auth.login(make_user("manager"))
    assert client.get(f"/admin/feedback/{card.id}/edit").status_code == 404
    assert client.get(f"/admin/feedback/{card.id + 99}/edit").status_code == 404


# --- who sees what, side by side ---------------------------------------------------------


def test_hidden_until_your_own_across_corrections_and_then_side_by_side(client, auth, team):
    """Max scores and corrects his scorecard; Mia sees none of it until she gives her own,
    then both side by side: criteria as rows, interviewers as columns."""
    max_card = domain.submit_feedback(team["max"], team["application"], team["interviews"], 2, "no")
    domain.edit_feedback(
        team["max"],
        max_card,
        3,
        "yes",
        "Max-strength-marker",
        "",
        {c.id: (4, "Max-note-marker") for c in domain.kit_for(team["job"], team["interviews"])},
    )
    auth.login(team["mia"])
    page = page_of(client, team).text
    for secret in ("Max-strength-marker", "Max-note-marker", 'id="compare"'):
        assert secret not in page
    assert "1 scorecard from others is hidden until you submit your own" in page
    assert "Scorecard corrected for Interviews" in page  # that it changed, not what
    assert score(client, team, ["1", "", "2", "3"]).status_code == 302
    page = page_of(client, team).text
    compare = section(page, "compare")
    header = re.search(r"<thead>(.*?)</thead>", compare, re.S).group(1)
    assert header.index("Max Manager") < header.index("Mia Manager")
    rows = re.findall(r'<th scope="row">(.*?)</th>', compare)
    assert rows == [s.name for s in DEFAULT_KIT] + ["Overall"]
    assert compare.count('data-label="Max Manager"') == len(DEFAULT_KIT) + 1
    assert "Max-note-marker" in compare and "Not assessed" in compare
    assert "Max-strength-marker" in page
    domain.edit_feedback(team["max"], Feedback.get_by_id(max_card.id), 1, "strong_no")
    assert 'id="compare"' in page_of(client, team).text  # her view stays open after his edit


def test_criteria_taken_out_of_the_kit_stay_under_the_names_rated(client, auth, team):
    kit = domain.kit_for(team["job"], team["interviews"])
    domain.submit_feedback(
        team["max"], team["application"], team["interviews"], 3, "yes", ratings={kit[0].id: (4, "")}
    )
    domain.set_kit(None, team["job"], None, [("Grit", "")])
    auth.login(team["recruiter"])
    compare = section(page_of(client, team).text, "compare")
    assert re.findall(r'<th scope="row">(.*?)</th>', compare) == ["Role knowledge", "Overall"]


def test_kit_words_and_notes_are_escaped_everywhere(client, auth, team):
    domain.set_kit(None, team["job"], None, [(f"N{XSS}", f"G{XSS}")])
    [criterion] = domain.kit_for(team["job"], team["interviews"])
    domain.submit_feedback(
        team["max"],
        team["application"],
        team["interviews"],
        3,
        "yes",
        ratings={criterion.id: (2, f"Note{XSS}")},
    )
    auth.login(team["recruiter"])
    pages = [client.get(kit_url(team)).text, page_of(client, team).text]
    auth.logout()
    auth.login(team["mia"])
    pages.append(page_of(client, team).text)  # her scorecard form shows the kit's guidance
    for html in pages:
        assert XSS not in html
        assert "&lt;script&gt;" in html


def test_a_scorecard_at_one_stage_opens_no_other_stages(client, auth, team):
    """Mia gives a blank scorecard at Screen, where nobody interviews: Max's Interviews
    scorecard and its criteria side by side stay hidden until hers for Interviews is in."""
    kit = domain.kit_for(team["job"], team["interviews"])
    domain.submit_feedback(
        team["max"],
        team["application"],
        team["interviews"],
        4,
        "strong_yes",
        "Max-strength-marker",
        ratings={kit[0].id: (4, "Max-note-marker")},
    )
    screen = stage(team["job"], "Screen")
    auth.login(team["mia"])
    blank = submit(
        client,
        page_of(client, team, scorecard=screen.id),
        "/feedback",
        rating="1",
        recommendation="no",
    )
    assert blank.status_code == 302
    assert Feedback.get(Feedback.author == team["mia"].id).stage_id == screen.id
    page = page_of(client, team).text
    for secret in (
        "Max-strength-marker",
        "Max-note-marker",
        f'id="compare-{team["interviews"].id}"',
    ):
        assert secret not in page
    assert "Max Manager" not in section(page, "feedback")
    assert "1 scorecard from others is hidden until you submit your own for that stage" in page
    assert "(Interviews)" in section(page, "feedback")
    assert score(client, team, ["2"]).status_code == 302  # hers for Interviews
    page = page_of(client, team).text
    assert "Max-strength-marker" in page and "Max-note-marker" in section(page, "compare")


def test_score_another_stage_offers_only_interview_stages(client, auth, team):
    auth.login(team["max"])
    # the default pipeline interviews at one stage: there is no other to score
    assert "Score another stage" not in section(page_of(client, team).text, "feedback")
    decision = stage(team["job"], "Decision")
    Stage.update(interview=True).where(Stage.id == decision.id).execute()
    select = section(page_of(client, team).text, "feedback").split("Score another stage")[1]
    offered = re.findall(r"<option [^>]*>([^<]+)</option>", select.split("</select>")[0])
    assert offered == ["Interviews", "Decision"]


def test_a_decided_application_takes_no_new_scorecard(client, auth, team):
    page = page_of(client, team)
    auth.login(team["max"])
    page = page_of(client, team)
    application = team["application"]
    domain.close(None, application, application.version, "hired", "Welcome aboard, Ada!")
    decided = page_of(client, team).text
    assert 'action="/admin/applications/' + application.ref + '/feedback"' not in decided
    assert "Score another stage" not in decided
    values = {"rating": "3", "recommendation": "yes", "ratings-0-score": "3"}
    response = submit(client, page, "/feedback", **values)  # the form as it was
    assert response.status_code == 400
    assert "This application is hired: its scorecards stay as they were" in response.text
    assert Feedback.select().count() == 0


def test_the_history_says_the_overall_rating_changed(client, auth, team):
    card = domain.submit_feedback(team["max"], team["application"], team["interviews"], 2, "no")
    domain.edit_feedback(team["max"], card, 3, "no")
    auth.login(team["recruiter"])
    assert "Changed the overall rating." in page_of(client, team).text


@pytest.mark.parametrize(("role", "words"), [("admin", "As an admin"), ("manager", "As a manager")])
def test_a_refusal_names_the_role_with_its_article(client, auth, team, make_user, role, words):
    card = domain.submit_feedback(team["max"], team["application"], team["interviews"], 3, "yes")
    auth.login(make_user("admin") if role == "admin" else team["mia"])
    refused = client.get(f"/admin/feedback/{card.id}/edit")
    assert refused.status_code == 403
    assert f"{words} you cannot open this page or do this." in refused.text
    assert "As a admin" not in refused.text


def test_the_kits_draft_names_the_button_that_saves_it(client, auth, team):
    auth.login(team["recruiter"])
    for url, label in [
        (kit_url(team), "Save the job&#39;s kit"),
        (kit_url(team, team["interviews"]), "Save the Interviews kit"),
    ]:
        draft = press(client, client.get(url), "add")
        assert f"Not saved yet: press “{label}” to keep these changes." in draft.text
        assert f'class="primary">{label}</button>' in draft.text
