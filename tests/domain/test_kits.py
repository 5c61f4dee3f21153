"""Interview kits and the scorecards that rate them: the default kit of a new job, a
stage's own kit, edits kept by name and audited, criteria ratings checked against the kit
scored at the stage, and the author's corrections, which never change who sees what."""

import json
from datetime import timedelta

import pytest
import time_machine
from helpers import smtp
from helpers.factories import stage

from portal import domain
from portal.clock import now
from portal.clock import today
from portal.domain.kits import DEFAULT_KIT
from portal.domain.kits import kits_of
from portal.domain.kits import MOST
from portal.errors import Conflict
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import Rating
from portal.store.models import Stage


@pytest.fixture
def world(make_user, make_job, make_application):
    """A job with two managers and an application at its interview stage."""
    recruiter = make_user("recruiter", name="Rita Recruiter")
    max_, mia = make_user("manager", name="Max Manager"), make_user("manager", name="Mia Manager")
    job = make_job(recruiter=recruiter, managers=[max_, mia])
    application = make_application(job=job)
    interviews = stage(job, "Interviews")
    domain.move(recruiter, application, interviews, application.version)
    return {
        "recruiter": recruiter,
        "max": max_,
        "mia": mia,
        "job": job,
        "application": Application.get_by_id(application.id),
        "interviews": interviews,
    }


def scores(job, stage_, *values):
    """The ratings argument scoring the kit at ``stage_`` with ``values`` in order."""
    kit = domain.kit_for(job, stage_)
    return {c.id: (value, f"note on {c.name}") for c, value in zip(kit, values, strict=False)}


def names(criteria):
    return [c.name for c in criteria]


def kit_entries(job):
    return [
        json.loads(e.detail)
        for e in AuditEntry.select().where(AuditEntry.subject == f"job {job.ref}")
        if "kit" in json.loads(e.detail).get("changed", [])
    ]


# --- kits ---------------------------------------------------------------------------------


def test_a_new_job_gets_the_default_kit_with_guidance_and_questions(make_job):
    job = make_job()
    kit = domain.kit_for(job, stage(job, "Interviews"))
    assert names(kit) == [spec.name for spec in DEFAULT_KIT]
    assert 3 <= len(kit) <= 5
    assert all("Ask:" in c.guidance for c in kit)
    assert all(c.stage_id is None for c in kit)
    assert kit_entries(job) == []  # creating a job is not an edit of its kit


def test_a_stage_scores_its_own_kit_else_the_jobs(world):
    job, interviews = world["job"], world["interviews"]
    domain.set_kit(None, job, interviews, [("System design", "Ask: design a URL shortener.")])
    assert names(domain.kit_for(job, interviews)) == ["System design"]
    assert names(domain.kit_for(job, stage(job, "Screen"))) == names(DEFAULT_KIT)
    assert names(domain.kit_for(job, None)) == names(DEFAULT_KIT)
    domain.set_kit(None, job, interviews, [])  # the stage scores the job's kit again
    assert names(domain.kit_for(job, interviews)) == names(DEFAULT_KIT)
    assert set(kits_of(job)) == {None}


def test_editing_a_kit_keeps_criteria_by_name_and_audits_what_changed(world):
    job, recruiter = world["job"], world["recruiter"]
    before = {c.name: c.id for c in domain.kit_for(job, None)}
    stamp = Job.get_by_id(job.id).updated
    kept = domain.set_kit(
        recruiter,
        job,
        None,
        [
            {"name": "communication", "guidance": "Listens, then answers."},
            ("Role knowledge", DEFAULT_KIT[0].guidance),
            ("Ownership", ""),
        ],
    )
    assert names(kept) == ["communication", "Role knowledge", "Ownership"]
    assert kept[0].id == before["Communication"] and kept[1].id == before["Role knowledge"]
    assert [c.position for c in kept] == [0, 1, 2]
    assert Job.get_by_id(job.id).updated > stamp
    [entry] = kit_entries(job)
    assert entry["kit"] == {
        "stage": None,
        "from": names(DEFAULT_KIT),
        "to": ["communication", "Role knowledge", "Ownership"],
        "edited": ["communication"],
    }
    domain.set_kit(recruiter, job, None, [(c.name, c.guidance) for c in kept])
    assert len(kit_entries(job)) == 1  # nothing changed: nothing audited


def test_a_kit_save_over_someone_elses_change_is_refused(world):
    job = world["job"]
    seen = domain.job_stamp(job)
    domain.set_kit(None, job, None, [("A", "")], seen=seen)
    with pytest.raises(Conflict, match="changed by someone else meanwhile"):
        domain.set_kit(None, job, None, [("B", "")], seen=seen)
    assert names(domain.kit_for(job, None)) == ["A"]


@pytest.mark.parametrize(
    "criteria, message",
    [
        ([("Focus", ""), ("FOCUS", "")], "named 'FOCUS' like criterion 1"),
        ([("", "Ask: why?")], "Criterion 1 has guidance but no name"),
        ([("x" * 101, "")], "Criterion 1: name is too long"),
        ([("Focus", "x" * 2001)], "Criterion 1: guidance is too long"),
        ([(f"C{n}", "") for n in range(MOST + 1)], f"at most {MOST} criteria"),
        ([("Null\x00", "")], "contains a NUL character"),
    ],
)
def test_a_kit_is_checked(world, criteria, message):
    with pytest.raises(Invalid, match=message):
        domain.set_kit(None, world["job"], None, criteria)
    assert names(domain.kit_for(world["job"], None)) == names(DEFAULT_KIT)


def test_blank_rows_are_dropped(world):
    kit = domain.set_kit(None, world["job"], None, [("", ""), ("Focus", " "), ("  ", "")])
    assert names(kit) == ["Focus"]


def test_only_staff_edit_a_kit_and_only_of_the_jobs_own_stages(world, make_job):
    with pytest.raises(Forbidden):
        domain.set_kit(world["max"], world["job"], None, [("A", "")])
    other = stage(make_job(), "Interviews")
    with pytest.raises(Invalid, match="is not part of the pipeline of job"):
        domain.set_kit(None, world["job"], other, [("A", "")])


def test_a_criterion_taken_out_leaves_its_ratings_their_name(world):
    job, application, interviews = world["job"], world["application"], world["interviews"]
    ratings = scores(job, interviews, 4, 3, None, 2)
    card = domain.submit_feedback(world["max"], application, interviews, 3, "yes", "", "", ratings)
    domain.set_kit(None, job, None, [("Role knowledge", ""), ("Grit", "")])
    rated = {r.name: r for r in Rating.select().where(Rating.feedback == card.id)}
    assert set(rated) == {"Role knowledge", "Problem solving", "Communication", "Collaboration"}
    assert rated["Role knowledge"].criterion_id is not None
    assert rated["Problem solving"].criterion_id is None
    assert (rated["Problem solving"].score, rated["Communication"].score) == (3, None)


# --- scorecards with criteria ---------------------------------------------------------


def test_a_scorecard_rates_the_kit_scored_at_its_stage(world):
    job, application, interviews = world["job"], world["application"], world["interviews"]
    card = domain.submit_feedback(
        world["max"], application, interviews, 3, "yes", "Clear", "", scores(job, interviews, 4, 2)
    )
    rated = list(card.ratings.order_by(Rating.id))
    assert [(r.name, r.score, r.note) for r in rated] == [
        ("Role knowledge", 4, "note on Role knowledge"),
        ("Problem solving", 2, "note on Problem solving"),
    ]


@pytest.mark.parametrize("score", [0, 5, True, "3", 2.5])
def test_a_criterions_score_is_checked(world, score):
    job, interviews = world["job"], world["interviews"]
    [first, *_] = domain.kit_for(job, interviews)
    with pytest.raises(Invalid, match="the score must be between 1 and 4, or none"):
        domain.submit_feedback(
            world["max"],
            world["application"],
            interviews,
            3,
            "yes",
            ratings={first.id: (score, "")},
        )
    assert Feedback.select().count() == 0 and Rating.select().count() == 0


def test_criteria_must_be_those_of_the_stages_kit(world):
    job, interviews = world["job"], world["interviews"]
    default = domain.kit_for(job, interviews)
    domain.set_kit(None, job, interviews, [("System design", "")])
    for key in (default[0].id, "nonsense", None):
        with pytest.raises(Invalid, match="is not in the kit scored at the Interviews stage"):
            domain.submit_feedback(
                world["max"], world["application"], interviews, 3, "yes", ratings={key: (3, "")}
            )
    assert Feedback.select().count() == 0


# --- corrections, and who sees what -----------------------------------------------------


def test_its_author_corrects_a_scorecard_audited_and_keeping_its_first_time(world):
    job, application, interviews = world["job"], world["application"], world["interviews"]
    first = domain.submit_feedback(
        world["max"], application, interviews, 2, "no", "Quiet", "", scores(job, interviews, 2)
    )
    with time_machine.travel(now() + timedelta(hours=2), tick=False):
        edited = domain.edit_feedback(
            world["max"],
            first,
            3,
            "yes",
            "Quiet, then sharp",
            "",
            scores(job, interviews, 2, 4),
        )
    assert edited.created == first.created and edited.edited > first.created
    assert (edited.rating, edited.recommendation, edited.strengths) == (
        3,
        "yes",
        "Quiet, then sharp",
    )
    assert [(r.name, r.score) for r in edited.ratings.order_by(Rating.id)] == [
        ("Role knowledge", 2),
        ("Problem solving", 4),
    ]
    event = Event.get(Event.kind == "feedback_edited")
    assert not event.visible and event.actor_id == world["max"].id
    assert event.to_stage_id == interviews.id
    assert (
        event.message
        == "Changed the overall rating, the recommendation, the strengths, Problem solving."
    )
    assert "sharp" not in event.message  # the history says what changed, never what it says


def test_an_unchanged_correction_writes_nothing(world):
    card = domain.submit_feedback(world["max"], world["application"], world["interviews"], 3, "yes")
    domain.edit_feedback(world["max"], card, 3, "yes")
    assert Feedback.get_by_id(card.id).edited is None
    assert not Event.select().where(Event.kind == "feedback_edited").exists()


@pytest.mark.parametrize("who", ["mia", "recruiter", "admin"])
def test_only_its_author_corrects_a_scorecard(world, make_user, who):
    card = domain.submit_feedback(world["max"], world["application"], world["interviews"], 3, "yes")
    someone = make_user("admin") if who == "admin" else world[who]
    with pytest.raises(Forbidden, match="Only its author"):
        domain.edit_feedback(someone, card, 1, "strong_no")
    assert Feedback.get_by_id(card.id).rating == 3


def test_a_decided_application_keeps_its_scorecards(world):
    application = world["application"]
    card = domain.submit_feedback(world["max"], application, world["interviews"], 3, "yes")
    domain.close(None, application, application.version, "hired", "Welcome aboard, Ada!")
    with pytest.raises(Invalid, match="This application is hired: its scorecards stay"):
        domain.edit_feedback(world["max"], card, 1, "strong_no")
    assert Feedback.get_by_id(card.id).rating == 3


def test_a_scheduled_closure_is_a_decision_too(world):
    application = world["application"]
    card = domain.submit_feedback(world["max"], application, world["interviews"], 3, "yes")
    day = today() + timedelta(days=3)
    domain.schedule_close(None, application, application.version, "hired", "Welcome!", "", day)
    with pytest.raises(Invalid, match="A closure of this application is scheduled"):
        domain.edit_feedback(world["max"], card, 1, "strong_no")


def test_hidden_until_your_own_holds_across_edits(world):
    """Seeing others' scorecards goes by having submitted your own: corrections neither
    reveal them to someone who has not, nor hide them from someone who has."""
    job, application, interviews = world["job"], world["application"], world["interviews"]
    max_, mia = world["max"], world["mia"]
    card = domain.submit_feedback(max_, application, interviews, 2, "no", "", "", {})
    assert domain.can_see_feedback(max_, application, interviews)
    assert not domain.can_see_feedback(mia, application, interviews)
    for n in range(3):
        with time_machine.travel(now() + timedelta(minutes=10 * (n + 1)), tick=False):
            card = domain.edit_feedback(max_, card, 1 + n, "yes", f"take {n}")
        assert not domain.can_see_feedback(mia, application, interviews)
        assert domain.can_see_feedback(max_, application, interviews)
    hers = domain.submit_feedback(mia, application, interviews, 4, "strong_yes")
    assert domain.can_see_feedback(mia, application, interviews)
    domain.edit_feedback(mia, hers, 3, "yes", ratings=scores(job, interviews, 3))
    assert domain.can_see_feedback(mia, application, interviews)
    assert Feedback.get_by_id(card.id).created < Feedback.get_by_id(hers.id).created


def test_a_criterions_note_is_internal_text_no_email_may_carry(world):
    """The every-email check (tests/helpers/smtp.py) looks for the notes on criteria too."""
    job, interviews = world["job"], world["interviews"]
    [first, *_] = domain.kit_for(job, interviews)
    note = "Mentioned a competing offer from Initech"
    domain.submit_feedback(
        world["max"], world["application"], interviews, 3, "yes", ratings={first.id: (3, note)}
    )
    assert note in smtp.internal_texts(world["application"])


def test_a_stage_taken_out_of_the_pipeline_takes_its_own_kit(make_job):
    job = make_job()
    screen = stage(job, "Screen")
    domain.set_kit(None, job, screen, [("Motivation", "")])
    kept = [
        {"id": s.id, "name": s.name, "interview": s.interview}
        for s in job.stages.order_by(Stage.position)
        if s.id != screen.id
    ]
    domain.set_stages(None, job, kept)
    assert set(kits_of(job)) == {None}
