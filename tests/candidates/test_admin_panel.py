"""The candidate-link panel in the admin: issue, copy, email, revoke, reissue, last opened,
preview exactly what the candidate sees, and the unsent-email list."""

import pytest
from helpers.http import csrf_token

from portal import domain
from portal.candidates import links
from portal.candidates.actions import revoke_link
from portal.candidates.actions import send_link
from portal.mail import queue as mail
from portal.store.models import Link
from portal.store.models import Mail
from portal.worker.cli import one_round


@pytest.fixture
def recruiter(make_user, auth):
    user = make_user("recruiter")
    auth.login(user)
    return user


def page(client, application):
    return client.get(f"/admin/applications/{application.ref}/")


def act(client, application, action):
    token = csrf_token(page(client, application))
    return client.post(
        f"/admin/applications/{application.ref}/link/{action}", data={"csrf_token": token}
    )


def test_the_panel_shows_the_link(client, recruiter, make_application):
    application = make_application()
    response = page(client, application)
    assert response.status_code == 200
    html = response.text
    assert 'id="link-title">Candidate link' in html
    assert f'value="{links.url(links.live(application))}" readonly' in html
    assert "Last opened</dt><dd>not yet" in html
    assert f"/admin/applications/{application.ref}/preview" in html


def test_last_opened_shows_after_the_candidate_opens_it(client, recruiter, make_application):
    application = make_application()
    client.get(f"/c/{links.live(application).token}/")
    assert "Last opened</dt><dd>not yet" not in page(client, application).text


def test_email_the_link(client, recruiter, make_application, smtp_server):
    application = make_application(email="panel@example.org")
    response = act(client, application, "send")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/applications/{application.ref}/#link")
    assert smtp_server.messages == []  # the request queued it: the worker sends it
    one_round()
    assert [m["To"] for m in smtp_server.messages] == ["panel@example.org"]
    assert "Emailed the link to panel@example.org" in page(client, application).text


def test_email_with_the_server_down_is_listed_as_unsent(
    client, recruiter, make_application, smtp_server
):
    mail._paused_until.pop(smtp_server.url, None)
    smtp_server.stop()
    application = make_application()
    act(client, application, "send")
    one_round()  # the worker finds the server down: the mail stays queued, with why
    html = page(client, application).text
    assert "1 email to the candidate not sent yet" in html
    assert Mail.get(Mail.kind == "link").last_error


def test_revoke_then_issue(client, recruiter, make_application):
    application = make_application()
    old = links.live(application)
    assert act(client, application, "revoke").status_code == 302
    assert links.live(application) is None
    html = page(client, application).text
    assert "No live link" in html
    assert client.get(f"/c/{old.token}/").status_code == 404
    assert act(client, application, "issue").status_code == 302
    new = links.live(application)
    assert new is not None and new.token != old.token


def test_reissue(client, recruiter, make_application):
    application = make_application()
    old = links.live(application)
    act(client, application, "reissue")
    new = links.live(application)
    assert new.token != old.token
    assert Link.get_by_id(old.id).revoked is not None
    assert Mail.select().count() == 0  # reissuing does not send


def test_actions_need_csrf(client, recruiter, make_application):
    application = make_application()
    response = client.post(f"/admin/applications/{application.ref}/link/revoke")
    assert response.status_code == 400
    assert links.live(application) is not None


def test_actions_need_sign_in(client, make_application):
    application = make_application()
    for action in ("issue", "send", "reissue", "revoke"):
        response = client.post(f"/admin/applications/{application.ref}/link/{action}")
        assert response.status_code in (302, 400, 401)
    assert client.get(f"/admin/applications/{application.ref}/preview").status_code == 302
    assert client.get(f"/admin/applications/{application.ref}/preview/page").status_code == 302
    assert client.get("/admin/mail/unsent").status_code == 302
    assert links.live(application) is not None


def test_a_manager_sees_no_address_and_cannot_act(
    client, auth, make_user, make_job, make_application
):
    manager = make_user("manager")
    job = make_job(managers=[manager])
    application = make_application(job=job)
    auth.login(manager)
    html = page(client, application).text
    assert links.live(application).token not in html
    assert "Revoke link" not in html
    client_token = csrf_token(client.get(f"/admin/applications/{application.ref}/"))
    response = client.post(
        f"/admin/applications/{application.ref}/link/revoke", data={"csrf_token": client_token}
    )
    assert response.status_code == 403
    assert links.live(application) is not None
    # They may preview the page of an application on their job, not another's, and the
    # preview does not hand them the link (nor its forms' token) either.
    assert client.get(f"/admin/applications/{application.ref}/preview").status_code == 200
    preview = client.get(f"/admin/applications/{application.ref}/preview/page").text
    assert "Withdraw my application" in preview
    assert links.live(application).token not in preview
    assert links.form_token(links.live(application).id) not in preview
    other = make_application()
    assert client.get(f"/admin/applications/{other.ref}/preview").status_code == 404
    assert client.get(f"/admin/applications/{other.ref}/preview/page").status_code == 404


def test_preview_is_exactly_what_the_candidate_sees(client, recruiter, make_application):
    application = make_application()
    domain.post_update(None, application, application.version, "Hello from the recruiter")
    link = links.live(application)
    framed = client.get(f"/admin/applications/{application.ref}/preview")
    assert framed.status_code == 200
    assert 'sandbox="allow-same-origin"' in framed.text
    preview = client.get(f"/admin/applications/{application.ref}/preview/page")
    assert preview.status_code == 200
    assert "form-action 'none'" in preview.headers["Content-Security-Policy"]
    assert Link.get_by_id(link.id).last_viewed is None  # staff looking is not a visit
    candidate = client.get(f"/c/{link.token}/")
    assert preview.data == candidate.data


def test_preview_without_a_live_link(client, recruiter, make_application):
    application = make_application()
    revoke_link(None, application)
    assert "has no live link" in client.get(f"/admin/applications/{application.ref}/preview").text
    assert client.get(f"/admin/applications/{application.ref}/preview/page").status_code == 404


def test_the_unsent_list(client, recruiter, make_application, smtp_server):
    mail._paused_until.pop(smtp_server.url, None)
    smtp_server.stop()
    application = make_application(email="waiting@example.org")
    send_link(None, application)
    response = client.get("/admin/mail/unsent")
    assert response.status_code == 200
    assert "waiting@example.org" in response.text
    assert "ConnectionRefused" in response.text
    smtp_server.start()
    token = csrf_token(response)
    response = client.post("/admin/mail/unsent", data={"csrf_token": token}, follow_redirects=True)
    assert "Sent 1." in response.text
    assert "Every email has been sent." in response.text
    assert [m["To"] for m in smtp_server.messages] == ["waiting@example.org"]


def test_the_unsent_list_is_for_staff(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/admin/mail/unsent").status_code == 403
