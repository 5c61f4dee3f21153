"""What the tests in a real headless Chromium share: Debian's browser started with the house
flags (never a downloaded one; conftest.py's ``browser`` fixture calls ``launch``), the two
viewports, signing in, and the axe-core scan."""

from axe_playwright_python.sync_playwright import Axe

from helpers.factories import PASSWORD

EXECUTABLE = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
#: Visible buttons and fields of the page that are too small to hit with a thumb.
SMALL_TARGETS = """
[...document.querySelectorAll("main button, main select, main textarea, main input")]
  .filter(e => !["hidden", "checkbox", "radio"].includes(e.type))
  .filter(e => e.offsetParent && e.getBoundingClientRect().height < 40).length
"""


def launch(playwright):
    """Debian's Chromium, headless, with the flags that keep it off the network."""
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=ARGS)


def signed_in(browser, server, user, viewport, javascript=True):
    """A new context and page signed in as ``user`` through the real login form."""
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/admin/")
    return context, page


def assert_fits(page, viewport, path: str) -> None:
    """The page at ``path`` scrolls no wider than the viewport; on a phone, every button
    and field is tall enough for a thumb."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{path} is {width}px wide"
    if viewport is PHONE:
        assert page.evaluate(SMALL_TARGETS) == 0, path


def serious_violations(page) -> list:
    """axe-core's serious and critical findings on the page as loaded: rule, impact and
    the first few elements, so a failure says where to look."""
    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
