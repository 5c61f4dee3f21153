"""Revoking a candidate's link asks first: the panel's button opens a page that says what
will happen (GET, changing nothing), and only its form revokes, with a CSRF token."""

import re
from datetime import timedelta

import pytest
from helpers.admin_client import form
from helpers.http import csrf_token

from portal import domain
from portal.candidates import links
from portal.candidates.actions import revoke_link
from portal.clock import local_date
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Link


@pytest.fixture
def recruiter(make_user, auth):
    user = make_user("recruiter")
    auth.login(user)
    return user


def confirm_url(application) -> str:
    return f"/admin/applications/{application.ref}/link/revoke"


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_panel_asks_first(client, recruiter, make_application):
    application = make_application()
    page = client.get(f"/admin/applications/{application.ref}/")
    found = form(page.text, confirm_url(application))
    assert found["method"] == "get" and "csrf_token" not in found["fields"]
    assert "Revoke link…" in page.text


def test_the_question_changes_nothing(client, recruiter, make_application):
    application = make_application(email="nora@example.org")
    live = links.live(application)
    page = client.get(confirm_url(application))
    assert page.status_code == 200
    said = words(page.text)
    assert "The link stops working at once." in said
    assert "The candidate can ask for a fresh one from that page: it is emailed to " in said
    assert "nora@example.org" in said
    assert "Until they have a new link, nothing you post for them is emailed" in said
    back = f'href="/admin/applications/{application.ref}/#link"'
    assert back in page.text and "Go back, keep the link" in page.text
    assert links.live(application).id == live.id and Link.get_by_id(live.id).revoked is None
    assert not Event.select().where(Event.kind == "link_revoked").exists()


def test_the_confirmed_post_revokes(client, recruiter, make_application):
    application = make_application()
    old = links.live(application)
    page = client.get(confirm_url(application))
    found = form(page.text, confirm_url(application))
    assert found["method"] == "post"
    response = client.post(confirm_url(application), data=found["fields"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/applications/{application.ref}/#link")
    assert links.live(application) is None
    assert client.get(f"/c/{old.token}/").status_code == 404
    assert Event.select().where(Event.kind == "link_revoked").count() == 1


@pytest.mark.parametrize("token", [None, "forged"])
def test_the_post_still_needs_its_csrf_token(client, recruiter, make_application, token):
    application = make_application()
    data = {"csrf_token": token} if token else {}
    assert client.post(confirm_url(application), data=data).status_code == 400
    assert links.live(application) is not None


def test_a_closed_application_says_until_when_a_fresh_link_is_sent(
    client, recruiter, app, make_application
):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you.")
    closed = Application.get_by_id(application.id).closed
    until = local_date(closed + timedelta(days=app.config["CLOSED_DAYS"]))
    said = words(client.get(confirm_url(application)).text)
    assert f"until {until.day} {until:%b %Y} ({app.config['CLOSED_DAYS']} days after" in said


def test_with_no_live_link_there_is_nothing_to_ask(client, recruiter, make_application):
    application = make_application()
    revoke_link(None, application)
    page = client.get(confirm_url(application))
    assert page.status_code == 200 and "There is no live link to revoke" in page.text
    assert 'method="post"' not in page.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_manager_is_not_asked(client, auth, make_user, make_job, make_application):
    manager = make_user("manager")
    application = make_application(job=make_job(managers=[manager]))
    auth.login(manager)
    assert client.get(confirm_url(application)).status_code == 403
    token = csrf_token(client.get(f"/admin/applications/{application.ref}/"))
    assert client.post(confirm_url(application), data={"csrf_token": token}).status_code == 403
    assert links.live(application) is not None
