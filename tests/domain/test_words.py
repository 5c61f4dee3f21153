"""Every word a candidate gets is true, deliberate and complete: next steps that belong
to their stage, a reopen that says so, a decision that is waited for, a closure that can
be scheduled, signed words, and nothing for an erased person."""

import io
import json
import re
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine
from helpers.factories import stage

from portal import domain
from portal import interchange
from portal.candidates import links
from portal.errors import Invalid
from portal.followup import actions
from portal.followup import remind
from portal.privacy import actions as privacy
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail
from portal.store.models import ScheduledClosure
from portal.store.models import Stage

#: A Tuesday morning in London, with business days on either side.
TUESDAY = datetime(2026, 12, 8, 10, 0)


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def page(client, application) -> str:
    """The candidate's page, its visible words with whitespace collapsed."""
    html = client.get(f"/c/{links.live(application).token}/").text
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- next steps belong to a stage visit ------------------------------------------------


def test_a_move_without_next_steps_does_not_carry_the_last_stages_over(make_application):
    application = make_application()
    screen, interviews = stage(application.job, "Screen"), stage(application.job, "Interviews")
    domain.move(None, application, screen, application.version, next_steps="Pick a time.")
    assert fresh(application).next_steps == "Pick a time."
    domain.move(None, application, interviews, application.version, next_steps="")
    assert fresh(application).next_steps == ""


def test_a_move_takes_the_stages_own_next_steps_unless_told_otherwise(make_application):
    application = make_application(name="Ada Lovelace")
    interviews = stage(application.job, "Interviews")
    Stage.update(next_steps="Book your slot, {first_name}.").where(
        Stage.id == interviews.id
    ).execute()
    interviews = Stage.get_by_id(interviews.id)
    domain.move(None, application, interviews, application.version)
    assert fresh(application).next_steps == "Book your slot, Ada."
    domain.move(None, application, stage(application.job, "Screen"), fresh(application).version)
    assert fresh(application).next_steps == ""


def test_bulk_moves_give_each_its_stages_next_steps(make_job, make_application):
    job = make_job()
    Stage.update(next_steps="Bring a laptop.").where(
        (Stage.job == job.id) & (Stage.name == "Interviews")
    ).execute()
    first, second = make_application(job=job), make_application(job=job, name="Bo")
    for application in (first, second):
        domain.move(None, application, stage(job, "Screen"), 1, next_steps="Call us.")
    items = [(fresh(first), 2), (fresh(second), 2)]
    assert actions.move_many(None, items, "Interviews") == 2
    assert {fresh(a).next_steps for a in (first, second)} == {"Bring a laptop."}


# --- after an interview: the team is deciding --------------------------------------------


@time_machine.travel(TUESDAY, tick=False)
def test_after_the_interview_the_page_says_the_team_is_deciding(client, make_application):
    application = make_application()
    interviews = stage(application.job, "Interviews")
    domain.move(None, application, interviews, 1, next_steps="Your interview is on Thursday at 10.")
    before = page(client, application)
    assert "Your interview is on Thursday at 10." in before
    message = domain.deciding_message(fresh(application))
    assert "The team is now deciding" in message and "December" not in message  # no date
    domain.mark_deciding(None, fresh(application), 2, message, date(2026, 12, 11))
    after = page(client, application)
    assert "The team is deciding" in after
    assert after.count("The team is now deciding") == 1  # its own section, not twice
    assert "Your interview is on Thursday at 10." not in after.split("Updates")[0]
    assert "By Friday 11 December" in after
    assert Event.get(Event.kind == "deciding").visible


def test_only_an_interview_stage_can_be_decided_on(make_application):
    application = make_application()
    with pytest.raises(Invalid, match="not an interview stage"):
        domain.mark_deciding(None, application, application.version, "Deciding")


# --- reopening tells the candidate ---------------------------------------------------------


def test_reopening_posts_a_visible_update_and_drops_the_old_closure_note(client, make_application):
    application = make_application()
    domain.close(None, application, 1, "rejected", "We will not continue.", "Weak portfolio")
    sent = Mail.select().count()
    event = domain.reopen(None, fresh(application), 2)
    after = fresh(application)
    assert event.visible and "we have reopened your application" in event.message
    assert "Rita" not in event.message and "December" not in event.message  # said apart
    assert (after.closure_note, after.closed_reason, after.status) == ("", "", "active")
    assert Mail.select().count() == sent + 1  # and the candidate is emailed
    words = page(client, application)
    newest = words.split("Updates", 1)[1]
    assert newest.index("Your application is open again") < newest.index(
        "Your application was closed"
    )
    assert "We will not continue." not in words


def test_reopening_can_be_quiet_and_is_refused_for_an_erased_candidate(make_application):
    application = make_application()
    domain.close(None, application, 1, "rejected", "No.")
    sent = Mail.select().count()
    domain.reopen(None, fresh(application), 2, message="Back again.", tell=False)
    assert Mail.select().count() == sent
    domain.close(None, fresh(application), 3, "rejected", "No.")
    privacy.erase_application(None, fresh(application), "test")
    with pytest.raises(Invalid, match="erased"):
        domain.reopen(None, fresh(application), fresh(application).version)


# --- telling, or not ------------------------------------------------------------------------


def test_a_quiet_correction_changes_the_page_and_emails_nobody(make_application):
    application = make_application()
    sent, promised = Mail.select().count(), application.reply_by
    domain.move(None, application, stage(application.job, "Screen"), 1, tell=False)
    assert Mail.select().count() == sent
    assert Event.get(Event.kind == "moved").visible
    # no word was given: the promise they were told stands, and nobody counts it as word
    after = fresh(application)
    assert (after.reply_by, after.last_word) == (promised, None)


def test_adding_a_candidate_can_email_their_link_and_a_closed_job_takes_none(make_job):
    job = make_job()
    domain.add_application(None, job, "Ada Lovelace", "ada@example.org", tell=True)
    link_mail = Mail.get(Mail.kind == "link")
    assert link_mail.to == "ada@example.org"
    domain.add_application(None, job, "Bo Quiet", "bo@example.org")
    assert Mail.select().where(Mail.to == "bo@example.org").count() == 0
    domain.save_job(None, job=job, title=job.title, recruiter=job.recruiter, is_open=False)
    with pytest.raises(Invalid, match="closed to new candidates"):
        domain.add_application(None, job, "Cy Late", "cy@example.org")


# --- scheduled closures ---------------------------------------------------------------------


@time_machine.travel(TUESDAY, tick=False)
def test_a_scheduled_rejection_changes_nothing_the_candidate_sees_until_it_goes(
    client, make_application
):
    application = make_application()
    sent = Mail.select().count()
    domain.schedule_close(
        None, application, 1, "rejected", "Dear Ada, not this time.", "", date(2026, 12, 10)
    )
    before = fresh(application).reply_by
    assert fresh(application).is_active and Mail.select().count() == sent
    assert "not this time" not in page(client, application)
    assert fresh(application).reply_by == before  # nothing the candidate sees moves
    with pytest.raises(Invalid, match="cancel that first"):
        domain.post_update(None, fresh(application), fresh(application).version, "Hello")
    assert domain.close_due() == 0  # not yet
    with time_machine.travel(datetime(2026, 12, 10, 9, 1), tick=False):
        assert domain.close_due() == 1
    after = fresh(application)
    assert (after.status, after.closure_note) == ("rejected", "Dear Ada, not this time.")
    assert Mail.select().where(Mail.kind == "closure").count() == 1
    assert ScheduledClosure.select().count() == 0


@time_machine.travel(TUESDAY, tick=False)
def test_a_scheduled_closure_can_be_cancelled_and_must_be_in_the_future(make_application):
    application = make_application()
    with pytest.raises(Invalid, match="has passed"):
        domain.schedule_close(None, application, 1, "rejected", "No.", "", date(2026, 12, 7))
    domain.schedule_close(None, application, 1, "rejected", "No.", "", date(2026, 12, 9))
    domain.cancel_scheduled_close(None, application)
    with time_machine.travel(TUESDAY + timedelta(days=3), tick=False):
        assert domain.close_due() == 0
    assert fresh(application).is_active
    kinds = [e.kind for e in fresh(application).events.order_by(Event.id)]
    assert kinds[-2:] == ["close_scheduled", "close_cancelled"]
    with pytest.raises(Invalid, match="No closure is scheduled"):
        domain.cancel_scheduled_close(None, application)


# --- bulk closure never sends a hire the rejection -------------------------------------------


def test_a_bulk_hire_left_with_the_rejection_template_gets_the_hire_template(make_application):
    application = make_application(name="Ada Lovelace")
    rejection = domain.closure_template("rejected")
    actions.close_many(None, [(application, 1)], "hired", rejection)
    note = fresh(application).closure_note
    assert "Welcome aboard" in note and "not to continue" not in note
    edited = make_application(name="Bo Edited")
    actions.close_many(None, [(edited, 1)], "hired", "Dear {first_name}, welcome!")
    assert fresh(edited).closure_note == "Dear Bo, welcome!"


# --- the candidate page --------------------------------------------------------------------


def test_a_hire_at_the_last_interview_completes_every_milestone(client, make_application):
    application = make_application()
    domain.move(None, application, stage(application.job, "Interviews"), 1)
    domain.close(None, fresh(application), 2, "hired", "Welcome!")
    html = client.get(f"/c/{links.live(application).token}/").text
    assert "milestone-future" not in html and "milestone-current" not in html
    assert html.count("milestone-past") == 5


def test_an_update_is_signed_by_whoever_wrote_it(client, make_user, make_job, make_application):
    tom = make_user("recruiter", name="Tom Becker")
    rita = make_user("recruiter", name="Rita Ortiz")
    application = make_application(job=make_job(recruiter=tom))
    domain.post_update(rita, application, 1, "Rita here: all good.")
    words = page(client, application)
    assert "Rita here: all good. Rita Ortiz" in words
    updates = words.split("Updates", 1)[1].split("Questions?", 1)[0]
    assert "Rita Ortiz" in updates and "Tom Becker" not in updates  # he is the contact only
    assert "Tom Becker" in words.split("Questions?", 1)[1]


# --- managers are asked only about applications still open ----------------------------------


def test_the_manager_digest_leaves_out_closed_applications(make_user, make_job, make_application):
    manager = make_user("manager")
    job = make_job(managers=[manager])
    moved_on, closed = make_application(job=job), make_application(job=job, name="Bo")
    interviews = stage(job, "Interviews")
    for application in (moved_on, closed):
        domain.move(None, application, interviews, 1)
    domain.move(None, fresh(moved_on), stage(job, "Decision"), 2)
    domain.close(None, fresh(closed), 2, "rejected", "No.")
    digests = remind.manager_digests(date.today())
    asked = [item.application.id for digest in digests for item in digest.items]
    assert asked == [moved_on.id]


def test_a_stages_next_steps_are_edited_with_the_pipeline_and_exported(make_job):
    job = make_job()
    rows = [
        {
            "id": str(stage.id),
            "name": stage.name,
            "candidate_label": stage.candidate_label,
            "description": stage.description,
            "follow_up_days": stage.follow_up_days,
            "interview": stage.interview,
            "next_steps": "Book a slot, {first_name}." if stage.name == "Interviews" else "",
        }
        for stage in job.stages.order_by(Stage.position)
    ]
    domain.set_stages(None, job, rows)
    assert stage(job, "Interviews").next_steps == "Book a slot, {first_name}."
    out = io.StringIO()
    interchange.export(out)
    document = json.loads(out.getvalue())
    exported = next(j for j in document["jobs"] if j["ref"] == job.ref)["stages"]
    assert [s["next_steps"] for s in exported if s["name"] == "Interviews"] == [
        "Book a slot, {first_name}."
    ]


def test_a_bulk_hire_posted_with_browser_line_ends_still_gets_the_hire_template(
    make_application,
):
    application = make_application()
    posted = domain.closure_template("rejected").replace("\n", "\r\n")  # as a textarea posts
    actions.close_many(None, [(application, 1)], "hired", posted)
    assert "Welcome aboard" in fresh(application).closure_note
