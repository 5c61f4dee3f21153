"""Sending is a decision (admin/sending.py): an action that can reach the candidate shows
the exact email and the page after it first, sends nothing until confirmed, and then
says what was emailed to whom."""

import html
import socket
import time
from datetime import date
from datetime import datetime

import pytest
import time_machine
from helpers.admin_client import CHECK_PAGE
from helpers.admin_client import confirmed
from helpers.admin_client import form
from helpers.admin_client import submit

from portal import domain
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail
from portal.store.models import ScheduledClosure
from portal.store.models import Stage

TUESDAY = datetime(2026, 12, 8, 10, 0)


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", name="Rita Recruiter", email="rita@example.com")


@pytest.fixture
def application(make_job, make_application, recruiter):
    job = make_job(title="Backend Engineer", recruiter=recruiter)
    return make_application(job=job, name="Ada Lovelace", email="ada@example.org")


def url(application) -> str:
    return f"/admin/applications/{application.ref}/"


def stage(application, name) -> Stage:
    return Stage.get((Stage.job == application.job_id) & (Stage.name == name))


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def test_a_move_shows_its_email_and_page_and_sends_nothing_until_confirmed(
    client, auth, recruiter, application
):
    auth.login(recruiter)
    page = client.get(url(application))
    mails = Mail.select().count()
    screen = stage(application, "Screen")
    check = submit(
        client, page, "/move", confirm=False, stage=str(screen.id), message="Lovely to meet you."
    )
    assert check.status_code == 200 and CHECK_PAGE in check.text
    assert "This email goes to ada@example.org as soon as you confirm." in check.text
    assert "Rita Recruiter &lt;rita@example.com&gt;" in check.text  # the Reply-To
    assert "Lovely to meet you." in check.text.split('<pre class="email-text">', 1)[1]
    # the page after the change, framed inert: the new stage, the words
    frame = html.unescape(check.text.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "Moved on to: Introductory call" in frame and "Lovely to meet you." in frame
    assert 'name="form_token" value=""' in frame  # its forms cannot be sent
    # nothing happened yet
    assert (fresh(application).stage_id, Mail.select().count()) == (application.stage_id, mails)
    assert not Event.select().where(Event.kind == "moved").exists()

    done = confirmed(client, check, url(application) + "move", follow_redirects=True)
    assert fresh(application).stage_id == screen.id
    assert "Moved to Screen. Emailed ada@example.org: “" in done.text
    assert Mail.select().count() == mails + 1


def test_unticking_tell_the_candidate_changes_the_page_and_emails_nobody(
    client, auth, recruiter, application
):
    auth.login(recruiter)
    page = client.get(url(application))
    mails = Mail.select().count()
    check = submit(
        client, page, "/move", confirm=False, stage=str(stage(application, "Screen").id), tell=None
    )
    assert "Nobody will be emailed: you chose not to tell the candidate." in check.text
    assert "Save without emailing" in check.text
    done = confirmed(client, check, url(application) + "move", follow_redirects=True)
    assert "Nobody was emailed" in done.text
    assert Mail.select().count() == mails
    assert fresh(application).stage.name == "Screen"


def test_back_to_edit_keeps_what_was_typed_and_changes_nothing(
    client, auth, recruiter, application
):
    auth.login(recruiter)
    page = client.get(url(application))
    check = submit(client, page, "/update", confirm=False, message="Half-written thought")
    back = confirmed(client, check, url(application) + "update", button="edit")
    assert back.status_code == 200
    assert form(back.text, "/update")["fields"]["update-message"] == "Half-written thought"
    assert fresh(application).version == application.version


def test_free_text_on_the_check_page_is_inert(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application))
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    check = submit(client, page, "/update", confirm=False, message=payload)
    assert "<script>alert(1)" not in check.text and "<img src=x" not in check.text
    frame = html.unescape(check.text.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "<script>alert(1)" not in frame and "&lt;script&gt;alert(1)" in frame


@time_machine.travel(TUESDAY, tick=False)
def test_a_rejection_scheduled_from_the_form_can_be_cancelled(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    values = {"status": "rejected", "send_on": "2026-12-10", "closure_reason": "role_filled"}
    check = submit(client, page, "/close", confirm=False, **values)
    assert "as rejected on Thursday 10 December" in check.text
    # the email that will go on the day, and nothing now
    assert "Nothing is sent now and their page does not change" in check.text
    assert "on Thursday 10 December at 09:00" in check.text and "Schedule it" in check.text
    assert "Dear Ada," in check.text.split('<pre class="email-text">', 1)[1]
    mails = Mail.select().count()
    after = confirmed(client, check, url(application) + "close", follow_redirects=True)
    assert Mail.select().count() == mails
    assert "To be closed as rejected on Thursday 10 December at 09:00" in after.text
    assert "Closing as rejected on" in after.text and "Cancel the scheduled closure" in after.text
    assert fresh(application).is_active and ScheduledClosure.select().count() == 1
    cancelled = submit(client, after, "/close/cancel", follow_redirects=True)
    assert "nothing was sent" in cancelled.text
    assert ScheduledClosure.select().count() == 0


def test_adding_a_candidate_emails_their_link_unless_unticked(client, auth, recruiter, make_job):
    job = make_job(recruiter=recruiter)
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/applications/new")
    added = submit(client, page, "", name="Bea Sent", email="bea@example.org")
    assert added.status_code == 302
    assert Mail.get(Mail.to == "bea@example.org").kind == "link"
    page = client.get(f"/admin/jobs/{job.ref}/applications/new")
    quiet = submit(
        client, page, "", follow_redirects=True, name="Cy Later", email="cy@example.org", tell=None
    )
    assert "Their link is not sent yet" in quiet.text
    assert not Mail.select().where(Mail.to == "cy@example.org").exists()


def test_the_deciding_action_is_offered_at_an_interview_stage_only(
    client, auth, recruiter, application
):
    auth.login(recruiter)
    assert "/deciding" not in client.get(url(application)).text
    domain.move(None, application, stage(application, "Interviews"), application.version)
    page = client.get(url(application))
    expected = domain.deciding_message(fresh(application))
    assert form(page.text, "/deciding")["fields"]["deciding-message"] == expected
    done = submit(client, page, "/deciding", follow_redirects=True)
    assert "the team is deciding" in done.text
    assert Event.get(Event.kind == "deciding").message == expected


def test_reopen_is_prefilled_and_checked(client, auth, recruiter, application):
    domain.close(None, application, application.version, "rejected", "Not now.")
    auth.login(recruiter)
    page = client.get(url(application))
    message = form(page.text, "/reopen")["fields"]["reopen-message"]
    assert "we have reopened your application" in message
    check = submit(client, page, "/reopen", confirm=False)
    assert "This email goes to ada@example.org" in check.text
    assert "Your application is open again" in html.unescape(check.text)
    confirmed(client, check, url(application) + "reopen")
    assert fresh(application).is_active and fresh(application).closure_note == ""
    assert fresh(application).reply_by >= date.today()


def test_the_link_panel_says_when_the_link_was_never_sent(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application))
    assert "has not been sent this link yet" in page.text  # added without it
    sent = submit(client, page, "/link/send", follow_redirects=True)
    assert "has not been sent this link yet" not in sent.text


def test_a_recruiters_post_never_waits_for_a_stalled_mail_server(
    app, client, auth, recruiter, application
):
    """The mail server accepts the connection and then says nothing: a request that sent
    mail itself would wait out MAIL_TIMEOUT. The change is stored, its mail queued for
    `portal worker`, and the answer comes at once."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never greets
        app.config.update(MAIL_URL=f"smtp://127.0.0.1:{silent.getsockname()[1]}", MAIL_TIMEOUT=5)
        auth.login(recruiter)
        page = client.get(url(application))
        start = time.perf_counter()
        done = submit(client, page, "/update", message="Still with us: news on Friday.")
        elapsed = time.perf_counter() - start
    assert done.status_code == 302 and fresh(application).version == application.version + 1
    assert elapsed < 2.5, f"the request took {elapsed:.1f} s: it waited for the mail server"
    queued = Mail.get(Mail.kind == "notice")
    assert queued.sent is None and queued.attempts == 0  # the worker's to send
