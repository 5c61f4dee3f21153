"""The domain operations, called as the admin, CLI and import call them."""

import json
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from datetime import UTC

import pytest
import time_machine

from portal import domain
from portal.clock import today
from portal.domain import queries
from portal.errors import Conflict
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import Stage


def stages(job):
    return list(job.stages.order_by(Stage.position))


def test_new_job_starts_from_the_default_pipeline(make_job):
    job = make_job()
    assert [s.name for s in stages(job)] == [row[0] for row in domain.DEFAULT_PIPELINE]
    assert [s.interview for s in stages(job)] == [False, False, True, False, False]


def test_set_stages_edits_reorders_adds_and_removes(make_job):
    job = make_job()
    first, second, *_ = stages(job)
    domain.set_stages(
        None,
        job,
        [
            {"id": second.id, "name": "Call", "candidate_label": "Call", "follow_up_days": 2},
            {"id": first.id, "name": "Applied", "candidate_label": "Received"},
            {"name": "Take-home", "candidate_label": "Exercise", "follow_up_days": 4},
        ],
    )
    after = stages(job)
    assert [(s.name, s.position) for s in after] == [("Call", 0), ("Applied", 1), ("Take-home", 2)]
    assert after[0].id == second.id and after[2].follow_up_days == 4


def test_a_stage_with_applications_cannot_be_removed(make_application):
    application = make_application()
    job = application.job
    others = [{"id": s.id, "name": s.name} for s in stages(job) if s.id != application.stage_id]
    with pytest.raises(Invalid, match="still has applications"):
        domain.set_stages(None, job, others)
    assert len(stages(job)) == len(domain.DEFAULT_PIPELINE)


@pytest.mark.parametrize("days", ["-1", "61", "soon"])
def test_follow_up_days_are_checked(make_job, days):
    with pytest.raises(Invalid, match="follow-up days"):
        domain.set_stages(None, make_job(), [{"name": "A", "follow_up_days": days}])


def test_a_manager_cannot_run_a_job(make_user):
    with pytest.raises(Forbidden):
        domain.save_job(make_user("manager"), title="X", recruiter=make_user("recruiter"))


@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
def test_new_application_is_at_the_first_stage_with_a_promise(make_application):
    application = make_application()
    assert application.stage.position == 0
    # Thursday + 5 business days = Thursday next week.
    assert application.reply_by == date(2026, 12, 3)
    assert [e.kind for e in application.events] == ["created"]


def test_the_same_email_in_the_same_job_is_refused(make_application):
    first = make_application(email="ada@example.org")
    with pytest.raises(Invalid, match="already has an application"):
        make_application(job=first.job, email="ADA@example.org")


def test_invalid_email_is_refused_with_the_address(make_job):
    with pytest.raises(Invalid, match="'not-an-email' is not a valid email"):
        domain.add_application(None, make_job(), "Ada", "not-an-email")


@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
def test_move_records_a_visible_event_and_bumps_the_version(make_application):
    application = make_application()
    target = stages(application.job)[2]
    event = domain.move(
        None,
        application,
        target,
        application.version,
        "See you Tuesday",
        next_steps="Bring a laptop",
        reply_by=date(2026, 12, 4),
    )
    stored = Application.get_by_id(application.id)
    assert (stored.stage_id, stored.version, stored.next_steps) == (target.id, 2, "Bring a laptop")
    assert stored.reply_by == date(2026, 12, 4)
    assert event.visible and event.from_stage_id != target.id
    assert stored.last_word == event.created


@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
def test_a_promise_is_neither_in_the_past_nor_beyond_a_year(make_application):
    """Every entry point (application page, follow-up queue, CLI) meets this rule here."""
    application = make_application()
    for reply_by, reason in (
        (date(2026, 11, 25), "is in the past"),
        (date(2027, 11, 28), "more than a year away"),
    ):
        with pytest.raises(Invalid, match=reason):
            domain.post_update(None, application, application.version, "Hi", reply_by=reply_by)
    domain.post_update(None, application, application.version, "Hi", reply_by=date(2026, 11, 26))
    assert Application.get_by_id(application.id).reply_by == date(2026, 11, 26)


def test_a_stage_of_another_job_is_refused_for_a_move_and_a_reopen(make_application):
    application, other = make_application(), make_application()
    foreign = stages(other.job)[1]
    with pytest.raises(Invalid, match="is not part of job"):
        domain.move(None, application, foreign, application.version)
    domain.close(None, application, application.version, "withdrawn", "Good luck")
    closed = Application.get_by_id(application.id)
    with pytest.raises(Invalid, match="is not part of job"):
        domain.reopen(None, closed, closed.version, foreign)
    assert Application.get_by_id(application.id).status == "withdrawn"


def test_a_stale_version_is_refused_and_nothing_is_lost(make_application):
    application = make_application()
    stale = Application.get_by_id(application.id)
    domain.post_update(None, application, application.version, "First word")
    with pytest.raises(Conflict, match="changed this application"):
        domain.post_update(None, stale, stale.version, "Second word")
    messages = [e.message for e in Event.select().where(Event.kind == "update")]
    assert messages == ["First word"]


def test_notes_are_internal(make_application):
    event = domain.add_note(None, make_application(), "Salary expectations high")
    assert not event.visible


def test_closing_as_rejected_needs_a_note(make_application):
    application = make_application()
    with pytest.raises(Invalid, match="Closure note is required"):
        domain.close(None, application, application.version, "rejected", "  ")


def test_close_keeps_the_reason_internal_and_the_note_visible(make_application):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you", "Not senior")
    kinds = {e.kind: e.visible for e in application.events}
    assert kinds == {"created": False, "reason": False, "closed": True}
    stored = Application.get_by_id(application.id)
    assert (stored.status, stored.closed_reason, stored.reply_by) == (
        "rejected",
        "Not senior",
        None,
    )


def test_a_closed_application_cannot_move_until_reopened(make_application):
    application = make_application()
    domain.close(None, application, application.version, "withdrawn", "")
    with pytest.raises(Invalid, match="reopen it first"):
        domain.move(None, application, application.stage, application.version)
    domain.reopen(None, application, application.version)
    assert Application.get_by_id(application.id).status == "active"


def test_closure_template_placeholders(make_application, make_user):
    recruiter = make_user("recruiter", name="Grace Hopper")
    application = make_application(name="Ada King Lovelace")
    application.job.recruiter = recruiter
    body = "Hi {first_name}, {job}. {recruiter} {reason}"
    domain.set_closure_template(None, "rejected", body, "applied")
    note = domain.closure_note_default(application, "rejected")
    assert note == "Hi Ada, Backend Engineer. Grace Hopper"


def test_feedback_is_once_per_author_and_stage(make_application, make_user):
    manager = make_user("manager")
    application = make_application()
    domain.save_job(
        None,
        job=application.job,
        title=application.job.title,
        recruiter=application.job.recruiter,
        managers=[manager],
    )
    domain.submit_feedback(manager, application, application.stage, 3, "yes", "Clear")
    with pytest.raises(Invalid, match="already gave feedback"):
        domain.submit_feedback(manager, application, application.stage, 2, "no")


def test_a_manager_not_on_the_job_cannot_give_feedback(make_application, make_user):
    application = make_application()
    with pytest.raises(Forbidden):
        domain.submit_feedback(make_user("manager"), application, application.stage, 3, "yes")


def test_feedback_stays_hidden_until_you_give_yours(make_application, make_user):
    first, second = make_user("manager"), make_user("manager")
    application = make_application()
    job = application.job
    domain.save_job(
        None, job=job, title=job.title, recruiter=job.recruiter, managers=[first, second]
    )
    domain.submit_feedback(first, application, application.stage, 4, "strong_yes")
    assert not domain.can_see_feedback(second, application, application.stage)
    assert domain.can_see_feedback(job.recruiter, application, application.stage)
    domain.submit_feedback(second, application, application.stage, 2, "no")
    assert domain.can_see_feedback(second, application, application.stage)


def test_your_own_scorecard_opens_only_its_own_stage(make_application, make_user):
    """A scorecard at one stage (a blank one at Screen, where nobody interviews) does not
    open colleagues' scorecards at another."""
    first, second, admin = make_user("manager"), make_user("manager"), make_user("admin")
    application = make_application()
    job = application.job
    domain.save_job(
        None, job=job, title=job.title, recruiter=job.recruiter, managers=[first, second]
    )
    screen, interviews = (Stage.get(job=job, name=name) for name in ("Screen", "Interviews"))
    theirs = domain.submit_feedback(first, application, interviews, 4, "strong_yes", "Sharp")
    mine = domain.submit_feedback(second, application, screen, 1, "no")
    assert domain.can_see_feedback(second, application, screen)
    assert not domain.can_see_feedback(second, application, interviews)
    cards = queries.feedback(application)
    assert domain.visible_feedback(second, application, cards) == [mine]
    assert domain.visible_feedback(admin, application, cards) == cards
    assert domain.visible_feedback(job.recruiter, application, cards) == cards
    assert domain.visible_feedback(first, application, cards) == [theirs]
    domain.submit_feedback(second, application, interviews, 2, "no")
    assert len(domain.visible_feedback(second, application, queries.feedback(application))) == 3


@pytest.mark.parametrize("how", ["closed", "scheduled"])
def test_no_new_scorecard_once_the_application_is_decided(make_application, make_user, how):
    manager = make_user("manager")
    application = make_application()
    job = application.job
    domain.save_job(None, job=job, title=job.title, recruiter=job.recruiter, managers=[manager])
    if how == "closed":
        domain.close(None, application, application.version, "hired", "Welcome aboard!")
        refusal = "This application is hired: its scorecards stay"
    else:
        day = today() + timedelta(days=3)
        domain.schedule_close(None, application, application.version, "hired", "Hi!", "", day)
        refusal = "A closure of this application is scheduled"
    with pytest.raises(Invalid, match=refusal):
        interviews = Stage.get(job=job, name="Interviews")
        domain.submit_feedback(manager, Application.get_by_id(application.id), interviews, 3, "yes")
    assert Feedback.select().count() == 0


def test_duplicate_user_email_is_refused():
    domain.create_user("grace@example.com", "Grace", "admin", "long enough")
    with pytest.raises(Invalid, match="already exists"):
        domain.create_user("Grace@Example.com", "Grace again", "recruiter", "long enough")


def test_a_job_edit_against_a_stale_stamp_is_refused(make_job, make_user):
    manager = make_user("manager")
    job = make_job(managers=[manager])
    seen = domain.job_stamp(job)
    domain.save_job(None, job=job, title="First", recruiter=job.recruiter, seen=seen)
    assert domain.job_stamp(Job.get_by_id(job.id)) > seen
    stale = Job.get_by_id(job.id)
    stale.updated = datetime.fromisoformat(seen)
    with pytest.raises(Conflict, match="changed by someone else meanwhile"):
        domain.save_job(None, job=stale, title="Second", recruiter=job.recruiter, seen=seen)
    assert Job.get_by_id(job.id).title == "First"
    assert [m.user_id for m in Job.get_by_id(job.id).managers] == []


def test_set_stages_bumps_the_stamp_and_refuses_a_stale_one(make_job):
    job = make_job()
    seen = domain.job_stamp(job)
    domain.set_stages(None, job, [{"name": "A"}, {"name": "B"}], seen=seen)
    assert domain.job_stamp(Job.get_by_id(job.id)) > seen
    with pytest.raises(Conflict):
        domain.set_stages(None, job, [{"name": "C"}], seen=seen)
    assert [s.name for s in stages(job)] == ["A", "B"]


@pytest.mark.parametrize("stored", [datetime(2026, 3, 1, 9, 30), datetime(2026, 3, 1, 9, 30, 0, 1)])
def test_a_stamp_survives_the_round_trip_through_a_form(make_job, stored):
    job = make_job()
    Job.update(updated=stored).where(Job.id == job.id).execute()
    loaded = Job.get_by_id(job.id)
    domain.set_stages(None, loaded, [{"name": "A"}], seen=domain.job_stamp(loaded))
    domain.save_job(
        None, job=loaded, title="T", recruiter=job.recruiter, seen=domain.job_stamp(loaded)
    )
    assert Job.get_by_id(job.id).title == "T"


def aware(job, zone) -> datetime:
    """The job's stamp as the instant it is, in ``zone``."""
    return datetime.fromisoformat(domain.job_stamp(job)).replace(tzinfo=UTC).astimezone(zone)


@pytest.mark.parametrize("zone", [UTC, timezone(timedelta(hours=-5, minutes=-30))])
def test_an_aware_stamp_is_the_instant_it_names(make_job, zone):
    """F4: ``seen`` with a time zone, as text or as a datetime: the job's own instant is
    its stamp, any other instant is a conflict; never a TypeError."""
    job = make_job()
    domain.set_stages(None, job, [{"name": "A"}], seen=aware(job, zone).isoformat())
    job = Job.get_by_id(job.id)
    domain.save_job(None, job=job, title="T", recruiter=job.recruiter, seen=aware(job, zone))
    job = Job.get_by_id(job.id)
    assert (job.title, [s.name for s in stages(job)]) == ("T", ["A"])
    earlier = aware(job, zone) - timedelta(microseconds=1)
    with pytest.raises(Conflict):
        domain.save_job(None, job=job, title="U", recruiter=job.recruiter, seen=earlier)
    with pytest.raises(Conflict):
        domain.set_stages(None, job, [{"name": "B"}], seen=earlier.isoformat())
    assert Job.get_by_id(job.id).title == "T"


@pytest.mark.parametrize(
    "seen",
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59.999999-01:00",
        "9999-12-31T23:59:59.999999",
        datetime.max,
        datetime.min.replace(tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_a_stamp_no_job_can_have_is_a_conflict(make_job, seen):
    """F4: stamps beyond the calendar once in UTC, or with no instant after them: a
    conflict like any stamp that is not the job's, never an OverflowError."""
    job = make_job()
    with pytest.raises(Conflict):
        domain.save_job(None, job=job, title="T", recruiter=job.recruiter, seen=seen)
    with pytest.raises(Conflict):
        domain.set_stages(None, job, [{"name": "A"}], seen=seen)


# --- who may change a job, and its audit trail --------------------------------------------


def edit(actor, job, **changes):
    """Save ``job`` as ``actor`` with ``changes``, everything else as it is now."""
    job = Job.get_by_id(job.id)
    fields = {
        "title": job.title,
        "team": job.team,
        "location": job.location,
        "recruiter": job.recruiter,
        "managers": [m.user for m in job.managers],
        "is_open": job.open,
        "stale_days": job.stale_days,
    }
    return domain.save_job(actor, job=job, **{**fields, **changes})


def job_entries(job) -> list[AuditEntry]:
    return list(
        AuditEntry.select().where(AuditEntry.subject == f"job {job.ref}").order_by(AuditEntry.id)
    )


def test_a3_only_an_admin_changes_a_jobs_recruiter(make_user, make_job):
    """A3: the job's recruiter reads every scorecard, so naming another (oneself, say) is
    an admin's to do, or the system's (the import); a recruiter's edit keeps the recruiter."""
    rita = make_user("recruiter", name="Rita Recruiter")
    ravi = make_user("recruiter", name="Ravi Recruiter")
    job = make_job(title="Old", recruiter=rita)
    for actor, named in ((ravi, ravi), (rita, ravi)):
        with pytest.raises(Forbidden, match="Only an admin can change the recruiter of a job"):
            edit(actor, job, title="New", recruiter=named)
    assert (Job.get_by_id(job.id).title, Job.get_by_id(job.id).recruiter_id) == ("Old", rita.id)
    assert job_entries(job) == []
    edit(rita, job, title="Rita's")
    edit(ravi, job, title="Ravi's")  # any recruiter edits any job, keeping its recruiter
    assert (Job.get_by_id(job.id).title, Job.get_by_id(job.id).recruiter_id) == ("Ravi's", rita.id)
    edit(make_user("admin"), job, recruiter=ravi)
    assert Job.get_by_id(job.id).recruiter_id == ravi.id
    edit(None, job, recruiter=rita)  # the system: the import, the CLI
    assert Job.get_by_id(job.id).recruiter_id == rita.id


def test_a3_every_change_to_a_job_is_audited(make_user, make_job, make_application):
    """A3: each change to a job names who made it and what changed: fields by name, the
    recruiter and managers by name, the pipeline by its stages' names (and those edited
    otherwise); nothing about candidates; a save that changes nothing writes nothing."""
    rita = make_user("recruiter", name="Rita Recruiter")
    ravi = make_user("recruiter", name="Ravi Recruiter")
    max_, mia = make_user("manager", name="Max Manager"), make_user("manager", name="Mia Manager")
    admin = make_user("admin", name="Ada Admin")
    job = make_job(title="Old", recruiter=rita, managers=[max_])
    make_application(job=job, name="Zelda Candidate", email="zelda@example.org")

    edit(admin, job, title="New", team="Data", recruiter=ravi, managers=[mia, max_])
    edit(rita, job, location="Leeds", managers=[mia], is_open=False, stale_days=7)
    edit(rita, job)  # nothing changed
    first, second, *more = job_entries(job)
    assert more == []
    assert (first.actor_id, first.action, second.actor_id) == (admin.id, "job_changed", rita.id)
    assert json.loads(first.detail) == {
        "changed": ["title", "team", "recruiter", "managers"],
        "recruiter": {"from": "Rita Recruiter", "to": "Ravi Recruiter"},
        "managers": {"from": ["Max Manager"], "to": ["Max Manager", "Mia Manager"]},
    }
    assert json.loads(second.detail) == {
        "changed": ["location", "managers", "open", "stale_days"],
        "managers": {"from": ["Max Manager", "Mia Manager"], "to": ["Mia Manager"]},
    }

    def row(stage, **changes):
        fields = ("id", "name", "candidate_label", "description", "follow_up_days", "interview")
        return {**{f: getattr(stage, f) for f in fields}, **changes}

    applied, screen, *middle, offer = stages(job)
    rows = [row(applied), row(screen, name="Call"), *map(row, middle), {"name": "Take-home"}]
    domain.set_stages(ravi, job, rows)
    domain.set_stages(
        ravi, job, [row(s, follow_up_days=9) if s.name == "Call" else row(s) for s in stages(job)]
    )
    domain.set_stages(ravi, job, [row(s) for s in stages(job)])  # nothing changed
    *_, renamed, edited = job_entries(job)
    assert (renamed.actor_id, renamed.action) == (ravi.id, "job_changed")
    assert json.loads(renamed.detail) == {
        "changed": ["pipeline"],
        "pipeline": {
            "from": ["Applied", "Screen", "Interviews", "Decision", "Offer"],
            "to": ["Applied", "Call", "Interviews", "Decision", "Take-home"],
        },
    }
    assert json.loads(edited.detail) == {"changed": ["pipeline"], "pipeline": {"edited": ["Call"]}}
    assert len(job_entries(job)) == 4
    everything = " ".join(e.detail for e in AuditEntry.select())
    assert "Zelda" not in everything and "zelda@" not in everything


def test_a3_a_refused_change_leaves_no_audit_entry(make_user, make_job):
    """A3: a change refused (a stale stamp, a bad value) writes no entry either."""
    job = make_job()
    recruiter = job.recruiter
    with pytest.raises(Conflict):
        domain.save_job(recruiter, job=job, title="T", recruiter=recruiter, seen="stale")
    with pytest.raises(Invalid):
        domain.set_stages(recruiter, job, [{"name": ""}])
    assert job_entries(job) == []
