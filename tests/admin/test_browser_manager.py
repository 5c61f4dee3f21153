"""A hiring manager's home in a real headless Chromium, on a 1280 px laptop and a 360 px
phone: signing in lands on what they owe, the page fits without sideways scrolling, its
lists become cards on the phone, "Write your scorecard" opens the application at its
scorecard, and axe-core finds nothing serious, with rows and with nothing owed."""

import pytest
import time_machine
from helpers import managers as world
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.factories import stage

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])


@pytest.fixture
def clock():
    """The frozen clock of the test, at Tuesday 8 December 2026 09:00 once the world is built."""
    with time_machine.travel(world.TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(clock, make_user, make_job, make_application):
    return world.build(clock, make_user, make_job, make_application)


def rows(page, section: str) -> list[str]:
    """The candidates listed in the home's ``section``, in order."""
    return page.locator(f"#{section} td[data-label=Candidate] a").all_inner_texts()


@VIEWPORTS
def test_a_manager_lands_on_what_they_owe_and_it_fits(browser, server, team, viewport):
    context, page = signed_in(browser, server, team["mo"], viewport)
    assert page.locator("h1").inner_text() == "What you owe"
    assert rows(page, "owed") == ["Ivy Interviewed", "Lee Left", "Dee Deciding"]
    assert rows(page, "waiting") == ["Ivy Interviewed", "Dee Deciding"]
    assert rows(page, "decided")[:2] == ["Cy Closed", "Lee Left"]
    assert_fits(page, viewport, "/admin/")
    assert serious_violations(page) == []
    context.close()


def test_on_a_phone_each_scorecard_owed_is_a_card_with_labels(browser, server, team):
    context, page = signed_in(browser, server, team["mo"], PHONE)
    header = page.locator("#owed table.list thead")
    assert header.bounding_box() is None or header.bounding_box()["width"] <= 1
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#owed td[data-label=Waited]'), '::before')"
        ".content"
    )
    assert label == '"Waited"'
    first = page.locator("#owed tbody tr").first.bounding_box()
    assert first["width"] <= PHONE["width"] and first["height"] > 100  # stacked, not a row
    button = page.locator("#owed a.button", has_text="Write your scorecard").first
    assert button.bounding_box()["height"] >= 40  # big enough for a thumb
    context.close()


@VIEWPORTS
def test_write_your_scorecard_opens_the_application_at_its_scorecard(
    browser, server, team, viewport
):
    context, page = signed_in(browser, server, team["mo"], viewport)
    page.locator("#owed a.button", has_text="Write your scorecard").first.click()
    interviews = stage(team["design"], "Interviews").id
    page.wait_for_url(f"{server}/admin/applications/A-IVY/?scorecard={interviews}#feedback")
    assert page.locator("h1").inner_text().startswith("Ivy Interviewed")
    scorecard = page.locator("#feedback")
    assert scorecard.is_visible()
    assert "Your scorecard for Interviews" in scorecard.inner_text()
    assert scorecard.bounding_box()["y"] < viewport["height"]  # scrolled to it
    assert_fits(page, viewport, "/admin/applications/A-IVY/")
    context.close()


@VIEWPORTS
def test_nothing_owed_says_so_and_passes_axe(browser, server, clock, make_user, make_job, viewport):
    newcomer = make_user("manager")
    make_job(title="Analyst", managers=[newcomer])
    context, page = signed_in(browser, server, newcomer, viewport)
    assert "You are up to date: no scorecard is owed." in page.locator("#owed").inner_text()
    assert page.locator("main table").count() == 0
    assert_fits(page, viewport, "/admin/")
    assert serious_violations(page) == []
    page.click("main a:has-text('Your jobs')")
    page.wait_for_url(f"{server}/admin/jobs/")
    assert "Analyst" in page.locator("main").inner_text()
    context.close()
