"""The candidate pages in a real headless Chromium (Debian's, driven by Playwright):
a 360 px phone, no JavaScript needed, the strict CSP really applied, and an axe-core
scan with no serious or critical violations."""

import re
from datetime import timedelta

import pytest
from helpers.chromium import PHONE
from helpers.chromium import serious_violations

from portal import dates
from portal import domain
from portal.candidates import links
from portal.candidates.actions import withdraw_by_candidate
from portal.clock import today
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Stage

pytestmark = pytest.mark.browser


@pytest.fixture
def live(app, server):
    """The app served on loopback, its BASE_URL pointing at itself."""
    app.config["BASE_URL"] = server
    return server


@pytest.fixture
def phone(browser):
    """A phone-sized page with JavaScript off: the page must not need it."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    problems = []
    # A CSP violation or any failed request is a problem; the browser's own guess at
    # /favicon.ico is not the page's doing.
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") and "/c/" not in r.url
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def scanner(browser):
    """A phone-sized page with scripts allowed, only for axe-core to run in it."""
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def active(make_application):
    application = make_application(name="Ada Lovelace")
    interviews = application.job.stages.where(Stage.position == 2).get()
    domain.move(
        None,
        application,
        interviews,
        application.version,
        message="Thank you for a great first call! Next come the interviews.",
        next_steps="Look out for an email with the schedule and your interviewers' names.",
        reply_by=today() + timedelta(days=8),
    )
    return application


def url_of(live, application) -> str:
    return f"{live}/c/{links.live(application).token}/"


def assert_accessible(scanner, url):
    scanner.goto(url)
    assert serious_violations(scanner) == []


def assert_fits_a_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"


def test_the_page_on_a_phone(live, phone, active):
    response = phone.goto(url_of(live, active))
    assert response.status == 200
    assert phone.get_by_role("heading", level=1).inner_text().endswith("Backend Engineer")
    current = phone.locator('[aria-current="step"]')
    assert "Interviews" in current.inner_text()
    promise = dates.in_words(Application.get_by_id(active.id).reply_by)
    assert phone.get_by_text(f"By {promise}").is_visible()
    # The stylesheet loaded under the strict CSP (the page is styled), nothing was blocked.
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(243, 245, 248)"
    assert phone.problems == []
    assert_fits_a_phone(phone)


def test_withdraw_without_javascript(live, phone, active):
    phone.goto(url_of(live, active))
    phone.get_by_text("Withdraw my application", exact=True).click()  # <details> opens without JS
    phone.get_by_label("Would you tell us why?").fill("I accepted another offer")
    phone.get_by_label("Yes, withdraw my application").check()
    phone.get_by_role("button", name="Withdraw").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name="Your application is withdrawn").is_visible()
    assert Application.get_by_id(active.id).status == "withdrawn"
    assert phone.problems == []
    assert_fits_a_phone(phone)


def test_acknowledge_and_rate_without_javascript(live, phone, active):
    domain.close(None, active, active.version, "rejected", "Dear Ada,\n\nThank you for your time.")
    phone.goto(url_of(live, active))
    assert phone.get_by_role("heading", name="We are not moving forward").is_visible()
    phone.get_by_role("button", name="Got it, thank you").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("You told us on").is_visible()
    phone.get_by_label("Well", exact=True).check()
    phone.get_by_role("button", name="Send", exact=True).click()
    phone.wait_for_load_state()
    assert phone.get_by_text("Thank you for telling us how it went").is_visible()
    kinds = {e.kind for e in Event.select().where(Event.application == active.id)}
    assert {"acknowledged", "rated"} <= kinds
    assert_fits_a_phone(phone)


def test_the_dead_link_page_and_a_fresh_link(live, phone, active):
    response = phone.goto(f"{live}/c/this-is-not-a-link/")
    assert response.status == 404
    assert phone.get_by_role("heading", name="This link no longer works").is_visible()
    phone.get_by_label("Your email address").fill(active.candidate.email)
    phone.get_by_role("button", name="Email me a fresh link").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name="Check your inbox").is_visible()
    assert_fits_a_phone(phone)


@pytest.mark.parametrize("state", ["active", "closed", "withdrawn", "dead"])
def test_axe_finds_nothing_serious(live, scanner, active, state):
    if state == "closed":
        domain.close(None, active, active.version, "hired", "Welcome aboard, Ada!")
    elif state == "withdrawn":
        withdraw_by_candidate(active, active.version, "")
    url = f"{live}/c/nope/" if state == "dead" else url_of(live, active)
    assert_accessible(scanner, url)


def test_the_stylesheet_is_the_only_request(live, browser, active):
    """L9 in a browser: the page asks for nothing but itself and its stylesheet."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url_of(live, active))
    context.close()
    others = [u for u in requested if not u.startswith(live)]
    assert others == []
    assert len(requested) == 2
    assert requested[0] == url_of(live, active)
    assert re.fullmatch(rf"{live}/assets/candidate\.[0-9a-f]{{12}}\.css", requested[1])
