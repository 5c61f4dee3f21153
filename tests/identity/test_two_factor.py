"""Two-factor sign-in: set up from a QR code drawn here, confirmed by a code; after the
password, a code from the app (good once) or a recovery code (good once); wrong codes
refused and limited; admins made to set it up when the policy says so; turning it off
needs the password."""

import re
import time

import pyotp
from helpers.admin_client import form
from helpers.factories import PASSWORD
from helpers.http import csrf_token

from portal.identity import factors
from portal.store.models import AuditEntry
from portal.store.models import RecoveryCode
from portal.store.models import User


def turn_on(client, auth, user) -> tuple[str, list[str]]:
    """Set it up through the page, as a person would; the secret and recovery codes."""
    auth.login(user)
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "<svg" in page.text and "<title>QR code" in page.text
    shown = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    secret = shown.replace(" ", "")  # shown in groups of four, to type
    fields = {**form(page.text, "/account/two-factor")["fields"], "code": pyotp.TOTP(secret).now()}
    done = client.post("/account/two-factor", data=fields)
    assert done.status_code == 200 and "They are shown only now." in done.text
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.text)
    again = client.post("/account/two-factor", data=fields)  # the codes page reloaded
    assert again.status_code == 302 and User.get_by_id(user.id).totp_secret == secret
    auth.logout()
    return secret, codes


def password_step(client, user):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)},
    )


def code_step(client, code):
    page = client.get("/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(page)})


def later_code(secret: str) -> str:
    """The code of the next time step (the app's, 30 seconds on; accepted for drift)."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def test_set_up_then_a_password_alone_is_not_enough(client, auth, make_user):
    user = make_user("recruiter")
    secret, codes = turn_on(client, auth, user)
    assert len(codes) == factors.RECOVERY_CODES
    stored = User.get_by_id(user.id)
    assert stored.totp_secret == secret
    assert all(c not in "".join(r.digest for r in RecoveryCode.select()) for c in codes)
    first = password_step(client, user)
    assert first.status_code == 302 and first.headers["Location"] == "/login/code"
    assert client.get("/admin/").status_code == 302  # not in yet
    assert code_step(client, later_code(secret)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_works_once_and_a_wrong_one_not_at_all(client, auth, make_user):
    user = make_user("recruiter")
    secret, _ = turn_on(client, auth, user)
    password_step(client, user)
    wrong = code_step(client, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 401 and "did not work" in wrong.text
    code = later_code(secret)
    assert code_step(client, code).status_code == 302
    auth.logout()
    password_step(client, user)
    assert code_step(client, code).status_code == 401  # the same code again
    assert AuditEntry.select().where(AuditEntry.action == "two_factor_failed").count() == 2


def test_a_recovery_code_stands_in_once(client, auth, make_user):
    user = make_user("manager")
    _, codes = turn_on(client, auth, user)
    password_step(client, user)
    assert code_step(client, codes[0].upper()).status_code == 302  # case and dashes forgiven
    auth.logout()
    password_step(client, user)
    assert code_step(client, codes[0]).status_code == 401
    assert factors.recovery_left(user) == factors.RECOVERY_CODES - 1


def test_the_second_step_without_a_right_password_goes_nowhere(client, make_user):
    make_user("recruiter")
    answer = client.get("/login/code")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def test_admins_set_it_up_first_when_the_policy_says_so(app, client, auth, make_user):
    app.config["TWO_FACTOR_ADMINS"] = True
    admin = make_user("admin")
    auth.login(admin)
    answer = client.get("/admin/users/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    assert "Admins here sign in with a second factor" in page.text
    recruiter = make_user("recruiter")
    auth.logout()
    auth.login(recruiter)
    assert client.get("/admin/").status_code == 200  # the policy is for admins


def test_turning_it_off_needs_the_password(client, auth, make_user):
    user = make_user("recruiter")
    secret, _ = turn_on(client, auth, user)
    password_step(client, user)
    code_step(client, later_code(secret))
    page = client.get("/account/two-factor")
    fields = {"csrf_token": csrf_token(page)}
    client.post("/account/two-factor/off", data={**fields, "password": "not it"})
    assert User.get_by_id(user.id).totp_secret == secret
    client.post("/account/two-factor/off", data={**fields, "password": PASSWORD})
    assert User.get_by_id(user.id).totp_secret == ""
    assert RecoveryCode.select().where(RecoveryCode.user == user.id).count() == 0
