"""Signing in and out (A7, A8 of docs/security.md), through the real login form."""

import re
import time

import pytest
from helpers.factories import PASSWORD
from helpers.http import csrf_token


def login(client, email, password, next_=None):
    page = client.get("/login")
    url = "/login" if next_ is None else "/login?next=" + next_
    return client.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_token(page)}
    )


def test_login_page_has_labelled_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label for="email">Email</label>' in page.text
    assert '<label for="password">Password</label>' in page.text


def test_sign_in_lands_on_the_admin_home_with_name_in_the_header(client, make_user):
    user = make_user("recruiter", name="Rita Recruiter")
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "Rita Recruiter" in home.text
    assert 'action="/logout"' in home.text


def test_email_is_matched_whatever_its_case(client, make_user):
    user = make_user("recruiter", email="rita@example.com")
    assert login(client, "  RITA@Example.com ", PASSWORD).status_code == 302
    assert user.email == "rita@example.com"


def test_wrong_password_is_refused_and_says_nothing_about_the_account(client, make_user):
    user = make_user("recruiter")
    response = login(client, user.email, "wrong password")
    assert response.status_code == 401
    assert "That email and password do not match an account." in response.text
    assert client.get("/admin/").status_code == 302


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user("recruiter", active=False)
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 401
    assert client.get("/admin/").headers["Location"].startswith("/login")


def test_logout_is_a_post_and_ends_the_session(client, auth, make_user):
    auth.login(make_user("recruiter"))
    assert client.get("/logout").status_code == 405
    assert client.get("/admin/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You are signed out." in client.get("/login").text
    assert client.get("/admin/").headers["Location"].startswith("/login")


def test_signed_in_user_visiting_login_goes_to_the_admin(client, auth, make_user):
    auth.login(make_user("recruiter"))
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


# --- A7: rate limit, and no hint whether the account exists ---------------------------


def _normalised(response, typed_email: str) -> str:
    """The page without its CSRF token and the echoed email, the only parts that vary."""
    text = re.sub(r'value="[^"]*"', 'value=""', response.text)
    return text.replace(typed_email, "EMAIL")


def test_wrong_email_and_wrong_password_get_the_same_response(client, make_user):
    user = make_user("recruiter")
    wrong_password = login(client, user.email, "not the password")
    wrong_email = login(client, "nobody@example.com", "not the password")
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert _normalised(wrong_password, user.email) == _normalised(wrong_email, "nobody@example.com")
    same_headers = ("Content-Type", "Cache-Control", "Content-Security-Policy")
    for name in same_headers:
        assert wrong_password.headers.get(name) == wrong_email.headers.get(name)


def test_many_wrong_passwords_are_rate_limited(client, make_user):
    user = make_user("recruiter")
    statuses = [login(client, user.email, f"guess {n}").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    blocked = login(client, user.email, PASSWORD)
    assert blocked.status_code == 429  # even the right password waits now
    assert "Too many attempts" in blocked.text


def test_rate_limit_is_the_same_for_an_unknown_account(client):
    statuses = [login(client, "nobody@example.com", f"guess {n}").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]


def test_a12_a_sprayed_account_still_lets_its_owner_in(app, make_user):
    """A12: thirty wrong passwords for one account from thirty other addresses, then the
    right one from a clean address: the owner signs in (the account is never locked)."""
    user = make_user("recruiter")
    app.config["LOGIN_SLOWDOWN_SECONDS"] = 0.01
    for n in range(30):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        assert login(client, user.email, "wrong").status_code == 401
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(owner, user.email, PASSWORD).status_code == 302
    assert owner.get("/admin/").status_code == 200


def test_a12_failures_on_a_sprayed_account_are_answered_late(app, make_user):
    """A12: past the limit, every further failure on the account waits, from any address."""
    user = make_user("recruiter")
    app.config["LOGIN_SLOWDOWN_SECONDS"] = 0.4
    for n in range(10):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.1.{n + 1}"
        assert login(client, user.email, "wrong").status_code == 401
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "10.0.2.1"
    page = fresh.get("/login")
    started = time.perf_counter()
    answer = fresh.post(
        "/login", data={"email": user.email, "password": "wrong", "csrf_token": csrf_token(page)}
    )
    assert answer.status_code == 401
    assert time.perf_counter() - started >= 0.4


# --- A8: next= never leads off-site ------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "http://evil.com/admin/",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "//evil.com/%2e%2e",
        "https:evil.com",
        "////evil.com",
        "///evil.com/admin/",
        "/\t/evil.com",
        "/ /evil.com",
        "/\\/evil.com",
    ],
)
def test_off_site_next_is_ignored(client, make_user, target):
    user = make_user("recruiter")
    response = login(client, user.email, PASSWORD, next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_on_site_next_is_followed(client, make_user, make_job):
    job = make_job()
    user = make_user("recruiter")
    gate = client.get(f"/admin/jobs/{job.ref}/")
    assert gate.status_code == 302
    assert gate.headers["Location"].startswith("/login?next=")
    response = login(client, user.email, PASSWORD, next_=f"/admin/jobs/{job.ref}/")
    assert response.headers["Location"] == f"/admin/jobs/{job.ref}/"
