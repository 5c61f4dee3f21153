"""Interview kits and criteria ratings in `portal import` and `portal export`: each job's
kits ("kit", the stage's name or null for the job's own), each scorecard's "ratings"
(matched to the kit's criteria by name) and "edited" survive export → import → export,
and a bad one is named in one line with nothing imported."""

import copy
import json
from datetime import datetime

import pytest
import time_machine
from helpers.factories import stage

from portal import domain
from portal.cli import cli
from portal.domain.kits import DEFAULT_KIT
from portal.privacy import actions as privacy
from portal.privacy.export import export_candidate
from portal.store.models import Criterion
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import MODELS
from portal.store.models import Rating

DOCUMENT = {
    "users": [
        {"email": "rita@example.com", "name": "Rita Alvarez", "role": "recruiter"},
        {"email": "mei@example.com", "name": "Mei Chen", "role": "manager"},
    ],
    "jobs": [
        {
            "ref": "J-1",
            "title": "Backend Engineer",
            "recruiter": "rita@example.com",
            "managers": ["mei@example.com"],
            "stages": [
                {"name": "Applied", "candidate_label": "Received"},
                {"name": "Interview", "candidate_label": "Interviews", "interview": True},
            ],
            "kit": [
                {"stage": None, "name": "Craft", "guidance": "Ask: show us your best work."},
                {"stage": "Interview", "name": "System design", "guidance": ""},
                {"stage": "Interview", "name": "Coding"},
            ],
        }
    ],
    "applications": [
        {
            "ref": "A-1",
            "job": "J-1",
            "candidate": {"name": "Ada Lovelace", "email": "ada@example.org"},
            "stage": "Interview",
            "feedback": [
                {
                    "at": "2026-11-04T09:00:00Z",
                    "edited": "2026-11-04T12:00:00Z",
                    "author": "mei@example.com",
                    "stage": "Interview",
                    "rating": 3,
                    "recommendation": "yes",
                    "ratings": [
                        {"name": "system design", "score": 4, "note": "Clear trade-offs"},
                        {"name": "Coding", "score": None},
                        {"name": "Whiteboard", "score": 2, "note": "Criterion since removed"},
                    ],
                }
            ],
        }
    ],
}


def export(runner) -> str:
    result = runner.invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    return result.stdout


def load(runner, tmp_path, document) -> object:
    path = tmp_path / "data.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return runner.invoke(cli, ["import", str(path)])


def wipe():
    """Empty every table but the schema version."""
    for model in reversed(MODELS):
        if model.__name__ != "DbInfo":
            model.delete().execute()


@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
def test_kits_ratings_and_corrections_round_trip(runner, tmp_path, make_user, make_job):
    """Made by the live operations: a job's kit edited, a stage's own, a scorecard rated
    and corrected, a criterion taken out after it was rated."""
    recruiter = make_user("recruiter", email="rec@example.com")
    manager = make_user("manager", email="man@example.com")
    job = make_job(recruiter=recruiter, managers=[manager])
    interviews, screen = stage(job, "Interviews"), stage(job, "Screen")
    domain.set_kit(recruiter, job, screen, [("Motivation", "Ask: why us?"), ("Salary fit", "")])
    application = domain.add_application(recruiter, job, "Ada Byron", "ada@example.org")
    kit = domain.kit_for(job, interviews)
    ratings = {kit[0].id: (4, "Deep"), kit[1].id: (None, ""), kit[2].id: (2, "Rambles")}
    card = domain.submit_feedback(manager, application, interviews, 3, "yes", "S", "C", ratings)
    with time_machine.travel(datetime(2026, 11, 26, 11), tick=False):
        domain.edit_feedback(manager, card, 4, "strong_yes", "S", "C", ratings)
    domain.submit_feedback(manager, application, screen, 2, "no", ratings={})
    domain.set_kit(recruiter, job, None, [(s.name, s.guidance) for s in DEFAULT_KIT[1:]])
    first = export(runner)
    document = json.loads(first)
    [exported_job] = document["jobs"]
    assert [(k["stage"], k["name"]) for k in exported_job["kit"]] == [
        *((None, s.name) for s in DEFAULT_KIT[1:]),
        ("Screen", "Motivation"),
        ("Screen", "Salary fit"),
    ]
    cards = {f["stage"]: f for f in document["applications"][0]["feedback"]}
    assert (cards["Screen"]["edited"], cards["Screen"]["ratings"]) == (None, [])
    rated = cards["Interviews"]
    assert rated["edited"] == "2026-11-26T11:00:00Z" and rated["at"] == "2026-11-26T10:00:00Z"
    assert rated["ratings"] == [
        {"name": "Role knowledge", "score": 4, "note": "Deep"},
        {"name": "Problem solving", "score": None, "note": ""},
        {"name": "Communication", "score": 2, "note": "Rambles"},
    ]
    wipe()
    result = load(runner, tmp_path, first)
    assert result.exit_code == 0, result.output
    assert export(runner) == first
    restored = {r.name: r for r in Rating.select()}
    assert restored["Role knowledge"].criterion_id is None  # taken out of the kit before
    assert Criterion.get_by_id(restored["Communication"].criterion_id).name == "Communication"


def test_ratings_are_matched_to_the_stages_kit_by_name(runner, tmp_path):
    result = load(runner, tmp_path, DOCUMENT)
    assert result.exit_code == 0, result.output
    job = Job.get(Job.ref == "J-1")
    assert [c.name for c in domain.kit_for(job, stage(job, "Interview"))] == [
        "System design",
        "Coding",
    ]
    assert [c.name for c in domain.kit_for(job, stage(job, "Applied"))] == ["Craft"]
    card = Feedback.get()
    assert card.edited == datetime(2026, 11, 4, 12) and card.created == datetime(2026, 11, 4, 9)
    rows = {r.name: r for r in card.ratings}
    assert Criterion.get_by_id(rows["system design"].criterion_id).name == "System design"
    assert rows["Coding"].criterion_id is not None and rows["Coding"].score is None
    assert rows["Whiteboard"].criterion_id is None and rows["Whiteboard"].score == 2


def test_a_job_without_a_kit_gets_the_default_one_and_an_empty_kit_stays_empty(runner, tmp_path):
    document = copy.deepcopy(DOCUMENT)
    document["applications"] = []
    del document["jobs"][0]["kit"]
    second = copy.deepcopy(document["jobs"][0])
    second.update({"ref": "J-2", "kit": []})
    document["jobs"].append(second)
    assert load(runner, tmp_path, document).exit_code == 0
    kits = {j.ref: [c.name for c in domain.kit_for(j, None)] for j in Job.select()}
    assert kits == {"J-1": [s.name for s in DEFAULT_KIT], "J-2": []}


def _with(path, value):
    document = copy.deepcopy(DOCUMENT)
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    target[last] = value
    return document


CARD = ("applications", 0, "feedback", 0)
BAD = {
    "kit names a stage not in the pipeline": (
        _with(("jobs", 0, "kit", 1, "stage"), "Onsite"),
        "jobs[0] (ref J-1): The kit names stage 'Onsite', which is not in the job's pipeline.",
    ),
    "kit row without a name": (
        _with(("jobs", 0, "kit", 0, "name"), ""),
        "jobs[0] (ref J-1): kit[0]: name is required",
    ),
    "kit names one criterion twice": (
        _with(("jobs", 0, "kit", 2, "name"), "system DESIGN"),
        "jobs[0] (ref J-1): Criterion 2 is named 'system DESIGN' like criterion 1",
    ),
    "kit row with an unknown field": (
        _with(("jobs", 0, "kit", 0, "questions"), "?"),
        "jobs[0] (ref J-1): kit[0]: unknown field 'questions' (expected stage, name, guidance)",
    ),
    "score out of range": (
        _with((*CARD, "ratings", 0, "score"), 5),
        "applications[0] (ref A-1): system design: the score must be a whole number between 1 "
        "and 4, or null.",
    ),
    "score as text": (
        _with((*CARD, "ratings", 0, "score"), "4"),
        "applications[0] (ref A-1): feedback[0]: ratings[0]: score must be a whole number, "
        "not text",
    ),
    "a criterion rated twice": (
        _with((*CARD, "ratings", 1, "name"), "System Design"),
        "applications[0] (ref A-1): The scorecard rates 'System Design' twice.",
    ),
    "ratings not a list": (
        _with((*CARD, "ratings"), {"Coding": 3}),
        "applications[0] (ref A-1): feedback[0]: ratings must be a list, not an object",
    ),
    "corrected before it was given": (
        _with((*CARD, "edited"), "2026-11-03T09:00:00Z"),
        "applications[0] (ref A-1): Feedback was corrected (edited) before it was first "
        "submitted (at).",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_kit_or_rating_is_named_in_one_line_and_nothing_is_imported(runner, tmp_path, case):
    document, message = BAD[case]
    result = load(runner, tmp_path, document)
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith("Error: ") and message in result.output
    assert Job.select().count() == 0 and Criterion.select().count() == 0


def test_the_subject_access_export_holds_the_ratings(make_user, make_job, make_application):
    """What a candidate asks to see of themselves includes the notes on each criterion."""
    manager = make_user("manager")
    job = make_job(managers=[manager])
    application = make_application(job=job)
    interviews = stage(job, "Interviews")
    [first, *_] = domain.kit_for(job, interviews)
    domain.submit_feedback(
        manager, application, interviews, 3, "yes", ratings={first.id: (3, "Knows the field")}
    )
    document = export_candidate(None, application.candidate)
    [scorecard] = document["applications"][0]["feedback"]
    assert scorecard["ratings"] == [{"name": first.name, "score": 3, "note": "Knows the field"}]


def test_erasure_erases_the_notes_on_each_criterion(make_user, make_job, make_application):
    manager = make_user("manager")
    job = make_job(managers=[manager])
    application = make_application(job=job)
    interviews = stage(job, "Interviews")
    [first, second, *_] = domain.kit_for(job, interviews)
    ratings = {first.id: (3, "Ada mentioned her health"), second.id: (2, "")}
    domain.submit_feedback(manager, application, interviews, 3, "yes", ratings=ratings)
    privacy.erase_candidate(None, application.candidate)
    notes = {r.name: (r.score, r.note) for r in Rating.select()}
    assert notes == {first.name: (3, privacy.ERASED_TEXT), second.name: (2, "")}
