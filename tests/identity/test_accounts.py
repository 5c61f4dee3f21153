"""Staff's own way in: invitations, password resets, changing a password, and the
break-glass sign-in link. Each link is signed, single-use and short-lived; tampered,
expired, reused and superseded links open nothing; a new password ends the person's
other sessions and links."""

import re
from datetime import timedelta

import time_machine
from helpers.admin_client import form
from helpers.factories import PASSWORD
from helpers.http import Auth

from portal.cli import cli
from portal.clock import now
from portal.identity import links
from portal.mail import queue as mail
from portal.store.models import AuditEntry
from portal.store.models import Mail
from portal.store.models import StaffSession
from portal.store.models import User

NEW = "correct horse battery staple"


def link_in(message) -> str:
    """The portal link in an email to staff, as a path."""
    url = re.search(r"https?://\S+/(welcome|reset|sign-in)/\S+", message.text).group(0)
    return "/" + url.split("/", 3)[3]


def choose(client, path, password=NEW, confirm=None):
    page = client.get(path)
    fields = form(page.text, path)["fields"] if page.status_code == 200 else {}
    return client.post(
        path,
        data={**fields, "password": password, "confirm": confirm or password},
    )


def test_an_admin_invites_and_the_invitee_chooses_a_password(client, auth, make_user):
    admin = make_user("admin", name="Ada")
    auth.login(admin)
    page = client.get("/admin/users/")
    fields = form(page.text, "/admin/users/")["fields"]
    fields.update(name="Ivo New", email="ivo@example.com", role="manager", password="")
    assert client.post("/admin/users/", data=fields).status_code == 302
    auth.logout()
    [invitation] = Mail.select().where(Mail.to == "ivo@example.com")
    assert "Ada has invited you" in invitation.text and "72 hours" in invitation.text
    path = link_in(invitation)
    assert client.get(path).status_code == 200  # looking changes nothing
    assert client.get(path).status_code == 200
    answer = choose(client, path)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200  # signed in
    ivo = User.get(User.email == "ivo@example.com")
    assert ivo.check_password(NEW)
    assert client.get(path).status_code == 410  # used once
    assert AuditEntry.get(AuditEntry.action == "password_set").actor_id == ivo.id


def test_a_weak_or_mistyped_password_is_refused_with_the_link_still_good(client, make_user):
    user = make_user("recruiter")
    path = "/" + links.issue(user, links.INVITE).split("/", 3)[3]
    short = choose(client, path, password="short")
    assert short.status_code == 400 and "at least 12 characters" in short.text
    differs = choose(client, path, confirm="something else entirely")
    assert differs.status_code == 400 and "The two passwords differ." in differs.text
    assert choose(client, path).status_code == 302


def test_tampered_expired_and_superseded_links_open_nothing(client, make_user):
    user = make_user("recruiter")
    with client.application.test_request_context():
        first = links.issue(user, links.RESET)
        second = links.issue(user, links.RESET)
    path = "/" + first.split("/", 3)[3]
    assert client.get(path).status_code == 410  # superseded by the second
    newer = "/" + second.split("/", 3)[3]
    assert (
        client.get(newer[:-2] + ("A" if newer[-2] != "A" else "B") + newer[-1]).status_code == 410
    )
    assert client.get(newer.replace("/reset/", "/welcome/")).status_code == 410  # other purpose
    with time_machine.travel(now() + timedelta(hours=2)):
        assert client.get(newer).status_code == 410  # a reset lasts an hour
    assert client.get(newer).status_code == 200


def test_a_reset_is_asked_for_alike_whoever_asks(client, make_user):
    user = make_user("recruiter", email="rita@example.com")
    page = client.get("/reset")
    for email in ("rita@example.com", "nobody@example.com"):
        fields = {**form(page.text, "/reset")["fields"], "email": email}
        answer = client.post("/reset", data=fields, follow_redirects=True)
        assert "If that address has an account here" in answer.text
    [sent] = Mail.select().where(Mail.kind == "staff_reset")
    assert sent.to == user.email and "within an hour" in sent.text


def test_a_reset_ends_every_other_session_and_the_old_password(client, auth, app, make_user):
    user = make_user("recruiter", email="rita@example.com")
    other = app.test_client()
    assert auth.login(user).status_code == 302  # signed in somewhere
    auth.logout()
    Auth(other).login(user)
    assert StaffSession.select().where(StaffSession.user == user.id).count() == 1
    with app.test_request_context():
        path = "/" + links.issue(user, links.RESET).split("/", 3)[3]
    assert choose(client, path).status_code == 302
    assert other.get("/admin/").status_code == 302  # the other browser is signed out
    assert not User.get_by_id(user.id).check_password(PASSWORD)
    assert StaffSession.select().where(StaffSession.user == user.id).count() == 1  # this one


def test_changing_a_password_needs_the_current_one(client, auth, make_user):
    user = make_user("manager")
    auth.login(user)
    page = client.get("/account/password")
    fields = form(page.text, "/account/password")["fields"]
    wrong = client.post(
        "/account/password", data={**fields, "current": "not it", "password": NEW, "confirm": NEW}
    )
    assert wrong.status_code == 400 and "not your current password" in wrong.text
    right = client.post(
        "/account/password", data={**fields, "current": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert right.status_code == 302
    assert User.get_by_id(user.id).check_password(NEW)
    assert client.get("/admin/").status_code == 200  # still signed in here


def test_the_break_glass_link_signs_an_admin_in_once(app, client, runner, make_user):
    make_user("admin", email="root@example.com")
    make_user("recruiter", email="rita@example.com")
    refused = runner.invoke(cli, ["sign-in-link", "rita@example.com"])
    assert refused.exit_code == 1 and "not an active admin" in refused.output
    app.config.update(OIDC_ISSUER="http://127.0.0.1:9", PASSWORD_SIGN_IN=False)
    result = runner.invoke(cli, ["sign-in-link", "root@example.com"])
    assert result.exit_code == 0
    path = "/" + result.output.strip().split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and client.get("/admin/").status_code == 302  # GET: nothing
    answer = client.post(path, data=form(page.text, path)["fields"])
    assert answer.status_code == 302 and client.get("/admin/").status_code == 200
    assert client.get(path).status_code == 410
    fresh = "/" + runner.invoke(cli, ["sign-in-link", "root@example.com"]).output.split("/", 3)[3]
    with time_machine.travel(now() + timedelta(minutes=16)):
        assert client.get(fresh.strip()).status_code == 410  # 15 minutes, no more
    assert AuditEntry.select().where(AuditEntry.action == "sign_in_link_issued").count() == 2


def test_invite_from_the_command_line(runner, make_user):
    result = runner.invoke(
        cli, ["invite", "--email", "mo@example.com", "--name", "Mo", "--role", "manager"]
    )
    assert result.exit_code == 0, result.output
    assert Mail.get(Mail.to == "mo@example.com").kind == "staff_invite"
    mail.send_pending(wait=True)  # outbox or SMTP: it goes like any mail


def test_someone_who_has_signed_in_is_not_invited_again(client, auth, runner, make_user):
    user = make_user("recruiter", email="rita@example.com")
    again = ["invite", "--email", "rita@example.com", "--name", "Rita", "--role", "recruiter"]
    assert runner.invoke(cli, again).exit_code == 0  # never signed in: a new invitation
    auth.login(user)
    refused = runner.invoke(cli, again)
    assert refused.exit_code == 1 and "Forgotten your password?" in refused.output
    assert Mail.select().where(Mail.kind == "staff_invite").count() == 1


def test_with_password_sign_in_off_no_page_offers_a_password(app, client, make_user):
    user = make_user("recruiter")
    app.config.update(OIDC_ISSUER="http://127.0.0.1:9", PASSWORD_SIGN_IN=False)
    page = client.get("/reset")
    assert "Password sign-in is off here" in page.text and 'name="email"' not in page.text
    with app.test_request_context():
        path = "/" + links.issue(user, links.INVITE).split("/", 3)[3]
    welcome = client.get(path)
    assert 'name="password"' not in welcome.text and "Sign in with your" in welcome.text
