"""Interviews in `portal export` and `portal import` (by UID, so the candidate's calendar
still recognises later updates), in the subject-access export, and after erasure."""

import json
from datetime import datetime

import pytest
from helpers.interviews import arrange
from helpers.interviews import fresh
from helpers.interviews import VIDEO

from portal.cli import cli
from portal.interviews import actions
from portal.privacy import actions as privacy
from portal.privacy.export import export_candidate
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Interview
from portal.store.models import MODELS


def export(runner) -> str:
    result = runner.invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    return result.stdout


def wipe():
    """Empty every table but the schema version."""
    for model in reversed(MODELS):
        if model.__name__ != "DbInfo":
            model.delete().execute()


def load(runner, tmp_path, text: str):
    path = tmp_path / "export.json"
    path.write_text(text)
    return runner.invoke(cli, ["import", str(path)])


@pytest.fixture
def arranged(make_user, make_job, make_application):
    """Two interviews on one application, one moved and one cancelled, and its zone."""
    recruiter = make_user("recruiter", email="rec@example.com")
    application = make_application(job=make_job(recruiter=recruiter), name="Ada Lovelace")
    actions.set_timezone(recruiter, application, "America/New_York")
    kept = arrange(application, recruiter, timezone="Europe/Berlin")
    actions.reschedule(
        recruiter,
        fresh(kept),
        datetime(2026, 12, 10, 15),
        datetime(2026, 12, 10, 16),
        "Europe/Berlin",
        "on_site",
        "Hauptstraße 1\nBerlin",
        "Grace Hopper, Engineering Manager",
    )
    off = arrange(application, recruiter, starts=datetime(2026, 12, 11, 9))
    actions.cancel(recruiter, fresh(off), "Sorry.")
    return Application.get_by_id(application.id)


def test_export_import_export_round_trips_interviews(runner, tmp_path, arranged):
    first = export(runner)
    document = json.loads(first)
    [application] = document["applications"]
    assert application["timezone"] == "America/New_York"
    kept, off = application["interviews"]
    assert kept["uid"] == Interview.get(Interview.cancelled.is_null()).uid
    assert (kept["sequence"], kept["format"], kept["timezone"]) == (1, "on_site", "Europe/Berlin")
    assert kept["starts"] == "2026-12-10T14:00:00Z" and kept["place"] == "Hauptstraße 1\nBerlin"
    assert off["cancelled"] and off["place"] == VIDEO
    named = [e for e in application["events"] if e.get("interview")]
    assert [e["kind"] for e in named] == [
        "interview_arranged",
        "interview_moved",
        "interview_arranged",
        "interview_cancelled",
    ]
    wipe()
    result = load(runner, tmp_path, first)
    assert result.exit_code == 0, result.output
    assert export(runner) == first
    restored = Interview.get(Interview.uid == kept["uid"])
    assert restored.sequence == 1 and restored.stage.name == "Applied"
    assert Event.select().where(Event.interview == restored.id).count() == 2


def test_importing_twice_changes_nothing(runner, tmp_path, arranged):
    first = export(runner)
    wipe()
    assert load(runner, tmp_path, first).exit_code == 0
    again = load(runner, tmp_path, first)
    assert again.exit_code == 0, again.output
    assert Interview.select().count() == 2 and export(runner) == first


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "fax"}, "Interview format must be one of"),
        ({"timezone": "Nowhere/Else"}, "is not an IANA time zone"),
        ({"ends": "2026-12-01T00:00:00Z"}, "must end after it starts"),
        ({"stage": "No such stage"}, "unknown stage 'No such stage'"),
        ({"colour": "blue"}, "unknown field 'colour'"),
    ],
)
def test_a_bad_interview_is_named_and_nothing_is_imported(
    runner, tmp_path, arranged, change, message
):
    document = json.loads(export(runner))
    document["applications"][0]["interviews"][0].update(change)
    wipe()
    result = load(runner, tmp_path, json.dumps(document))
    assert result.exit_code != 0
    assert "interviews[0]" in result.output or message in result.output
    assert message in result.output
    assert Application.select().count() == 0 and Interview.select().count() == 0


def test_a_uid_taken_by_another_application_is_refused(runner, tmp_path, arranged):
    document = json.loads(export(runner))
    document["applications"][0]["ref"] = "A-OTHER"
    document["applications"][0]["candidate"]["email"] = "someone@example.org"
    result = load(runner, tmp_path, json.dumps(document))
    assert result.exit_code != 0 and "is already in the database" in result.output
    assert Interview.select().count() == 2


def test_the_subject_access_export_holds_their_interviews(arranged):
    document = export_candidate(None, arranged.candidate)
    [application] = document["applications"]
    assert application["timezone"] == "America/New_York"
    kept, off = application["interviews"]
    assert kept["place"] == "Hauptstraße 1\nBerlin" and kept["changes_sent"] == 1
    assert off["cancelled"] is not None


def test_erasure_clears_what_was_said_and_calls_off_what_is_to_come(arranged):
    privacy.erase_candidate(None, arranged.candidate)
    application = Application.get_by_id(arranged.id)
    assert application.timezone == ""
    for interview in Interview.select():
        assert interview.cancelled is not None
        assert {interview.place, interview.meeting} <= {"[erased]", ""}
        assert interview.prepare in ("[erased]", "")
    assert "Hauptstraße" not in json.dumps([i.place for i in Interview.select()])
