"""The calendar file an interview's emails carry, parsed back with icalendar: its zone,
UID, SEQUENCE and METHOD, whom it names; and the email as a real SMTP server gets it."""

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers.interviews import arrange
from helpers.interviews import attendees
from helpers.interviews import fresh
from helpers.interviews import interview_mails
from helpers.interviews import parsed
from helpers.interviews import vevent
from helpers.interviews import VIDEO
from helpers.smtp import calendar_text

from portal import domain
from portal.candidates import links
from portal.interviews import actions
from portal.store.models import Stage


@pytest.fixture
def application(make_user, make_job, make_application):
    recruiter = make_user("recruiter", name="Rita Reyes", email="rita@example.com")
    job = make_job(title="Backend Engineer", recruiter=recruiter)
    return make_application(job=job, name="Ada Lovelace", email="ada@example.org")


def test_an_invitation_is_a_request_with_its_zone_on_dtstart(application):
    interview = arrange(application, timezone="Europe/Berlin", starts=datetime(2026, 12, 9, 11))
    [mail] = interview_mails()
    calendar = parsed(mail.calendar)
    assert calendar["METHOD"] == "REQUEST" and "Example Ltd" in calendar["PRODID"]
    event = vevent(mail.calendar)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTEND"].params["TZID"] == "Europe/Berlin"
    assert event.DTSTART == datetime(2026, 12, 9, 11, tzinfo=ZoneInfo("Europe/Berlin"))
    assert event.DTEND - event.DTSTART == timedelta(hours=1)
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    assert (str(event["UID"]), event["SEQUENCE"]) == (interview.uid, 0)
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Interview with Example Ltd: Backend Engineer"
    assert str(event["URL"]) == VIDEO and str(event["LOCATION"]) == VIDEO
    description = str(event["DESCRIPTION"])
    assert f"Join: {VIDEO}" in description and "To prepare:\nBring a laptop." in description
    assert "- Grace Hopper, Engineering Manager\n- Alan Turing, Staff Engineer" in description


def test_whom_it_names_as_the_candidate_should_see_them(application):
    arrange(application)
    event = vevent(interview_mails()[0].calendar)
    assert str(event["ORGANIZER"]) == "mailto:rita@example.com"
    assert event["ORGANIZER"].params["CN"] == "Rita Reyes"
    people = {str(a.params["CN"]): str(a) for a in attendees(event)}
    assert people == {
        "Ada Lovelace": "mailto:ada@example.org",
        "Grace Hopper, Engineering Manager": "invalid:nomail",
        "Alan Turing, Staff Engineer": "invalid:nomail",
    }
    candidate = next(a for a in attendees(event) if str(a) == "mailto:ada@example.org")
    assert (candidate.params["ROLE"], candidate.params["RSVP"]) == ("REQ-PARTICIPANT", "FALSE")


def test_the_calendar_file_never_carries_the_page_link(application):
    arrange(application)
    mail = interview_mails()[0]
    token = links.live(application).token
    assert token in mail.text and token not in mail.calendar


def test_an_update_keeps_the_uid_and_raises_the_sequence(application):
    interview = arrange(application)
    for n, hour in enumerate((14, 15), start=1):
        starts = datetime(2026, 12, 10, hour)
        actions.reschedule(
            None,
            fresh(interview),
            starts,
            starts + timedelta(minutes=30),
            "America/New_York",
            "phone",
            "+44 20 7946 0000",
        )
        event = vevent(interview_mails()[-1].calendar)
        assert (str(event["UID"]), event["SEQUENCE"]) == (interview.uid, n)
        assert parsed(interview_mails()[-1].calendar)["METHOD"] == "REQUEST"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.DTSTART == datetime(2026, 12, 10, 15, tzinfo=ZoneInfo("America/New_York"))
    assert str(event["LOCATION"]) == "Phone: +44 20 7946 0000" and "URL" not in event


def test_a_quiet_change_still_raises_the_sequence_for_the_next_file(application):
    interview = arrange(application)
    starts = datetime(2026, 12, 10, 9)
    actions.reschedule(
        None, fresh(interview), starts, starts + timedelta(hours=1), "UTC", "phone", tell=False
    )
    actions.cancel(None, fresh(interview))
    sequences = [vevent(m.calendar)["SEQUENCE"] for m in interview_mails()]
    assert sequences == [0, 2]  # the candidate's calendar replaces what it holds


def test_a_cancellation_is_method_cancel_and_status_cancelled(application):
    interview = arrange(application)
    actions.cancel(None, fresh(interview), "Sorry: the panel is ill.")
    calendar = parsed(interview_mails()[-1].calendar)
    assert calendar["METHOD"] == "CANCEL"
    event = vevent(interview_mails()[-1].calendar)
    assert event["STATUS"] == "CANCELLED"
    assert (str(event["UID"]), event["SEQUENCE"]) == (interview.uid, 1)


def test_the_email_carries_the_calendar_as_a_real_server_gets_it(smtp_server, application):
    interview = arrange(application)
    actions.cancel(None, fresh(interview))
    invitation, cancellation = smtp_server.messages[-2:]
    for message, method in ((invitation, "REQUEST"), (cancellation, "CANCEL")):
        assert message.get_content_type() == "multipart/mixed"
        [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == method and part.get_param("charset") == "utf-8"
        assert part.get_filename() == "invite.ics"
        event = vevent(part.get_content())
        assert str(event["UID"]) == interview.uid
        body = message.get_body(("plain",)).get_content()
        assert f"/c/{links.live(application).token}/" in body
    assert invitation["Subject"].startswith("Your interview for Backend Engineer: Wednesday")
    assert "is cancelled" in cancellation["Subject"]


def test_an_invitation_carries_no_internal_text(smtp_server, make_user, application):
    """The every-email check reads the calendar file too; here the internal texts are
    certain to exist and to be long enough to look for."""
    manager = make_user("manager")
    job = application.job
    domain.save_job(None, job=job, title=job.title, recruiter=job.recruiter, managers=[manager])
    interviews = application.job.stages.where(Stage.interview).get()
    domain.move(None, application, interviews, application.version)
    domain.add_note(None, application, "Internal: salary expectations are too high")
    domain.submit_feedback(manager, application, interviews, 2, "no", "", "Weak on SQL joins")
    arrange(application)
    [mail] = interview_mails()
    said = f"{mail.text}{mail.html}{calendar_text(mail.calendar)}"
    assert "salary expectations" not in said and "Weak on SQL" not in said
