"""The application page's actions, through its real forms: move, update, note, close,
reopen; and two recruiters at once (A9), in the test client and against a live server."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from helpers.admin_client import CONFIRMED
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.factories import PASSWORD
from helpers.http import Auth
from helpers.http import csrf_token

from portal import domain
from portal.clock import today
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Stage


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", name="Rita Recruiter")


@pytest.fixture
def application(make_job, make_application, recruiter):
    job = make_job(title="Backend Engineer", recruiter=recruiter)
    return make_application(job=job, name="Ada Lovelace")


def url(application) -> str:
    return f"/admin/applications/{application.ref}/"


def stage(application, name) -> Stage:
    return Stage.get((Stage.job == application.job_id) & (Stage.name == name))


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def test_page_shows_candidate_job_stage_and_history(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application))
    assert page.status_code == 200
    assert "<h1>Ada Lovelace" in page.text
    assert "Backend Engineer" in page.text
    assert "Added at Applied" in page.text
    assert "Rita Recruiter" in page.text
    for action in ("move", "update", "note", "close"):
        assert f'action="{url(application)}{action}"' in page.text
    assert f'action="{url(application)}reopen"' not in page.text  # only when closed


def test_move_with_default_reply_by(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application))
    interviews = stage(application, "Interviews")
    default = domain.reply_by_default(interviews)
    assert f"reply by {default:%A} {default.day} {default:%B}" in page.text
    response = submit(
        client,
        page,
        "/move",
        stage=str(interviews.id),
        message="Thank you for the call.",
        next_steps="We will send interview times.",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url(application)
    after = fresh(application)
    assert (after.stage_id, after.reply_by, after.version) == (interviews.id, default, 2)
    assert after.next_steps == "We will send interview times."
    shown = client.get(url(application)).text
    assert "Moved to Interviews." in shown
    assert "Moved from Applied to Interviews" in shown
    assert "<p>Thank you for the call.</p>" in shown
    assert "Candidate sees this" in shown


def test_move_with_a_chosen_reply_by(client, auth, recruiter, application):
    auth.login(recruiter)
    chosen = today() + timedelta(days=9)
    response = submit(
        client,
        client.get(url(application)),
        "/move",
        stage=str(stage(application, "Screen").id),
        reply_by=chosen.isoformat(),
    )
    assert response.status_code == 302
    assert fresh(application).reply_by == chosen
    event = Event.get((Event.application == application.id) & (Event.kind == "moved"))
    assert event.reply_by == chosen and event.visible


def test_reply_by_in_the_past_is_refused_and_the_text_kept(client, auth, recruiter, application):
    auth.login(recruiter)
    response = submit(
        client,
        client.get(url(application)),
        "/move",
        message="Kept message",
        reply_by=(today() - timedelta(days=1)).isoformat(),
    )
    assert response.status_code == 400
    assert "is in the past: choose today or later." in response.text
    assert "Kept message</textarea>" in response.text
    assert fresh(application).version == 1


@pytest.mark.parametrize("version", ["²", "١x", "-1", "1.0"])
def test_a_version_that_is_not_a_plain_number_is_a_400(
    client, auth, recruiter, application, version
):
    """ "²" passes str.isdigit() and then fails int(): it once gave a 500."""
    auth.login(recruiter)
    page = client.get(url(application))
    response = client.post(
        url(application) + "update",
        data={"csrf_token": csrf_token(page), "update-version": version, "update-message": "Hi"},
    )
    assert response.status_code == 400
    assert fresh(application).version == 1


def test_update_needs_a_message_and_keeps_the_stage(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application))
    empty = submit(client, page, "/update", message="")
    assert empty.status_code == 400
    assert "This field is required." in empty.text
    response = submit(client, page, "/update", message="Still thinking, sorry for the wait.")
    assert response.status_code == 302
    after = fresh(application)
    assert after.stage_id == application.stage_id and after.version == 2
    assert after.reply_by == domain.reply_by_default(application.stage)
    shown = client.get(url(application)).text
    assert "Update for the candidate" in shown
    assert "Still thinking, sorry for the wait." in shown


def test_note_is_internal(client, auth, recruiter, application):
    auth.login(recruiter)
    response = submit(client, client.get(url(application)), "/note", message="Call back Monday")
    assert response.status_code == 302
    event = Event.get((Event.application == application.id) & (Event.kind == "note"))
    assert not event.visible and event.actor_id == recruiter.id
    shown = client.get(url(application)).text
    item = re.search(
        r"<li class=\"event event-internal\">\s*<div class=\"event-head\">\s*"
        r"<strong>Internal note</strong>.*?</li>",
        shown,
        re.S,
    )
    assert item and "Call back Monday" in item.group(0) and "Internal" in item.group(0)


def test_close_form_starts_from_the_template_without_js(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    assert page.status_code == 200
    close = form(page.text, "/close")
    assert close["fields"]["close-status"] == "rejected"
    note = close["fields"]["close-closure_note"]
    assert note.startswith("Dear Ada,")
    assert "Backend Engineer" in note and "Rita Recruiter" in note
    assert '<details class="card action" id="close" open>' in page.text


def test_close_with_unknown_status_goes_back_to_the_page(client, auth, recruiter, application):
    auth.login(recruiter)
    response = client.get(url(application) + "close?status=promoted")
    assert response.status_code == 302
    assert response.headers["Location"] == url(application) + "#close"


def test_close_as_rejected_with_reason(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    response = submit(
        client,
        page,
        "/close",
        reason="Salary expectations far apart",
        closure_reason="salary_expectations",
    )
    assert response.status_code == 302
    after = fresh(application)
    assert after.status == "rejected"
    assert after.closed_reason == "Salary expectations far apart"
    assert after.closure_note.startswith("Dear Ada,")
    kinds = {e.kind: e.visible for e in Event.select().where(Event.application == application.id)}
    assert kinds["reason"] is False and kinds["closed"] is True
    shown = client.get(url(application)).text
    assert "Closed as rejected." in shown
    assert '<span class="badge badge-rejected">Rejected</span>' in shown
    assert "Internal reason for closing" in shown
    assert f'action="{url(application)}reopen"' in shown
    assert f'action="{url(application)}move"' not in shown


def test_rejection_needs_a_closure_note(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application))
    response = submit(
        client, page, "/close", status="rejected", closure_note="", closure_reason="role_filled"
    )
    assert response.status_code == 400
    assert "Closure note is required." in response.text
    assert fresh(application).status == "active"


def test_close_as_hired_then_reopen(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=hired")
    assert submit(client, page, "/close").status_code == 302
    assert fresh(application).status == "hired"
    screen = stage(application, "Screen")
    response = submit(client, client.get(url(application)), "/reopen", stage=str(screen.id))
    assert response.status_code == 302
    after = fresh(application)
    assert (after.status, after.stage_id, after.closed) == ("active", screen.id, None)
    assert "Reopened at Screen" in client.get(url(application)).text


# --- A9: two recruiters at once -----------------------------------------------------


def test_second_of_two_simultaneous_moves_gets_409_with_current_state_and_its_text(
    app, client, auth, make_user, recruiter, application
):
    other = app.test_client()
    auth.login(recruiter)
    Auth(other).login(make_user("recruiter", name="Ravi Recruiter"))
    mine = client.get(url(application))
    theirs = other.get(url(application))
    interviews, screen = stage(application, "Interviews"), stage(application, "Screen")

    first = submit(other, theirs, "/move", stage=str(interviews.id), message="Ravi's words")
    assert first.status_code == 302
    second = submit(client, mine, "/move", stage=str(screen.id), message="Rita's words")
    assert second.status_code == 409
    assert "Someone else changed this application" in second.text
    assert "What you typed is still in the form below." in second.text
    assert "Moved from Applied to Interviews" in second.text  # the current state
    assert "Ravi&#39;s words" in second.text
    retry = form(second.text, "/move")
    assert retry["fields"]["move-message"] == "Rita's words"
    assert retry["fields"]["move-stage"] == str(screen.id)
    assert retry["fields"]["move-version"] == "2"
    assert fresh(application).stage_id == interviews.id

    again = client.post(retry["action"], data=fill(retry) | CONFIRMED)
    assert again.status_code == 302
    after = fresh(application)
    assert (after.stage_id, after.version) == (screen.id, 3)
    messages = [e.message for e in Event.select().where(Event.kind == "moved")]
    assert sorted(messages) == ["Ravi's words", "Rita's words"]


@pytest.mark.parametrize("action", ["update", "close"])
def test_a_stale_version_is_refused_for_every_versioned_action(
    client, auth, recruiter, application, action
):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=withdrawn")
    domain.add_note(None, application, "not a change of version")
    domain.post_update(None, application, 1, "Someone else's update")
    typed = "Typed before the conflict"
    field = "message" if action == "update" else "closure_note"
    reason = {"closure_reason": "not_right_time"} if action == "close" else {}
    response = submit(client, page, f"/{action}", **{field: typed}, **reason)
    assert response.status_code == 409
    assert f"{typed}</textarea>" in response.text
    assert "Someone else&#39;s update" in response.text
    assert fresh(application).status == "active"


# --- A9 for real: threads against a live server, on this test's database -------------


class Browser:
    """A minimal cookie-keeping HTTP client for the live server."""

    def __init__(self, base):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, email):
        _, page = self.request("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert status == 302


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.slow
def test_concurrent_updates_from_threads_lose_nothing(server, make_user, application):
    writers, rounds = 4, 5
    users = [make_user("recruiter") for _ in range(writers)]
    conflicts, failures = [], []
    path = url(application)
    # Everyone loads the page before anyone writes: at least three must collide.
    loaded = threading.Barrier(writers, timeout=60)

    def work(n, user):
        browser = Browser(server)
        browser.login(user.email)
        status, page = browser.request(path)
        loaded.wait()
        for r in range(rounds):
            found = form(page, "/update")
            data = fill(found, message=f"writer {n} round {r}") | CONFIRMED
            for _attempt in range(50):
                status, page = browser.request(path + "update", data)
                if status != 409:
                    break
                conflicts.append(n)
                # the page kept the text, with the new version
                data = fill(form(page, "/update")) | CONFIRMED
            if status != 302:
                failures.append((n, r, status))
            status, page = browser.request(path)

    threads = [threading.Thread(target=work, args=(n, u)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    messages = sorted(
        e.message
        for e in Event.select().where(
            (Event.application == application.id) & (Event.kind == "update")
        )
    )
    expected = sorted(f"writer {n} round {r}" for n in range(writers) for r in range(rounds))
    assert messages == expected
    assert fresh(application).version == 1 + writers * rounds
    assert len(conflicts) >= writers - 1
