"""Staff's own ways in, end to end in a real headless Chromium (Debian's, driven by
Playwright), at 360 x 800 and 1280 x 900: single sign-on through a real OpenID provider
on loopback (tests/helpers/oidc.py), and a refusal; an invitation from Admin › Users read
from the outbox and accepted; a forgotten password reset by email, its link then spent;
and two-factor sign-in set up from the header and used. Every page of the portal on the
way fits the viewport (no sideways scrolling; on a phone, thumb-sized controls) and axe
finds nothing serious or critical on it."""

import re
import time

import pyotp
import pytest
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.chromium import SMALL_TARGETS
from helpers.factories import PASSWORD
from helpers.oidc import client as oidc_client
from helpers.oidc import Provider
from playwright.sync_api import expect

from portal.store.models import Mail
from portal.store.models import User

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}
LAPTOP = {"width": 1280, "height": 900}
viewports = pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])

NEW = "correct horse battery staple"
#: Who the provider knows: an admin, and someone in no group the portal maps.
ACCOUNTS = {
    "ada": {
        "sub": "ada",
        "email": "ada@corp.example",
        "email_verified": True,
        "name": "Ada Admin",
        "groups": ["portal-admins"],
    },
    "eve": {
        "sub": "eve",
        "email": "eve@corp.example",
        "email_verified": True,
        "name": "Eve Else",
        "groups": ["everyone"],
    },
}


def looked_at(page, viewport, what: str) -> None:
    """The page as loaded fits the viewport (on a phone, every control is tall enough for
    a thumb) and axe finds nothing serious or critical on it."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{what} is {width}px wide"
    if viewport is PHONE:
        assert page.evaluate(SMALL_TARGETS) == 0, f"{what}: a control under 40px tall"
    assert serious_violations(page) == [], what


def new_page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    return context, context.new_page()


def signed_in_as(page, name: str) -> None:
    expect(page.locator("header .who-name")).to_contain_text(name)


def link_in(mail: Mail, kind: str) -> str:
    """The portal's link in an email to staff."""
    return re.search(rf"https?://\S+/{kind}/\S+", mail.text).group(0)


@pytest.fixture
def links_here(app, server):
    """Emailed links point at the server the browser uses."""
    app.config["BASE_URL"] = server
    return server


# --- single sign-on ---------------------------------------------------------------------


@pytest.fixture
def provider(app, server, tmp_path):
    """The real provider, with the portal registered at it as a confidential client."""
    metadata = oidc_client([server + "/login/sso/callback"])
    with Provider(tmp_path / "oidc", clients=[metadata], accounts=ACCOUNTS) as running:
        app.config.update(
            BASE_URL=server,
            OIDC_ISSUER=running.issuer,
            OIDC_CLIENT_ID=metadata["client_id"],
            OIDC_CLIENT_SECRET=metadata["client_secret"],
            OIDC_ROLES=["portal-admins=admin", "recruiting=recruiter", "hiring=manager"],
        )
        yield running


def through_the_provider(page, server, provider, viewport, login: str) -> None:
    """From the portal's sign-in page to the provider's form, signed in there as
    ``login``; the browser is sent back to the portal."""
    page.goto(server + "/login")
    looked_at(page, viewport, "the sign-in page with single sign-on")
    button = page.get_by_role("link", name=re.compile(r"^Sign in with your .+ account$"))
    expect(button).to_be_visible()
    button.click()
    page.wait_for_url(provider.issuer + "/interaction/**")
    page.fill("input[name=login]", login)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/**")


@viewports
def test_single_sign_on_through_the_real_provider(browser, server, provider, make_user, viewport):
    make_user("recruiter", email="ada@corp.example", name="Ada Admin")
    context, page = new_page(browser, viewport)
    through_the_provider(page, server, provider, viewport, "ada")
    page.wait_for_url(server + "/admin/")
    signed_in_as(page, "Ada Admin")
    expect(page.locator("header .who-role")).to_have_text("admin")  # the provider's groups
    looked_at(page, viewport, "the admin home after single sign-on")
    context.close()


@viewports
def test_someone_in_no_mapped_group_is_told_in_one_line(
    browser, server, provider, make_user, viewport
):
    make_user("manager", email="eve@corp.example", name="Eve Else")
    context, page = new_page(browser, viewport)
    through_the_provider(page, server, provider, viewport, "eve")
    page.wait_for_url(server + "/login")
    refusal = page.get_by_role("alert")
    expect(refusal).to_have_text(
        "You are not in a group that may use the hiring portal. Ask your IT team to add you."
    )
    expect(page.locator("header .who-name")).to_have_count(0)
    looked_at(page, viewport, "the sign-in page with the refusal")
    assert page.goto(server + "/admin/").url.startswith(server + "/login")
    context.close()


# --- an invitation ----------------------------------------------------------------------


@viewports
def test_an_invitation_from_admin_users_to_a_signed_in_colleague(
    browser, server, links_here, make_user, viewport
):
    admin = make_user("admin", name="Ann Admin", email="ann@example.com")
    context, page = signed_in(browser, server, admin, viewport)
    page.locator("nav").get_by_role("link", name="Users").click()
    page.wait_for_url(server + "/admin/users/")
    looked_at(page, viewport, "Admin › Users")
    form = page.locator("form:has(button:text-is('Add user'))")
    form.get_by_label("Name", exact=True).fill("Ivo New")
    form.get_by_label("Email", exact=True).fill("ivo@example.com")
    form.get_by_label("Role", exact=True).select_option("manager")
    expect(form.get_by_label("Initial password (optional)")).to_have_value("")
    form.get_by_role("button", name="Add user").click()
    page.wait_for_url(server + "/admin/users/")
    expect(page.get_by_role("status")).to_contain_text("Invited Ivo New (ivo@example.com)")
    looked_at(page, viewport, "Admin › Users after inviting")
    context.close()

    invitation = Mail.get((Mail.to == "ivo@example.com") & (Mail.kind == "staff_invite"))
    assert "Ann Admin has invited you" in invitation.text
    link = link_in(invitation, "welcome")
    assert link.startswith(server + "/welcome/")

    context, page = new_page(browser, viewport)  # the invitee's own browser
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome: choose your password")
    looked_at(page, viewport, "the invitation's page")
    password, confirm = page.get_by_label("New password"), page.get_by_label("The same again")
    expect(password).to_have_attribute("autocomplete", "new-password")
    expect(password).to_have_accessible_description(re.compile("At least 12 characters"))
    password.fill("too short")
    confirm.fill("too short")
    page.get_by_role("button", name="Save and sign in").click()
    page.wait_for_load_state("load")
    error = page.get_by_text("Use at least 12 characters.")
    expect(error).to_be_visible()
    # The refused field is the one a keyboard or screen reader lands on, and says why.
    expect(page.get_by_label("New password")).to_be_focused()
    expect(page.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("New password")).to_have_accessible_description(
        re.compile("Use at least 12 characters")
    )
    looked_at(page, viewport, "the invitation's page with a refused password")
    assert User.get(User.email == "ivo@example.com").check_password("too short") is False

    page.get_by_label("New password").fill(NEW)
    page.get_by_label("The same again").fill(NEW)
    page.get_by_role("button", name="Save and sign in").click()
    page.wait_for_url(server + "/admin/")
    expect(page.get_by_role("status")).to_have_text("Your account is ready. Welcome!")
    signed_in_as(page, "Ivo New")
    looked_at(page, viewport, "the new colleague's home")
    assert User.get(User.email == "ivo@example.com").check_password(NEW)
    context.close()


# --- a forgotten password ---------------------------------------------------------------


@viewports
def test_a_forgotten_password_is_reset_by_email_once(
    browser, server, links_here, make_user, viewport
):
    make_user("recruiter", name="Rita Recruiter", email="rita@example.com")
    context, page = new_page(browser, viewport)
    page.goto(server + "/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_url(server + "/reset")
    looked_at(page, viewport, "the page that asks for a reset")
    page.get_by_label("Your work email").fill("rita@example.com")
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_url(server + "/login")
    expect(page.get_by_role("status")).to_contain_text("If that address has an account here")
    looked_at(page, viewport, "the sign-in page after asking for a reset")

    link = link_in(Mail.get(Mail.kind == "staff_reset", Mail.to == "rita@example.com"), "reset")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    looked_at(page, viewport, "the reset link's page")
    page.get_by_label("New password").fill(NEW)
    page.get_by_label("The same again").fill(NEW)
    page.get_by_role("button", name="Save and sign in").click()
    page.wait_for_url(server + "/admin/")
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    signed_in_as(page, "Rita Recruiter")
    looked_at(page, viewport, "the home after a reset")
    assert User.get(User.email == "rita@example.com").check_password(NEW)

    spent = page.goto(link)
    assert spent.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    expect(page.get_by_role("link", name="Email me a new link")).to_be_visible()
    looked_at(page, viewport, "the spent reset link")
    context.close()


# --- two-factor sign-in -----------------------------------------------------------------


@viewports
def test_two_factor_sign_in_set_up_from_the_header_and_used(browser, server, make_user, viewport):
    rita = make_user("recruiter", name="Rita Recruiter", email="rita@example.com")
    context, page = signed_in(browser, server, rita, viewport)
    page.locator("header .who-name").click()
    page.wait_for_url(server + "/account/password")
    looked_at(page, viewport, "the change-password page")
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.wait_for_url(server + "/account/two-factor")
    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["width"] == pytest.approx(box["height"], abs=2)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    looked_at(page, viewport, "the two-factor set-up page")

    secret = "".join(page.locator("code.secret").inner_text().split())  # shown in fours
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code", exact=True).fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}", c) for c in codes)
    looked_at(page, viewport, "the recovery codes")
    assert User.get_by_id(rita.id).totp_secret == secret

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(server + "/login")
    page.fill("#email", rita.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(server + "/login/code")
    expect(page.locator("header .who-name")).to_have_count(0)  # not in yet
    looked_at(page, viewport, "the page that asks for the code")
    code = page.get_by_label("Code")
    expect(code).to_be_focused()
    code.fill(totp.at(time.time() + totp.interval))  # the app's next code: now's was used
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/admin/")
    signed_in_as(page, "Rita Recruiter")
    looked_at(page, viewport, "the home after the second step")
    context.close()
