"""The company's closure reasons and the closure notes per outcome and point of the
process, called as the admin, the worker, the candidate's page and the import call them."""

from datetime import date

import pytest
import time_machine

from portal import domain
from portal.candidates.actions import withdraw_by_candidate
from portal.domain import closing
from portal.domain import default_reasons
from portal.domain import reasons
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.followup import actions
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import CLOSING_POINTS
from portal.store.models import ClosureReason
from portal.store.models import Event
from portal.store.models import Mail
from portal.store.models import ScheduledClosure
from portal.store.models import Stage

TWO_INTERVIEWS = [
    {"name": "Applied", "candidate_label": "Received"},
    {"name": "First interview", "candidate_label": "Meeting the team", "interview": True},
    {"name": "Final interview", "candidate_label": "Last conversation", "interview": True},
    {"name": "Offer", "candidate_label": "Offer"},
]


def fresh(application):
    return Application.get_by_id(application.id)


def at(application, name):
    """Move ``application`` to its job's stage ``name``; the application afterwards."""
    stage = application.job.stages.where(Stage.name == name).get()
    domain.move(None, application, stage, application.version)
    return fresh(application)


@pytest.fixture
def job(make_job, make_user):
    recruiter = make_user("recruiter", name="Rita Recruiter")
    return make_job(title="Designer", recruiter=recruiter, stages=TWO_INTERVIEWS)


@pytest.fixture
def rita(job):
    return job.recruiter


# --- the list --------------------------------------------------------------------------


def test_reading_an_empty_list_gives_the_defaults_and_writes_nothing(app):
    listed = reasons.company_list()
    assert [r.code for r in listed] == [
        *(d.code for d in reasons.DEFAULT_REASONS if d.status == "rejected"),
        *(d.code for d in reasons.DEFAULT_REASONS if d.status == "withdrawn"),
    ]
    assert ClosureReason.select().count() == 0
    offered = [r.code for r in reasons.offered("withdrawn")]
    assert offered == ["other_offer", "not_right_time", "no_reply"]  # not the page's own
    assert not next(r for r in listed if r.code == "conduct_references").tellable


def test_a_change_seeds_the_list_once(app, make_user):
    admin = make_user("admin")
    reasons.save_reason(admin, label="Visa sponsorship not offered", tellable=False)
    assert ClosureReason.select().count() == len(reasons.DEFAULT_REASONS) + 1
    reasons.seed()
    assert ClosureReason.select().count() == len(reasons.DEFAULT_REASONS) + 1
    added = reasons.by_code("visa_sponsorship_not_offered")
    assert added.status == "rejected" and added.position == len(reasons.DEFAULT_REASONS)


def test_only_admins_change_the_list_and_every_change_is_audited(app, make_user):
    admin, recruiter = make_user("admin", name="Ann Admin"), make_user("recruiter")
    with pytest.raises(Forbidden):
        reasons.save_reason(recruiter, label="Anything", tellable=False)
    filled = reasons.by_code("role_filled")
    with pytest.raises(Forbidden):
        reasons.retire_reason(recruiter, filled)
    reasons.save_reason(
        admin,
        filled,
        label="Role filled by another candidate",
        tellable=True,
        candidate_text="We offered the role to someone else.",
    )
    reasons.retire_reason(admin, filled)
    reasons.retire_reason(admin, filled, retired=False)
    entries = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [(e.action, e.subject) for e in entries] == [
        ("closure_reason_changed", "role_filled"),
        ("closure_reason_retired", "role_filled"),
        ("closure_reason_offered", "role_filled"),
    ]
    assert entries[0].actor_id == admin.id
    assert '"candidate_text"' in entries[0].detail and "someone else" not in entries[0].detail


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label": " "}, "Label is required."),
        ({"tellable": True, "candidate_text": ""}, "needs the sentence they read"),
        ({"status": "hired"}, "explains rejected or withdrawn"),
        ({"label": "role filled"}, "There is already a rejected reason “role filled”"),
        ({"code": "Not A Code"}, "lower-case letters, digits and underscores"),
        ({"code": "role_filled"}, "The code role_filled is taken"),
        ({"candidate_text": "x" * 1001}, "too long"),
    ],
)
def test_a_bad_reason_is_refused_saying_why(app, make_user, fields, message):
    values = {"label": "Something new", "tellable": False, **fields}
    with pytest.raises(Invalid, match=message):
        reasons.save_reason(make_user("admin"), **values)


# --- the point of the process and the note ---------------------------------------------


def test_the_point_of_the_process(job, make_application):
    application = make_application(job=job)
    assert domain.closing_point(application) == "applied"
    assert domain.closing_point(at(application, "First interview")) == "interviewed"
    assert domain.closing_point(at(application, "Final interview")) == "final"
    assert domain.closing_point(at(application, "Offer")) == "final"
    # moved back, it has still been through the final interview
    assert domain.closing_point(at(application, "Applied")) == "final"


def test_a_job_without_interview_stages_closes_after_applying(make_job, make_application):
    stages = [{"name": "Applied", "candidate_label": "Received"}]
    application = make_application(job=make_job(stages=stages))
    assert domain.closing_point(application) == "applied"


def test_each_point_uses_the_template_chosen_for_it(job, make_application):
    """A point uses its own words, the outcome's template for any point once chosen for
    it, or the portal's words for it: saving one template never changes another's."""
    application = make_application(job=job, name="Ada Byron")
    applied = domain.closure_note_default(application, "rejected")
    assert "Thank you for applying for the Designer role" in applied
    finalist = at(make_application(job=job, name="Bo Final"), "Final interview")
    final = domain.closure_note_default(finalist, "rejected")
    assert "through every stage" in final
    domain.set_closure_template(None, "rejected", "Any point, {first_name}.")
    assert domain.closure_note_default(application, "rejected") == applied  # unchanged
    assert domain.closure_note_default(finalist, "rejected") == final
    assert {closing.template_source("rejected", p) for p in CLOSING_POINTS} == {closing.PORTAL}
    domain.set_closure_template(None, "rejected", "After applying, {first_name}.", "applied")
    assert domain.closure_note_default(application, "rejected") == "After applying, Ada."
    assert domain.closure_note_default(finalist, "rejected") == final
    domain.set_closure_template(None, "rejected", "", "applied")  # follows the any-point one
    assert domain.closure_note_default(application, "rejected") == "Any point, Ada."
    domain.set_closure_template(None, "rejected", "Any point now, {first_name}.")
    assert domain.closure_note_default(application, "rejected") == "Any point now, Ada."
    assert domain.closure_note_default(finalist, "rejected") == final
    domain.set_closure_template(None, "rejected", None, "applied")  # the portal's words again
    assert domain.closure_note_default(application, "rejected") == applied
    with pytest.raises(Invalid, match="no point of the process"):
        domain.set_closure_template(None, "rejected", "x", "lunch")


def test_a_point_without_words_of_the_portals_follows_the_any_point_template(job, make_application):
    application = make_application(job=job, name="Ada Byron")
    assert closing.template_source("withdrawn", "applied") == closing.ANY_POINT
    domain.set_closure_template(None, "withdrawn", "Closed, {first_name}.")
    assert domain.closure_note_default(application, "withdrawn") == "Closed, Ada."
    assert closing.template_source("withdrawn", "applied") == closing.ANY_POINT


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Dear {first_name}, {bogus}", "unknown placeholder “{bogus}”"),
        ("Dear {first_name}, {reason", "broken placeholder “{reason”: write {reason}"),
        ("Dear {first_name}, next_steps}", "broken placeholder “next_steps}”"),
        ("Dear {{first_name}}", "broken placeholder “{{first_name}}”"),
        ("Dear {first name}", "broken placeholder “{first”"),
        ("Dear {stage}", "unknown placeholder “{stage}”"),
    ],
)
def test_an_unknown_or_broken_placeholder_is_refused(job, rita, make_application, body, problem):
    with pytest.raises(
        Invalid, match=f"The template has an {problem}|The template has a {problem}"
    ):
        domain.set_closure_template(None, "rejected", body, "applied")
    application = make_application(job=job)
    with pytest.raises(Invalid, match=f"The closure note has an? {problem}"):
        domain.close(
            rita, application, application.version, "rejected", body, closure_reason="skills_gap"
        )
    day = date(2026, 12, 10)
    with time_machine.travel("2026-12-07 09:00 +0000"), pytest.raises(Invalid, match=problem):
        domain.schedule_close(rita, application, 1, "rejected", body, "", day, "skills_gap")
    assert fresh(application).is_active and not ScheduledClosure.select().exists()


def test_every_documented_placeholder_is_filled_at_closing(job, rita, make_application):
    """The recruiter types placeholders into the note: the candidate never sees braces."""
    application = make_application(job=job, name="Ada Byron")
    note = (
        "Dear {first_name}, about {job}: {reason}\n\n{next_steps}\n\n{recruiter}\n"
        "P.S. braces of our own stay: { }, {1, 2} and :-}"
    )
    domain.close(rita, application, 1, "rejected", note, closure_reason="skills_gap")
    told = reasons.by_code("skills_gap")
    closed = fresh(application).closure_note
    assert closed == (
        f"Dear Ada, about Designer: {told.candidate_text}\n\n{told.next_steps}\n\n"
        "Rita Recruiter\nP.S. braces of our own stay: { }, {1, 2} and :-}"
    )


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_an_untold_reason_leaves_no_gap_whatever_the_line_ends(job, rita, make_application, end):
    application = make_application(job=job, name="Ada Byron")
    note = end.join(["Dear Ada,", "", "We will not continue. {reason}", "", "{next_steps}", ""])
    note += end.join(["", "With best wishes,", "Rita"])
    domain.close(rita, application, 1, "rejected", note, closure_reason="conduct_references")
    closed = fresh(application).closure_note
    assert closed == "Dear Ada,\n\nWe will not continue.\n\nWith best wishes,\nRita"
    mail = Mail.get((Mail.application == application.id) & (Mail.kind == "closure"))
    assert "\n\n\n" not in mail.text.replace("\r\n", "\n") and " \n" not in mail.text


def test_a_tellable_reason_fills_its_words_and_an_untold_one_leaves_none(job, make_application):
    application = make_application(job=job, name="Ada Byron")
    told = reasons.by_code("skills_gap")
    note = domain.closure_note_default(application, "rejected", told)
    assert told.candidate_text in note and told.next_steps in note
    untold = reasons.by_code("conduct_references")
    note = domain.closure_note_default(application, "rejected", untold)
    assert "{reason}" not in note and "{next_steps}" not in note
    assert "Conduct" not in note and "\n\n\n" not in note and " \n" not in note
    assert note.startswith("Dear Ada,")


# --- closing ---------------------------------------------------------------------------


def test_staff_must_give_a_reason_from_the_list(job, rita, make_application):
    application = make_application(job=job)
    for status in ("rejected", "withdrawn"):
        with pytest.raises(Invalid, match="Choose why it closed"):
            domain.close(rita, application, application.version, status, "Dear Ada.")
    with pytest.raises(Invalid, match="no closure reason 'nonsense'"):
        domain.close(rita, application, 1, "rejected", "No.", closure_reason="nonsense")
    with pytest.raises(Invalid, match="is a reason for withdrawn applications"):
        domain.close(rita, application, 1, "rejected", "No.", closure_reason="other_offer")
    with pytest.raises(Invalid, match="needs no reason"):
        domain.close(rita, application, 1, "hired", "Yes!", closure_reason="role_filled")
    reasons.retire_reason(None, reasons.by_code("role_filled"))
    with pytest.raises(Invalid, match="no longer offered"):
        domain.close(rita, application, 1, "rejected", "No.", closure_reason="role_filled")
    assert fresh(application).is_active
    domain.close(rita, application, 1, "hired", "Welcome!")  # a hire needs none


def test_the_system_may_close_without_a_reason(job, make_application):
    application = make_application(job=job)
    domain.close(None, application, application.version, "rejected", "Dear Ada, no.")
    assert fresh(application).closure_reason is None


def test_closing_keeps_the_reason_and_the_internal_note_apart(job, rita, make_application):
    application = make_application(job=job, name="Ada Byron")
    note = domain.closure_note_draft(application, "rejected")
    assert "{reason}" in note and "{next_steps}" in note  # the form's draft
    domain.close(
        rita,
        application,
        1,
        "rejected",
        note,
        "Portfolio thin on print",
        closure_reason="skills_gap",
    )
    after = fresh(application)
    told = reasons.by_code("skills_gap")
    assert after.closure_reason_id == told.id and after.closed_reason == "Portfolio thin on print"
    assert told.candidate_text in after.closure_note and "{reason}" not in after.closure_note
    kinds = {e.kind: (e.visible, e.message) for e in after.events}
    assert kinds["closure_reason"] == (False, told.label)
    assert kinds["reason"] == (False, "Portfolio thin on print")
    domain.reopen(rita, after, after.version)
    assert fresh(application).closure_reason is None and fresh(application).closed_reason == ""


@time_machine.travel("2026-12-01 10:00 +0000", tick=False)
def test_a_scheduled_closure_carries_its_reason_even_once_retired(job, rita, make_application):
    application = make_application(job=job)
    note = domain.closure_note_draft(application, "rejected")
    day = date(2026, 12, 3)
    domain.schedule_close(rita, application, 1, "rejected", note, "", day, "role_closed")
    scheduled = ScheduledClosure.get()
    closed = reasons.by_code("role_closed")
    assert scheduled.closure_reason_id == closed.id
    assert closed.candidate_text in scheduled.closure_note  # the words, checked now
    reasons.retire_reason(None, closed)
    with time_machine.travel("2026-12-03 10:00 +0000", tick=False):
        assert domain.close_due() == 1
    assert fresh(application).status == "rejected"
    assert fresh(application).closure_reason_id == closed.id


def test_a_batch_closes_for_one_reason_each_at_its_own_point(job, rita, make_application):
    early = make_application(job=job, name="Ada Early")
    late = at(make_application(job=job, name="Bo Late"), "Final interview")
    items = [(fresh(early), fresh(early).version), (late, late.version)]
    with pytest.raises(Invalid, match="Choose why it closed"):
        actions.close_many(rita, items, "rejected", domain.closure_template("rejected"))
    actions.close_many(
        rita, items, "rejected", domain.closure_template("rejected"), closure_reason="role_filled"
    )
    filled = reasons.by_code("role_filled")
    early, late = fresh(early), fresh(late)
    assert early.closure_reason_id == late.closure_reason_id == filled.id
    assert "Thank you for applying" in early.closure_note
    assert "through every stage" in late.closure_note
    assert (
        filled.candidate_text in early.closure_note and filled.candidate_text in late.closure_note
    )


def test_a_candidates_own_withdrawal_is_counted_and_never_told(job, make_application):
    application = make_application(job=job)
    withdraw_by_candidate(application, application.version, "I took another job")
    after = fresh(application)
    assert after.closure_reason.code == default_reasons.OWN_WITHDRAWAL
    assert "{reason}" not in after.closure_note and "Withdrew" not in after.closure_note
    assert "I took another job" not in after.closure_note
    assert default_reasons.OWN_WITHDRAWAL not in [r.code for r in reasons.offered()]
    closed = Event.get((Event.application == application.id) & (Event.kind == "closed"))
    assert closed.message == after.closure_note
