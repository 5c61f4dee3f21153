"""After an interview, `portal worker`: the page says the team is deciding once it ends,
the managers are asked for feedback an hour later, once however many workers run, and
the morning digest counts the interviews that ended without their feedback."""

from datetime import date
from datetime import datetime

import pytest
from helpers.factories import stage
from helpers.interviews import arrange
from helpers.interviews import fresh

from portal import domain
from portal.candidates import links
from portal.clock import now
from portal.followup import remind
from portal.interviews import actions
from portal.interviews import after
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail
from portal.worker.cli import one_round


@pytest.fixture
def managers(make_user):
    return [
        make_user("manager", name="Mo Mensah", email="mo@example.com"),
        make_user("manager", name="Pat Park", email="pat@example.com"),
    ]


@pytest.fixture
def application(make_job, make_application, managers):
    job = make_job(title="Designer", managers=managers)
    application = make_application(job=job, name="Ivy Interviewed")
    domain.move(None, application, stage(job, "Interviews"), application.version)
    return Application.get_by_id(application.id)


def asks() -> list[Mail]:
    return list(Mail.select().where(Mail.kind == "feedback_ask").order_by(Mail.to))


def page_of(client, application) -> str:
    return client.get(f"/c/{links.live(application).token}/").text


def test_the_page_says_the_team_is_deciding_once_it_ends(clock, client, application):
    interview = arrange(application)
    application = Application.get_by_id(application.id)  # as the invitation left it
    assert "The team is deciding" not in page_of(client, application)
    clock.move_to("2026-12-09 10:59 +0000")
    assert one_round()["interviews over"] == 0
    clock.move_to("2026-12-09 11:01 +0000")
    theirs = Mail.select().where(Mail.application == application.id)
    mails = theirs.count()
    assert one_round()["interviews over"] == 1
    deciding = Event.get(Event.kind == "deciding")
    assert deciding.visible and deciding.interview_id == interview.id and deciding.actor is None
    assert deciding.message == domain.deciding_message(application)
    now_application = Application.get_by_id(application.id)
    assert now_application.reply_by == application.reply_by  # a quiet change keeps the promise
    assert now_application.last_word == application.last_word  # and gives no word
    page = page_of(client, application)
    assert '<h2 id="next-title">The team is deciding</h2>' in page
    assert "Thank you for the time you gave us." in page
    assert theirs.count() == mails  # nothing emailed to the candidate
    assert one_round()["interviews over"] == 0  # once


def test_not_while_another_interview_is_to_come(clock, application):
    arrange(application)
    arrange(application, starts=datetime(2026, 12, 10, 10))
    clock.move_to("2026-12-09 12:00 +0000")
    assert after.decide_due() == 0
    clock.move_to("2026-12-10 11:30 +0000")
    assert after.decide_due() == 1


def test_not_when_the_team_has_said_something_since(clock, application):
    arrange(application)
    clock.move_to("2026-12-09 11:30 +0000")
    domain.post_update(None, application, application.version, "We will be in touch tomorrow.")
    clock.move_to("2026-12-09 11:35 +0000")
    assert after.decide_due() == 0


def test_not_when_the_application_moved_on_or_closed(clock, application, make_application):
    arrange(application)
    moved = Application.get_by_id(application.id)
    domain.move(None, moved, stage(moved.job, "Decision"), moved.version, tell=False)
    other = make_application(job=application.job, name="Cy Closed")
    arrange(other)
    other = Application.get_by_id(other.id)
    domain.close(None, other, other.version, "withdrawn", "")
    cancelled = make_application(job=application.job, name="Cal Cancelled")
    actions.cancel(None, fresh(arrange(cancelled)), tell=False)
    clock.move_to("2026-12-09 11:05 +0000")
    assert after.decide_due() == 0


def test_managers_are_asked_for_feedback_an_hour_after_once(clock, application, managers):
    arrange(application)
    mo, pat = managers
    domain.submit_feedback(pat, application, stage(application.job, "Interviews"), 3, "yes")
    clock.move_to("2026-12-09 11:59 +0000")
    assert one_round()["feedback asked"] == 0
    clock.move_to("2026-12-09 12:01 +0000")
    first, second = one_round(), one_round()  # two rounds, as two workers would
    assert (first["feedback asked"], second["feedback asked"]) == (1, 0)
    [mail] = asks()
    assert (mail.to, mail.application_id, mail.sent is not None) == (mo.email, None, True)
    assert mail.subject == "Your feedback on Ivy Interviewed (Designer)"
    assert f"/admin/applications/{application.ref}/#feedback" in mail.text
    assert "ended at 11:00 on 9 December" in mail.text
    assert all(i.feedback_asked is not None for i in application.interviews)


def test_two_workers_racing_ask_once(clock, application, monkeypatch):
    """The second worker read the same due interview before the first asked: its claim,
    one conditional UPDATE, finds it taken."""
    arrange(application)
    clock.move_to("2026-12-09 12:30 +0000")
    stale = list(after.queries.feedback_due(now(), now() - after.LOOKBACK))
    assert after.ask_feedback_due() == 2  # Mo and Pat
    monkeypatch.setattr(after.queries, "feedback_due", lambda until, since: stale)
    assert after.ask_feedback_due() == 0
    assert len(asks()) == 2


def test_no_ask_for_a_cancelled_interview_or_a_closed_application(clock, application):
    actions.cancel(None, fresh(arrange(application)), tell=False)
    closed_later = arrange(application, starts=datetime(2026, 12, 10, 10))
    clock.move_to("2026-12-10 10:30 +0000")
    closing = Application.get_by_id(application.id)
    domain.close(None, closing, closing.version, "rejected", "Thank you, Ivy.")
    clock.move_to("2026-12-10 12:30 +0000")
    assert after.ask_feedback_due() == 0 and asks() == []
    assert fresh(closed_later).feedback_asked is not None  # looked at, once


def test_a_week_late_worker_leaves_old_interviews_alone(clock, application):
    arrange(application)
    clock.move_to("2026-12-20 09:00 +0000")
    assert (after.decide_due(), after.ask_feedback_due()) == (0, 0)


def test_the_digest_counts_interviews_that_ended_without_feedback(
    clock, application, managers, make_application
):
    mo, pat = managers
    arrange(application)
    other = make_application(job=application.job, name="Oda Other")
    arrange(other, starts=datetime(2026, 12, 9, 14))
    tomorrow = make_application(job=application.job, name="Tim Tomorrow")
    arrange(tomorrow, starts=datetime(2026, 12, 10, 14))
    domain.submit_feedback(pat, application, stage(application.job, "Interviews"), 3, "yes")
    clock.move_to("2026-12-10 07:00 +0000")  # before Tim's interview
    digests = {d.user.email: d for d in remind.manager_digests(date(2026, 12, 10))}
    names = {e: sorted(i.application.candidate.name for i in d.items) for e, d in digests.items()}
    assert names == {
        "mo@example.com": ["Ivy Interviewed", "Oda Other"],
        "pat@example.com": ["Oda Other"],
    }
    assert [i.stage.name for i in digests["pat@example.com"].items] == ["Applied"]
    remind.send_digest(digests["mo@example.com"], date(2026, 12, 10))
    digest = Mail.get(Mail.kind == "digest_manager")
    assert digest.subject == "Feedback owed on 2 interviews"
