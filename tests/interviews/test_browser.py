"""'Your interviews' in a real headless Chromium on a 360 px phone: it fits, a long link
and address wrap, the move form opens without JavaScript, and axe-core finds nothing
serious; the admin's interview form fits a phone too."""

from datetime import datetime

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.interviews import arrange

from portal.candidates import links
from portal.interviews import actions

pytestmark = pytest.mark.browser

LONG_LINK = "https://meet.example.com/" + "a1b2c3d4e5" * 12


@pytest.fixture
def live(app, server):
    app.config["BASE_URL"] = server
    return server


@pytest.fixture
def arranged(make_application):
    application = make_application(name="Ada Lovelace")
    actions.set_timezone(None, application, "America/Argentina/Buenos_Aires")
    arrange(application, place=LONG_LINK, prepare="A short talk.\n\nBring a laptop.")
    arrange(
        application,
        starts=datetime(2026, 12, 10, 14),
        format="on_site",
        place="Unit 4, The Very Long Named Business Park Extension, 1234 Longwordstreetname",
    )
    return application


def test_the_interviews_fit_a_phone_without_javascript(browser, live, arranged):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    path = f"/c/{links.live(arranged).token}/"
    page.goto(live + path)
    assert page.locator("#interviews-title").inner_text() == "Your interviews"
    assert_fits(page, PHONE, path)
    page.locator("summary", has_text="Ask to move this interview").first.click()
    assert page.locator("#move-reason-1").is_visible()
    assert_fits(page, PHONE, path)
    context.close()


def test_no_serious_accessibility_problem(browser, live, arranged):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live + f"/c/{links.live(arranged).token}/")
    page.locator("summary", has_text="Ask to move this interview").first.click()
    assert serious_violations(page) == []
    context.close()


def test_the_admin_form_and_panel_fit_a_phone(browser, live, make_user, arranged):
    recruiter = make_user("recruiter")
    context, page = signed_in(browser, live, recruiter, PHONE)
    for path in (
        f"/admin/applications/{arranged.ref}/",
        f"/admin/applications/{arranged.ref}/interviews/new",
    ):
        page.goto(live + path)
        assert_fits(page, PHONE, path)
    assert serious_violations(page) == []
    context.close()
