"""The admin's interviews: the panel on the application page, arranging, changing and
cancelling through the check page, the candidate's time zone, and who may do what."""

import html
from datetime import datetime

import pytest
from helpers.admin_client import CHECK_PAGE
from helpers.admin_client import confirmed
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.interviews import arrange
from helpers.interviews import fresh
from helpers.interviews import interview_mails
from helpers.interviews import VIDEO

from portal import domain
from portal.candidates import links
from portal.interviews import actions
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Interview


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", name="Rita Reyes", email="rita@example.com")


@pytest.fixture
def manager(make_user):
    return make_user("manager", name="Mo Mensah", email="mo@example.com")


@pytest.fixture
def application(make_job, make_application, recruiter, manager):
    job = make_job(title="Backend Engineer", recruiter=recruiter, managers=[manager])
    return make_application(job=job, name="Ada Lovelace", email="ada@example.org")


def url(application) -> str:
    return f"/admin/applications/{application.ref}/"


TYPED = {
    "day": "2026-12-09",
    "starts": "10:00",
    "ends": "11:30",
    "place": VIDEO,
    "meeting": "Grace Hopper, Engineering Manager",
    "prepare": "A short talk about a project you are proud of.",
}


def test_arranging_checks_the_email_first_then_sends_it(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application))
    assert 'id="interviews"' in page.text and "No interview arranged yet." in page.text
    new = client.get(url(application) + "interviews/new")
    assert new.status_code == 200
    fields = form(new.text, "")["fields"]
    assert fields["timezone"] == "Europe/London" and fields["format"] == "video"
    check = submit(client, new, "", confirm=False, **TYPED)
    assert check.status_code == 200 and CHECK_PAGE in check.text
    assert "This email goes to ada@example.org as soon as you confirm." in check.text
    email = html.unescape(check.text.split('<pre class="email-text">', 1)[1])
    assert "When: Wednesday 9 December, 10:00 to 11:30 London time" in email
    assert "Calendar file attached" in check.text
    assert Interview.select().count() == 0 and interview_mails() == []  # nothing yet
    done = confirmed(client, check, new.request.path, follow_redirects=True)
    assert "Interview arranged. Emailed ada@example.org" in done.text
    [interview] = Interview.select()
    assert (interview.starts, interview.ends) == (
        datetime(2026, 12, 9, 10, 0),
        datetime(2026, 12, 9, 11, 30),
    )
    assert len(interview_mails()) == 1
    assert "Video call</strong>, Wednesday 9 December, 10:00 to 11:30 London time" in done.text


def test_a_refusal_shows_the_form_again_as_typed(client, auth, recruiter, application):
    auth.login(recruiter)
    new = client.get(url(application) + "interviews/new")
    answer = submit(client, new, "", **{**TYPED, "place": "not a link", "meeting": "Kept"})
    assert answer.status_code == 400
    assert "must be a full https:// address" in answer.text
    assert form(answer.text, "")["fields"]["meeting"] == "Kept"
    assert Interview.select().count() == 0


def test_back_to_edit_keeps_what_was_typed(client, auth, recruiter, application):
    auth.login(recruiter)
    new = client.get(url(application) + "interviews/new")
    check = submit(client, new, "", confirm=False, **TYPED)
    back = confirmed(client, check, new.request.path, button="edit")
    assert back.status_code == 200
    assert form(back.text, "")["fields"]["prepare"] == TYPED["prepare"]
    assert Interview.select().count() == 0


def test_changing_an_interview_through_the_check_page(client, auth, recruiter, application):
    interview = arrange(application)
    auth.login(recruiter)
    page = client.get(url(application))
    edit_url = url(application) + f"interviews/{interview.uid}/edit"
    assert f'href="{edit_url}"' in page.text
    edit = client.get(edit_url)
    fields = form(edit.text, "")["fields"]
    assert (fields["day"], fields["starts"], fields["ends"]) == ("2026-12-09", "10:00", "11:00")
    assert fields["sequence"] == "0" and fields["place"] == VIDEO
    done = submit(client, edit, "", follow_redirects=True, starts="14:00", ends="15:00")
    assert "Interview changed." in done.text
    stored = fresh(interview)
    assert (stored.starts, stored.sequence) == (datetime(2026, 12, 9, 14, 0), 1)
    assert interview_mails()[-1].event.kind == "interview_moved"


def test_a_change_against_a_stale_form_is_refused(client, auth, recruiter, application):
    interview = arrange(application)
    auth.login(recruiter)
    edit = client.get(url(application) + f"interviews/{interview.uid}/edit")
    actions.cancel(None, fresh(interview), tell=False)  # meanwhile, someone else
    answer = submit(client, edit, "", starts="14:00", ends="15:00")
    assert answer.status_code in (302, 400, 409)
    assert fresh(interview).starts == datetime(2026, 12, 9, 10, 0)
    other = arrange(application, starts=datetime(2026, 12, 10, 10))
    edit = client.get(url(application) + f"interviews/{other.uid}/edit")
    actions.reschedule(
        None, fresh(other), datetime(2026, 12, 10, 12), datetime(2026, 12, 10, 13), "UTC", "phone"
    )
    answer = submit(client, edit, "", starts="14:00", ends="15:00")
    assert answer.status_code == 409 and "Someone else changed this interview" in answer.text
    assert fresh(other).starts == datetime(2026, 12, 10, 12)


def test_cancelling_asks_first_then_checks_the_email(client, auth, recruiter, application):
    interview = arrange(application)
    auth.login(recruiter)
    cancel_url = url(application) + f"interviews/{interview.uid}/cancel"
    confirm = client.get(cancel_url)
    assert confirm.status_code == 200 and "Cancel Ada Lovelace’s interview?" in confirm.text
    assert fresh(interview).cancelled is None  # a GET changes nothing
    check = submit(client, confirm, "", confirm=False, message="The panel is ill; sorry.")
    assert CHECK_PAGE in check.text and fresh(interview).cancelled is None
    done = confirmed(client, check, cancel_url, follow_redirects=True)
    assert "Interview cancelled. Emailed ada@example.org" in done.text
    assert fresh(interview).cancelled is not None
    assert "METHOD:CANCEL" in interview_mails()[-1].calendar
    assert "Cancelled" in done.text and cancel_url not in done.text


def test_the_candidates_time_zone_from_the_panel(client, auth, recruiter, application):
    arrange(application)
    auth.login(recruiter)
    page = client.get(url(application))
    done = submit(client, page, "/timezone", follow_redirects=True, timezone="Asia/Tokyo")
    assert "Their time zone is now Asia/Tokyo." in done.text
    assert Application.get_by_id(application.id).timezone == "Asia/Tokyo"
    assert "Their time</dt><dd>Wednesday 9 December, 19:00 to 20:00 Tokyo time" in done.text
    bad = submit(client, done, "/timezone", follow_redirects=True, timezone="Nowhere/Else")
    assert "not a time zone we know" in bad.text


def test_a_manager_on_the_job_sees_the_panel_but_cannot_act(client, auth, manager, application):
    interview = arrange(application)
    auth.login(manager)
    page = client.get(url(application))
    assert page.status_code == 200 and "Video call" in page.text
    assert "Arrange an interview" not in page.text and "/timezone" not in page.text
    base = url(application) + "interviews/"
    assert client.get(base + "new").status_code == 403
    assert client.get(base + f"{interview.uid}/edit").status_code == 403
    assert client.get(base + f"{interview.uid}/cancel").status_code == 403
    assert client.post(base + "new", data=TYPED).status_code in (400, 403)
    assert Interview.select().count() == 1


def test_a_manager_off_the_job_sees_nothing(client, auth, make_user, application):
    interview = arrange(application)
    auth.login(make_user("manager"))
    assert client.get(url(application)).status_code == 404
    assert client.get(url(application) + f"interviews/{interview.uid}/cancel").status_code == 403


def test_an_unknown_interview_is_a_404(client, auth, recruiter, application, make_application):
    other = arrange(make_application(name="Grace Hopper"))
    auth.login(recruiter)
    assert client.get(url(application) + f"interviews/{other.uid}/edit").status_code == 404
    assert client.get(url(application) + "interviews/nope/cancel").status_code == 404


def test_a_closed_application_with_an_interview_still_arranged_says_so(
    client, auth, recruiter, application
):
    arrange(application)
    application = Application.get_by_id(application.id)
    domain.close(None, application, application.version, "withdrawn", "")
    auth.login(recruiter)
    page = client.get(url(application)).text
    assert "1 interview is still arranged: cancel it" in page
    assert "Arrange an interview" not in page


def test_the_history_names_the_interview_events(client, auth, recruiter, application):
    interview = arrange(application)
    actions.cancel(None, fresh(interview), tell=False)
    auth.login(recruiter)
    page = client.get(url(application)).text
    assert "Interview arranged" in page and "Interview cancelled" in page
    assert Event.select().where(Event.interview == interview.id).count() == 2


def test_the_move_request_form_reaches_the_conversation(client, application):
    """The candidate's form on their page posts what portal.candidates.views reads."""
    interview = arrange(application)
    token = links.live(application).token
    page = client.get(f"/c/{token}/")
    found = form(page.text, "/move-interview")
    answer = client.post(found["action"], data=fill(found, reason="I am travelling that week."))
    assert answer.status_code == 303
    asked = Event.get(Event.kind == "move_request")
    assert asked.interview_id == interview.id and asked.message == "I am travelling that week."
    assert Application.get_by_id(application.id).asked is not None  # owed word
