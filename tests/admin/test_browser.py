"""The staff admin in a real headless Chromium (Debian's, driven by Playwright): laptop and
360 px phone without sideways scrolling, usable without JavaScript, the small script's
enhancements, and an axe-core scan with no serious or critical violations."""

from datetime import timedelta

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in

from portal import domain
from portal.clock import today
from portal.store.models import Application
from portal.store.models import Stage

pytestmark = pytest.mark.browser


@pytest.fixture
def data(make_user, make_job, make_application):
    """A recruiter's small world: a job with a pipeline, candidates, history, feedback."""
    recruiter = make_user("recruiter", name="Rita Recruiter", email="rita@example.com")
    manager = make_user("manager", name="Max Manager")
    job = make_job(
        title="Senior Backend Engineer",
        team="Platform",
        location="London or remote",
        recruiter=recruiter,
        managers=[manager],
    )
    stages = list(job.stages.order_by(Stage.position))
    people = []
    for n, name in enumerate(["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra"]):
        application = make_application(job=job, name=name)
        domain.move(recruiter, application, stages[n % 3 + 1], application.version, "Thanks!")
        people.append(application)
    Application.update(reply_by=today() - timedelta(days=3)).execute()
    domain.add_note(recruiter, people[0], "Strong systems background.")
    domain.submit_feedback(manager, people[0], stages[2], 3, "yes", "Clear thinker.", "")
    return {"recruiter": recruiter, "job": job, "application": people[0], "stages": stages}


def pages(data) -> list[str]:
    job, application = data["job"].ref, data["application"].ref
    return [
        "/admin/",
        "/admin/jobs/",
        f"/admin/jobs/{job}/",
        f"/admin/jobs/{job}/edit",
        f"/admin/jobs/{job}/stages",
        f"/admin/jobs/{job}/applications/new",
        "/admin/applications/",
        f"/admin/applications/{application}/",
        f"/admin/applications/{application}/close?status=rejected",
        "/admin/templates",
    ]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_no_page_scrolls_sideways(browser, server, data, viewport):
    context, page = signed_in(browser, server, data["recruiter"], viewport)
    for path in pages(data):
        response = page.goto(server + path)
        assert response.status == 200, path
        assert_fits(page, viewport, path)
    context.close()


def test_phone_lists_become_cards(browser, server, data):
    context, page = signed_in(browser, server, data["recruiter"], PHONE)
    page.goto(server + "/admin/applications/")
    header = page.locator("table.list thead")
    assert header.bounding_box() is None or header.bounding_box()["width"] <= 1
    label = page.evaluate(
        "getComputedStyle(document.querySelector('td[data-label=Job]'), '::before').content"
    )
    assert label == '"Job"'
    context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_axe_finds_nothing_serious(browser, server, data, viewport):
    context, page = signed_in(browser, server, data["recruiter"], viewport)
    for path in pages(data):
        page.goto(server + path)
        assert serious_violations(page) == [], path
    context.close()


def test_focus_is_visible(browser, server, data):
    context, page = signed_in(browser, server, data["recruiter"], LAPTOP)
    page.goto(server + "/admin/applications/")
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("document.activeElement.getBoundingClientRect().left") >= 0
    page.focus("#q")
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert shadow != "none"
    context.close()


def test_close_without_javascript(browser, server, data):
    context, page = signed_in(browser, server, data["recruiter"], PHONE, javascript=False)
    application = data["application"]
    page.goto(f"{server}/admin/applications/{application.ref}/")
    page.click("summary:has-text('Close the process')")
    page.click(".template-links a:has-text('rejected')")
    note = page.locator("#close-closure_note")
    assert note.input_value().startswith("Dear Ada,")
    page.select_option("#close-closure_reason", "more_experienced")
    page.fill("#close-reason", "Went with a candidate with more Go experience")
    page.click("button:has-text('Check and close')")
    assert "Check before it goes" in page.content()  # the email, before anything is sent
    assert Application.get_by_id(application.id).status == "active"
    page.click("button:has-text('Send and save')")
    page.wait_for_url(f"{server}/admin/applications/{application.ref}/")
    assert "Closed as rejected." in page.content()
    assert Application.get_by_id(application.id).status == "rejected"
    context.close()


def test_move_and_conflict_without_javascript(browser, server, data):
    context, page = signed_in(browser, server, data["recruiter"], LAPTOP, javascript=False)
    application = data["application"]
    page.goto(f"{server}/admin/applications/{application.ref}/")
    domain.post_update(None, application, application.version, "Meanwhile, someone else")
    page.select_option("#move-stage", label=f"Offer · reply by {_words(data['stages'][4])}")
    page.fill("#move-message", "Typed in the browser")
    page.click("button:has-text('Check and move')")
    assert "Someone else changed this application" in page.content()
    assert page.locator("#move-message").input_value() == "Typed in the browser"
    page.click("button:has-text('Check and move')")  # again, now against what they see
    page.click("button:has-text('Send and save')")
    page.wait_for_url(f"{server}/admin/applications/{application.ref}/")
    assert Application.get_by_id(application.id).stage_id == data["stages"][4].id
    context.close()


def _words(stage) -> str:
    day = domain.reply_by_default(stage)
    return f"{day:%A} {day.day} {day:%B}"


def test_script_switches_the_closure_template_in_place(browser, server, data):
    context, page = signed_in(browser, server, data["recruiter"], LAPTOP)
    application = data["application"]
    page.goto(f"{server}/admin/applications/{application.ref}/")
    page.click("summary:has-text('Close the process')")
    assert page.locator(".template-links").is_hidden()  # the radios do it now
    page.check("#close-status-1")  # rejected
    note = page.locator("#close-closure_note")
    assert "We have decided not to continue" in note.input_value()
    page.check("#close-status-0")  # hired
    assert "Welcome aboard!" in note.input_value()
    note.fill("My own words")
    page.check("#close-status-2")  # withdrawn: the recruiter's words stay
    assert note.input_value() == "My own words"
    context.close()


def test_script_shows_the_reply_by_of_the_chosen_stage(browser, server, data):
    context, page = signed_in(browser, server, data["recruiter"], LAPTOP)
    page.goto(f"{server}/admin/applications/{data['application'].ref}/")
    applied = data["stages"][0]
    page.select_option("#move-stage", value=str(applied.id))
    hint = page.locator("#move-reply_by-hint").inner_text()
    assert hint == f"Leave empty for the stage's follow-up days: {_words(applied)}."
    context.close()
