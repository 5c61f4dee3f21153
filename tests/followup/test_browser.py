"""The follow-up queue, the close page and the follow-up health page in a real headless
Chromium: laptop and 360 px phone without sideways scrolling, the queue's actions and
the charts without JavaScript, and an axe-core scan with no serious or critical issue."""

from datetime import date
from datetime import timedelta

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in

from portal import domain
from portal.candidates.actions import rate_experience
from portal.clock import today
from portal.store.models import Application
from portal.store.models import Stage

pytestmark = pytest.mark.browser


@pytest.fixture
def data(make_user, make_job, make_application):
    """Rita owes word: one candidate long forgotten, others late, one closed with a rating."""
    rita = make_user("recruiter", name="Rita Recruiter", email="rita@example.com")
    job = make_job(title="Senior Backend Engineer", recruiter=rita, stale_days=3)
    people = [
        make_application(job=job, name=name)
        for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra")
    ]
    for n, application in enumerate(people):
        Application.update(reply_by=today() - timedelta(days=2 + 4 * n)).where(
            Application.id == application.id
        ).execute()
    done = Application.get_by_id(people[3].id)
    note = "Dear Edsger, thank you."
    domain.close(rita, done, done.version, "rejected", note, closure_reason="role_filled")
    rate_experience(Application.get_by_id(done.id), 4)
    return {"rita": rita, "job": job, "people": people}


def pages(data) -> list[str]:
    ada = data["people"][0].ref
    return [
        "/admin/followup/",
        f"/admin/followup/{ada}/close?status=rejected",
        "/admin/metrics/",
        "/admin/metrics/?by=recruiter",
    ]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_no_page_scrolls_sideways(browser, server, data, viewport):
    context, page = signed_in(browser, server, data["rita"], viewport)
    for path in pages(data):
        response = page.goto(server + path)
        assert response.status == 200, path
        if path == "/admin/followup/":  # open every disclosure: the forms must fit too
            for summary in page.locator("main details > summary").all():
                summary.click()
        assert_fits(page, viewport, path)
    context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_axe_finds_nothing_serious(browser, server, data, viewport):
    context, page = signed_in(browser, server, data["rita"], viewport)
    for path in pages(data):
        page.goto(server + path)
        assert serious_violations(page) == [], path
    context.close()


def test_the_holding_update_without_javascript(browser, server, data):
    context, page = signed_in(browser, server, data["rita"], PHONE, javascript=False)
    ada = data["people"][0]
    page.goto(server + "/admin/followup/")
    row = page.locator(f"#row-{ada.id}")
    row.locator("summary:has-text('Post update')").click()
    message = row.locator(f"#row-{ada.id}-message")
    assert message.input_value().startswith("Hello Ada,")
    promised = domain.reply_by_default(Stage.get_by_id(ada.stage_id))
    assert row.locator("input[name=reply_by]").input_value() == promised.isoformat()
    message.fill(message.input_value().replace("Hello Ada,", "Dear Ada,"))
    row.locator("button:has-text('Check and send')").click()
    assert "Dear Ada," in page.locator("pre.email-text").text_content()  # what will go
    page.click("button:has-text('Send and save')")
    page.wait_for_url(server + "/admin/followup/")
    assert "Update posted for Ada Lovelace. Emailed" in page.content()
    after = Application.get_by_id(ada.id)
    assert after.reply_by == promised and after.reply_by > date.today() - timedelta(days=1)
    assert page.locator(f"#row-{ada.id}").count() == 0  # no longer owed word
    context.close()


def test_confirming_proposed_closures_without_javascript(browser, server, data):
    context, page = signed_in(browser, server, data["rita"], LAPTOP, javascript=False)
    page.goto(server + "/admin/followup/")
    page.click("details.proposals > summary")
    picks = page.locator("details.proposals input[name=pick]")
    assert picks.count() == 2  # Alan (14 days late) and Grace (6): past the job's 3
    page.select_option("#proposed-closure_reason", "role_closed")
    page.click("button:has-text('Check and close the ticked')")
    assert "2 emails go out as soon as you confirm" in page.content()
    page.click("button:has-text('Send and save')")
    assert "Closed 2 applications as rejected." in page.content()
    closed = [a.candidate.name for a in Application.select() if a.status == "rejected"]
    assert sorted(closed) == ["Alan Turing", "Edsger Dijkstra", "Grace Hopper"]
    context.close()


def test_charts_are_drawn_without_javascript(browser, server, data):
    context, page = signed_in(browser, server, data["rita"], PHONE, javascript=False)
    page.goto(server + "/admin/metrics/")
    bars = page.locator("svg.bars rect")
    assert bars.count() == 2  # one job: its gap (0 days, a sliver) and its share overdue
    widest = max(bar.bounding_box()["width"] for bar in bars.all())
    assert widest > 150  # all three active applications are overdue: a full bar
    assert "Senior Backend Engineer" in page.locator("svg.bars desc").first.text_content()
    assert page.locator("svg.columns rect").count() == 5  # ratings 1 to 5
    context.close()
