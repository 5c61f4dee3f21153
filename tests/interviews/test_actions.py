"""Arranging, changing and cancelling interviews through portal.interviews: what each
checks, what it writes, and what it tells the candidate."""

from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
import time_machine
from helpers.interviews import arrange
from helpers.interviews import fresh
from helpers.interviews import interview_mails
from helpers.interviews import VIDEO
from helpers.interviews import WEDNESDAY_10

from portal import dates
from portal import domain
from portal.candidates.actions import revoke_link
from portal.errors import Conflict
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.interviews import actions
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Event
from portal.store.models import Interview
from portal.store.models import Mail


def application_of(interview) -> Application:
    return Application.get_by_id(interview.application_id)


def test_arranging_writes_the_interview_its_event_and_the_invitation(clock, make_application):
    application = make_application(name="Ada Lovelace")
    before = Application.get_by_id(application.id)
    clock.shift(60)
    interview = arrange(application, message="We look forward to it.")
    stored = fresh(interview)
    assert (stored.starts, stored.ends) == (WEDNESDAY_10, WEDNESDAY_10 + timedelta(hours=1))
    assert (stored.timezone, stored.format, stored.sequence) == ("Europe/London", "video", 0)
    assert stored.stage_id == application.stage_id and stored.uid.endswith("@example.com")
    [event] = Event.select().where(Event.interview == interview.id)
    assert (event.kind, event.visible) == ("interview_arranged", True)
    assert event.message == (
        "Video call on Wednesday 9 December 2026, 10:00 to 11:00 London time"
        "\n\nWe look forward to it."
    )
    after = application_of(interview)
    assert after.last_word == event.created and after.updated > before.updated
    assert after.version == before.version  # an open move form still applies
    [mail] = interview_mails()
    assert mail.event_id == event.id and "BEGIN:VCALENDAR" in mail.calendar
    assert mail.subject == (
        "Your interview for Backend Engineer: Wednesday 9 December, 10:00 to 11:00 London time"
    )


def test_a_quiet_arrangement_is_shown_but_gives_no_word_and_no_email(make_application):
    application = make_application()
    interview = arrange(application, tell=False)
    assert application_of(interview).last_word is None
    assert interview_mails() == []
    assert Event.get(Event.interview == interview.id).visible


def test_aware_times_are_taken_as_the_moments_they_name(make_application):
    new_york = ZoneInfo("America/New_York")
    starts = datetime(2026, 12, 9, 5, 0, tzinfo=new_york)
    interview = actions.schedule(
        None,
        make_application(),
        starts,
        starts + timedelta(minutes=45),
        "America/New_York",
        "phone",
    )
    assert fresh(interview).starts == datetime(2026, 12, 9, 10, 0)
    assert fresh(interview).ends == datetime(2026, 12, 9, 10, 45)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"hours": 0}, "must end after it starts"),
        ({"hours": -1}, "must end after it starts"),
        ({"hours": 13}, "more than 12 hours"),
        ({"starts": datetime(2026, 12, 7, 8, 0)}, "start in the past"),
        ({"starts": datetime(2028, 1, 10, 10, 0)}, "more than a year away"),
        ({"timezone": "Mars/Olympus_Mons"}, "not a time zone we know"),
        ({"timezone": ""}, "Time zone is required"),
        ({"format": "carrier_pigeon"}, "Format must be one of video, phone, on_site"),
        ({"place": ""}, "Video link is required"),
        ({"place": "meet.example.com/abc"}, "must be a full https:// address"),
        ({"place": "javascript:alert(1)"}, "must be a full https:// address"),
        ({"place": "http://meet.example.com/abc"}, "must be a full https:// address"),
        ({"format": "on_site", "place": ""}, "Address is required"),
        ({"place": "https://x.example/" + "a" * 500}, "Video link is too long"),
        ({"meeting": "x" * 2001}, "Whom they meet is too long"),
        ({"prepare": "x" * 5001}, "What to prepare is too long"),
        ({"prepare": "nul\x00"}, "contains a NUL character"),
        ({"message": "x" * 5001}, "Message is too long"),
    ],
)
def test_what_cannot_be_arranged(make_application, changes, message):
    with pytest.raises(Invalid, match=message):
        arrange(make_application(), **changes)
    assert Interview.select().count() == 0 and interview_mails() == []


def test_a_time_the_clocks_skip_is_refused(make_application):
    with time_machine.travel("2027-03-20 09:00 +0000", tick=False):
        with pytest.raises(Invalid, match="01:30 does not exist on 28 March 2027"):
            arrange(make_application(), starts=datetime(2027, 3, 28, 1, 30))


def test_a_phone_interview_needs_no_number(make_application):
    interview = arrange(make_application(), format="phone", place="")
    assert fresh(interview).place == ""


def test_only_staff_who_act_arrange_on_an_active_application(make_user, make_application):
    application = make_application()
    with pytest.raises(Forbidden):
        arrange(application, make_user("manager"))
    domain.close(None, application, application.version, "withdrawn", "")
    with pytest.raises(Invalid, match="is withdrawn; reopen it first"):
        arrange(application)


def test_rescheduling_raises_the_sequence_and_keeps_the_uid(make_user, make_application):
    recruiter = make_user("recruiter", name="Rita Reyes")
    interview = arrange(make_application())
    uid = interview.uid
    later = datetime(2026, 12, 10, 14, 0)
    actions.reschedule(
        recruiter,
        fresh(interview),
        later,
        later + timedelta(hours=1),
        "Europe/London",
        "video",
        "https://meet.example.com/new-room",
        sequence=0,
    )
    stored = fresh(interview)
    assert (stored.uid, stored.sequence, stored.starts) == (uid, 1, later)
    moved = Event.get(Event.kind == "interview_moved")
    assert moved.message == (
        "Video call on Thursday 10 December 2026, 14:00 to 15:00 London time, instead of "
        "Video call on Wednesday 9 December 2026, 10:00 to 11:00 London time."
    )
    assert moved.actor_id == recruiter.id and len(interview_mails()) == 2


def test_changing_only_the_details_says_so(make_application):
    interview = arrange(make_application())
    actions.reschedule(
        None,
        fresh(interview),
        WEDNESDAY_10,
        WEDNESDAY_10 + timedelta(hours=1),
        "Europe/London",
        "video",
        "https://meet.example.com/other-room",
    )
    assert Event.get(Event.kind == "interview_moved").message.endswith(": details changed.")


def test_a_change_with_nothing_changed_is_refused(make_application):
    interview = arrange(make_application())
    with pytest.raises(Invalid, match="Nothing about the interview changed"):
        actions.reschedule(
            None,
            fresh(interview),
            WEDNESDAY_10,
            WEDNESDAY_10 + timedelta(hours=1),
            "Europe/London",
            "video",
            interview.place,
            interview.meeting,
            interview.prepare,
        )
    assert fresh(interview).sequence == 0


def test_a_change_made_against_an_older_sequence_is_a_conflict(make_application):
    interview = arrange(make_application())
    actions.cancel(None, fresh(interview), tell=False)
    with pytest.raises(Invalid, match="already cancelled"):
        actions.cancel(None, fresh(interview))
    other = arrange(make_application(name="Grace Hopper"))
    seen = fresh(other)
    actions.reschedule(
        None, fresh(other), WEDNESDAY_10, WEDNESDAY_10 + timedelta(hours=2), "UTC", "phone"
    )
    with pytest.raises(Conflict, match="Someone else changed this interview"):
        actions.reschedule(
            None,
            seen,
            WEDNESDAY_10,
            WEDNESDAY_10 + timedelta(hours=3),
            "UTC",
            "phone",
            sequence=seen.sequence,
        )
    assert fresh(other).ends == WEDNESDAY_10 + timedelta(hours=2)


def test_cancelling_raises_the_sequence_and_tells_the_candidate(make_application):
    interview = arrange(make_application())
    actions.cancel(None, fresh(interview), "Our interviewer is ill; Rita will call you.")
    stored = fresh(interview)
    assert stored.cancelled is not None and stored.sequence == 1
    event = Event.get(Event.kind == "interview_cancelled")
    assert event.message == (
        "Video call on Wednesday 9 December 2026, 10:00 to 11:00 London time: cancelled."
        "\n\nOur interviewer is ill; Rita will call you."
    )
    cancellation = interview_mails()[-1]
    assert "METHOD:CANCEL" in cancellation.calendar
    assert cancellation.subject == (
        "Your interview for Backend Engineer on Wednesday 9 December is cancelled"
    )
    with pytest.raises(Invalid, match="is cancelled: arrange a new one"):
        actions.reschedule(
            None, stored, WEDNESDAY_10, WEDNESDAY_10 + timedelta(hours=1), "UTC", "phone"
        )


def test_a_cancellation_reaches_a_closed_application_so_its_calendar_clears(make_application):
    application = make_application()
    interview = arrange(application)
    application = Application.get_by_id(application.id)
    domain.close(None, application, application.version, "withdrawn", "")
    actions.cancel(None, fresh(interview))
    assert fresh(interview).cancelled is not None
    assert "METHOD:CANCEL" in interview_mails()[-1].calendar


def test_no_email_without_a_live_link(make_application):
    application = make_application()
    revoke_link(None, application)
    interview = arrange(application)
    assert interview_mails() == []
    assert Event.get(Event.interview == interview.id).visible


def test_the_candidates_time_zone_is_set_audited_and_checked(make_user, make_application):
    recruiter = make_user("recruiter")
    application = make_application()
    assert actions.set_timezone(recruiter, application, "America/New_York")
    assert not actions.set_timezone(recruiter, application, "America/New_York")
    assert Application.get_by_id(application.id).timezone == "America/New_York"
    entry = AuditEntry.get(AuditEntry.action == "details_changed")
    assert entry.subject == f"application {application.id}" and "New_York" not in entry.detail
    note = Event.get(Event.kind == "timezone_set")
    assert not note.visible and note.message == "Time zone: America/New_York"
    with pytest.raises(Invalid, match="not a time zone we know"):
        actions.set_timezone(recruiter, application, "Nowhere/Atlantis")
    assert actions.set_timezone(recruiter, application, "")
    assert Application.get_by_id(application.id).timezone == ""
    with pytest.raises(Forbidden):
        actions.set_timezone(make_user("manager"), application, "UTC")


def test_every_change_is_one_queued_mail_with_its_event(make_application):
    interview = arrange(make_application())
    later = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)
    actions.reschedule(
        None, fresh(interview), later, later + timedelta(hours=1), "Europe/London", "phone"
    )
    actions.cancel(None, fresh(interview))
    kinds = [m.event.kind for m in Mail.select().where(Mail.kind == "interview").order_by(Mail.id)]
    assert kinds == ["interview_arranged", "interview_moved", "interview_cancelled"]


def test_a_told_interview_moves_the_promise_past_it(app, make_application):
    """An invitation is word: the candidate is not told "we are late" the day after it,
    and hears again the stage's follow-up days after the interview; a quiet one moves
    nothing."""
    with time_machine.travel("2026-12-01 09:00 +0000", tick=False):
        application = make_application()
        Application.update(reply_by=date(2026, 11, 30)).where(
            Application.id == application.id
        ).execute()
        quiet = arrange(application, tell=False)
        assert Application.get_by_id(application.id).reply_by == date(2026, 11, 30)
        actions.reschedule(
            None,
            fresh(quiet),
            WEDNESDAY_10,
            WEDNESDAY_10 + timedelta(hours=1),
            "Europe/London",
            "video",
            VIDEO,
        )
        stage_days = Application.get_by_id(application.id).stage.follow_up_days
        expected = dates.add_business_days(date(2026, 12, 9), stage_days)
        assert Application.get_by_id(application.id).reply_by == expected
