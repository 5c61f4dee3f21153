"""A10 of docs/security.md: a saved staff cookie opens nothing once its session ended,
and every session ends by itself after ``SESSION_HOURS``."""

from datetime import timedelta

import time_machine
from helpers.factories import PASSWORD
from helpers.http import csrf_token

from portal import domain
from portal.clock import now
from portal.store.models import StaffSession


def signed_in(app, user):
    """A client signed in as ``user`` through the real form, and its session cookie."""
    client = app.test_client()
    page = client.get("/login")
    answer = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    )
    assert answer.status_code == 302
    return client, client.get_cookie("session").value


def replay(app, cookie):
    """A fresh browser presenting a saved session cookie: the admin home's status."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/admin/").status_code


def test_the_cookie_names_a_session_not_a_user(app, make_user):
    user = make_user("recruiter")
    _, cookie = signed_in(app, user)
    assert replay(app, cookie) == 200
    assert StaffSession.select().where(StaffSession.user == user.id).count() == 1


def test_a_saved_cookie_dies_at_sign_out(app, make_user):
    user = make_user("recruiter")
    client, cookie = signed_in(app, user)
    page = client.get("/admin/")
    assert client.post("/logout", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert replay(app, cookie) == 302  # to the sign-in page


def test_signing_out_one_browser_leaves_the_others(app, make_user):
    user = make_user("recruiter")
    laptop, _ = signed_in(app, user)
    _, phone = signed_in(app, user)
    page = laptop.get("/admin/")
    laptop.post("/logout", data={"csrf_token": csrf_token(page)})
    assert replay(app, phone) == 200


def test_a_new_password_ends_every_session(app, make_user):
    user = make_user("recruiter")
    _, cookie = signed_in(app, user)
    domain.set_password(None, user, "a brand new password")
    assert replay(app, cookie) == 302


def test_deactivation_ends_sessions_and_reactivation_does_not_bring_them_back(app, make_user):
    admin = make_user("admin")
    user = make_user("recruiter")
    _, cookie = signed_in(app, user)
    domain.update_user(admin, user, active=False)
    assert replay(app, cookie) == 302
    domain.update_user(admin, user, active=True)
    assert replay(app, cookie) == 302


def test_sign_out_everywhere_ends_every_browser(app, make_user):
    user = make_user("recruiter")
    laptop, _ = signed_in(app, user)
    _, phone = signed_in(app, user)
    page = laptop.get("/admin/")
    answer = laptop.post("/logout/everywhere", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    assert "signed out everywhere (2 sessions ended)" in laptop.get("/login").text
    assert replay(app, phone) == 302
    assert StaffSession.select().where(StaffSession.user == user.id).count() == 0


def test_sign_out_everywhere_needs_the_form_token(app, make_user):
    user = make_user("recruiter")
    laptop, cookie = signed_in(app, user)
    assert laptop.post("/logout/everywhere").status_code == 400
    assert replay(app, cookie) == 200


def test_a_session_ends_by_itself_after_its_lifetime(app, make_user):
    user = make_user("recruiter")
    _, cookie = signed_in(app, user)
    hours = app.config["SESSION_HOURS"]
    with time_machine.travel(now() + timedelta(hours=hours) - timedelta(minutes=1), tick=False):
        assert replay(app, cookie) == 200
    with time_machine.travel(now() + timedelta(hours=hours, minutes=1), tick=False):
        assert replay(app, cookie) == 302


def test_a_made_up_session_id_opens_nothing(app, make_user):
    user = make_user("recruiter")
    client, _ = signed_in(app, user)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what a cookie held before sessions had rows
    assert client.get("/admin/").status_code == 302


def test_the_database_holds_no_session_anyone_could_present(app, make_user):
    user = make_user("recruiter")
    client, cookie = signed_in(app, user)
    [row] = StaffSession.select().where(StaffSession.user == user.id)
    with client.session_transaction() as session:
        presented = session["_user_id"]
        session["_user_id"] = row.id  # what a stolen backup would offer
    assert presented != row.id
    assert client.get("/admin/").status_code == 302
    assert replay(app, cookie) == 200
