"""`portal import` and `portal export`: the round trip, idempotence, and every bad input
named in one line with nothing imported."""

import copy
import importlib.util
import json
import os
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from helpers.database import BACKEND
from helpers.files import live_database_spellings

from portal import domain
from portal.candidates import links
from portal.cli import cli
from portal.demo import load as demo
from portal.errors import Invalid
from portal.interchange.restore import restore_application
from portal.privacy import actions as privacy
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import MODELS
from portal.store.models import Stage
from portal.store.models import User

COUNTED = (User, Job, JobManager, Stage, Candidate, Application, Event, Feedback)

GOOD = {
    "users": [
        {"email": "rita@example.com", "name": "Rita Alvarez", "role": "recruiter"},
        {"email": "mei@example.com", "name": "Mei Chen", "role": "manager", "password": "x" * 8},
    ],
    "jobs": [
        {
            "ref": "J-1",
            "title": "Backend Engineer",
            "team": "Platform",
            "location": "Remote",
            "recruiter": "rita@example.com",
            "managers": ["mei@example.com"],
            "stages": [
                {"name": "Applied", "candidate_label": "Received", "follow_up_days": 5},
                {"name": "Interview", "candidate_label": "Interviews", "interview": True},
            ],
        }
    ],
    "applications": [
        {
            "ref": "A-1",
            "job": "J-1",
            "candidate": {"name": "Ada Lovelace", "email": "ada@example.org"},
            "stage": "Interview",
            "status": "active",
            "reply_by": "2026-12-01",
            "events": [
                {"at": "2026-11-02T09:00:00Z", "kind": "created", "to_stage": "Applied"},
                {
                    "at": "2026-11-03T10:00:00+01:00",
                    "kind": "moved",
                    "actor": "rita@example.com",
                    "visible": True,
                    "message": "See you Tuesday",
                    "from_stage": "Applied",
                    "to_stage": "Interview",
                },
            ],
            "feedback": [
                {
                    "at": "2026-11-04T09:00:00Z",
                    "author": "mei@example.com",
                    "stage": "Interview",
                    "rating": 3,
                    "recommendation": "yes",
                }
            ],
        },
        {
            "ref": "A-2",
            "job": "J-1",
            "candidate": {"name": "Grace Hopper", "email": "grace@example.org"},
            "status": "rejected",
            "closed_reason": "Not senior enough",
            "closed": "2026-11-05T16:00:00Z",
        },
    ],
}


def good() -> dict:
    return copy.deepcopy(GOOD)


def counts() -> dict:
    return {model.__name__: model.select().count() for model in COUNTED}


def write(tmp_path, document, name="data.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def export(runner) -> str:
    result = runner.invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    return result.stdout


def wipe():
    """Empty every table but the schema version: an empty database for the second import."""
    for model in reversed(MODELS):
        if model.__name__ != "DbInfo":
            model.delete().execute()


def test_import_creates_everything_through_the_domain(runner, tmp_path):
    result = runner.invoke(cli, ["import", write(tmp_path, good())])
    assert result.exit_code == 0, result.output
    assert "2 users, 1 job, 2 applications" in result.stdout
    assert "1 new user(s) have no password" in result.stdout and "rita@example.com" in result.stdout
    ada = Application.get(Application.ref == "A-1")
    assert (ada.stage.name, ada.reply_by, ada.job.managers.count()) == (
        "Interview",
        date(2026, 12, 1),
        1,
    )
    # Times with an offset are stored in UTC; the application starts with its first event.
    assert [e.created for e in ada.events.order_by(Event.id)] == [
        datetime(2026, 11, 2, 9),
        datetime(2026, 11, 3, 9),
    ]
    assert ada.created == datetime(2026, 11, 2, 9) and ada.last_word == datetime(2026, 11, 3, 9)
    assert ada.feedback.get().author.email == "mei@example.com"


def test_a_closed_application_without_history_gets_the_entries_close_writes(runner, tmp_path):
    runner.invoke(cli, ["import", write(tmp_path, good())])
    grace = Application.get(Application.ref == "A-2")
    kinds = [(e.kind, e.visible) for e in grace.events.order_by(Event.id)]
    assert kinds == [("created", False), ("reason", False), ("closed", True)]
    # No closure note in the file: the template's, as the admin would pre-fill it.
    assert grace.closure_note.startswith("Dear Grace,") and "Rita Alvarez" in grace.closure_note
    assert grace.reply_by is None and grace.closed == datetime(2026, 11, 5, 16)


@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
def test_feedback_from_a_manager_since_taken_off_the_job_round_trips(
    runner, tmp_path, make_user, make_job
):
    """The export records who gave feedback, not who was on the job then: an import must
    not refuse the database's own history."""
    recruiter, manager = make_user("recruiter"), make_user("manager")
    job = make_job(recruiter=recruiter, managers=[manager])
    application = domain.add_application(recruiter, job, "Ada Byron", "ada@example.org")
    interview = job.stages.where(Stage.interview).get()
    domain.submit_feedback(manager, application, interview, 3, "yes", "Clear", "")
    domain.save_job(None, job=job, title=job.title, recruiter=recruiter, managers=[])
    first = export(runner)
    wipe()
    result = runner.invoke(cli, ["import", write(tmp_path, first, "export.json")])
    assert result.exit_code == 0, result.output
    assert export(runner) == first


def test_export_import_export_round_trips(runner, tmp_path, make_user, make_job):
    """Rich history made by the live operations survives export → empty database → import."""
    recruiter = make_user("recruiter", email="rec@example.com")
    manager = make_user("manager", email="man@example.com")
    make_user("admin", email="gone@example.com", active=False)
    make_user("admin", email="head@example.com")
    job = make_job(recruiter=recruiter, managers=[manager], team="Data", location="Leeds")
    domain.save_job(
        None, job=job, title=job.title, recruiter=recruiter, managers=[manager], stale_days=7
    )
    interview = job.stages.where(Stage.interview).get()
    apps = [
        domain.add_application(recruiter, job, f"Candidate {n}", f"c{n}@example.org", ref=f"R-{n}")
        for n in range(4)
    ]
    domain.move(recruiter, apps[0], interview, 1, "See you", "Bring a laptop", date(2026, 12, 4))
    domain.add_note(recruiter, apps[0], "Internal: strong referral")
    domain.submit_feedback(manager, apps[0], interview, 4, "strong_yes", "Sharp", "None")
    domain.post_update(recruiter, apps[1], 1, "Still deciding", reply_by=date(2026, 12, 9))
    domain.close(
        recruiter,
        apps[2],
        1,
        "rejected",
        "Thank you, truly.",
        "Not senior",
        closure_reason="role_filled",
    )
    domain.close(recruiter, apps[3], 1, "withdrawn", "Good luck!", closure_reason="other_offer")
    domain.reopen(recruiter, apps[3], 2)
    first = export(runner)
    wipe()
    path = write(tmp_path, first, "export.json")
    result = runner.invoke(cli, ["import", path])
    assert result.exit_code == 0, result.output
    assert "4 users, 1 job, 4 applications" in result.stdout
    assert export(runner) == first
    document = json.loads(first)
    assert {u["email"]: u["active"] for u in document["users"]}["gone@example.com"] is False
    assert "password" not in first and "hash" not in first
    kinds = [e["kind"] for a in document["applications"] for e in a["events"]]
    assert {"moved", "note", "feedback", "update", "reason", "closed", "reopened"} <= set(kinds)


@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
def test_an_export_with_an_erased_candidate_round_trips(runner, tmp_path, make_user, make_job):
    """The erased stand-in address is restored as it is, and gets no live link."""
    recruiter = make_user("recruiter", email="rec@example.com")
    job = make_job(recruiter=recruiter)
    kept = domain.add_application(recruiter, job, "Kept", "kept@example.org", ref="R-1")
    gone = domain.add_application(recruiter, job, "Gone", "gone@example.org", ref="R-2")
    privacy.erase_candidate(None, gone.candidate)
    first = export(runner)
    assert f'"erased-{gone.id}@erased.invalid"' in first
    wipe()
    result = runner.invoke(cli, ["import", write(tmp_path, first, "export.json")])
    assert result.exit_code == 0, result.output
    assert export(runner) == first
    restored = {a.ref: a for a in Application.select()}
    assert links.live(restored[kept.ref]) is not None
    assert links.live(restored[gone.ref]) is None
    assert privacy.is_erased(restored[gone.ref].candidate)


@pytest.mark.parametrize("source", ["demo", "bench"])
def test_the_projects_own_documents_round_trip(runner, tmp_path, source):
    """The demo and bench/generate.py pass every check the import makes, and so do their
    exports."""
    if source == "demo":
        demo.load()
    else:
        path = Path(__file__).parents[2] / "bench" / "generate.py"
        spec = importlib.util.spec_from_file_location("bench_generate", path)
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        document = bench.generate(300, jobs=5)
        result = runner.invoke(cli, ["import", write(tmp_path, document, "bench.json")])
        assert result.exit_code == 0, result.output
    first = export(runner)
    wipe()
    result = runner.invoke(cli, ["import", write(tmp_path, first, "export.json")])
    assert result.exit_code == 0, result.output
    assert export(runner) == first


def test_save_job_bounds_stale_days_for_every_caller(make_user, make_job):
    recruiter = make_user("recruiter")
    job = make_job(recruiter=recruiter, ref="J-5")
    for days in (0, 366, 10**30, True):
        with pytest.raises(Invalid, match="Job J-5: stale days must be a whole number between"):
            domain.save_job(None, job=job, title="T", recruiter=recruiter, stale_days=days)
    saved = domain.save_job(None, job=job, title="T", recruiter=recruiter, stale_days=365)
    assert Job.get_by_id(saved.id).stale_days == 365


def test_export_writes_exactly_json_dumps_indent_2(runner, make_application):
    make_application(name="Zoë “Quotes” Ünïcode")
    text = export(runner)
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_f1_an_export_to_a_file_is_owner_only(runner, tmp_path, make_application, umask_022):
    """F1: the export names every candidate, with their history and internal notes."""
    make_application()
    target = tmp_path / "everything.json"
    result = runner.invoke(cli, ["export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_mode & 0o777 == 0o600
    assert json.loads(target.read_text())["applications"]


@pytest.mark.skipif(BACKEND != "sqlite", reason="a database file to overwrite")
def test_f2_an_export_refuses_to_overwrite_the_live_database(
    runner, database_url, tmp_path, make_application
):
    """F2: `portal export -o` over the live SQLite database (or its -wal, -shm, through a
    symlink or "..") replaced it with JSON, and the next command was a traceback."""
    make_application()
    for spelling in live_database_spellings(database_url, tmp_path):
        result = runner.invoke(cli, ["export", "-o", spelling])
        assert result.output == (
            f"Error: {spelling} is the live database or one of its files; choose another path.\n"
        )
    assert json.loads(export(runner))["applications"]  # the database is still there


@pytest.mark.parametrize("victim_exists", [True, False])
def test_f2_an_export_refuses_a_symlink_at_its_target(runner, app, tmp_path, victim_exists):
    """F2: -o FILE a symlink planted by someone else is refused in one line, untouched."""
    victim = tmp_path / "victim.txt"
    if victim_exists:
        victim.write_text("precious")
    link = tmp_path / "everything.json"
    link.symlink_to(victim)
    result = runner.invoke(cli, ["export", "-o", str(link)])
    assert result.output == f"Error: {link} is a symlink; refusing to write through it.\n"
    assert link.is_symlink()
    assert (victim.read_text() == "precious") if victim_exists else not victim.exists()


def test_f2_an_export_never_writes_through_a_symlink_at_its_temporary_file(runner, app, tmp_path):
    """F2: the temporary file is beside FILE under a predictable name (the pid): a symlink
    planted there was written through, then renamed to FILE."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "everything.json"
    planted = tmp_path / f".everything.json.{os.getpid()}.partial"
    planted.symlink_to(victim)
    result = runner.invoke(cli, ["export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious"
    assert not os.path.lexists(planted)  # the name the export used: this test tried it
    assert not target.is_symlink() and "applications" in json.loads(target.read_text())


def test_importing_twice_changes_nothing(runner, tmp_path):
    path = write(tmp_path, good())
    runner.invoke(cli, ["import", path])
    before, exported = counts(), export(runner)
    result = runner.invoke(cli, ["import", path])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        f"Imported from {path}: nothing new.",
        "Already there, left unchanged: 2 users, 1 job, 2 applications.",
    ]
    assert counts() == before and export(runner) == exported


def test_reimport_leaves_records_changed_since_alone(runner, tmp_path):
    path = write(tmp_path, good())
    runner.invoke(cli, ["import", path])
    ada = Application.get(Application.ref == "A-1")
    applied = ada.job.stages.where(Stage.name == "Applied").get()
    domain.move(None, ada, applied, ada.version, "Back a step")
    document = good()
    document["jobs"][0]["title"] = "Renamed in the file"
    document["applications"][0]["status"] = "hired"
    runner.invoke(cli, ["import", write(tmp_path, document)])
    ada = Application.get(Application.ref == "A-1")
    assert (ada.stage.name, ada.status, ada.job.title) == ("Applied", "active", "Backend Engineer")


def _set(path, value):
    """A mutation of the good document: set the item at ``path`` (keys and indexes)."""

    def mutate(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        target[last] = value
        return document

    return mutate


def _append(section, record):
    def mutate(document):
        document[section].append(record)
        return document

    return mutate


ADA = ("applications", 0)
BAD_DOCUMENTS = {
    "not an object": (lambda d: [], "top level: expected an object, found a list"),
    "unknown section": (
        lambda d: {**d, "aplications": []},
        "top level: unknown field 'aplications' "
        "(expected users, jobs, applications, closure_reasons)",
    ),
    "section not a list": (_set(("jobs",), {}), "top level: jobs must be a list, not an object"),
    "unknown job": (
        _set(("applications", 1, "job"), "J-9"),
        "applications[1] (ref A-2): unknown job 'J-9'",
    ),
    "unknown recruiter": (
        _set(("jobs", 0, "recruiter"), "nobody@example.com"),
        "jobs[0] (ref J-1): unknown recruiter 'nobody@example.com' "
        "(not in the file's users nor the database)",
    ),
    "unknown event actor": (
        _set((*ADA, "events", 1, "actor"), "who@example.com"),
        "applications[0] (ref A-1): events[1]: unknown user 'who@example.com' "
        "(not in the file's users nor the database)",
    ),
    "unknown stage": (
        _set((*ADA, "stage"), "Intervew"),
        "applications[0] (ref A-1): unknown stage 'Intervew' for job J-1 "
        "(its stages: Applied, Interview)",
    ),
    "duplicate user email": (
        _append("users", {"email": "RITA@example.com", "name": "R", "role": "admin"}),
        "users[2] (email RITA@example.com): duplicate email rita@example.com (also users[0])",
    ),
    "duplicate candidate in a job": (
        _set(("applications", 1, "candidate", "email"), "ADA@example.org"),
        "applications[1] (ref A-2): ada@example.org already has an application for J-1.",
    ),
    "duplicate application ref": (
        _set(("applications", 1, "ref"), "A-1"),
        "applications[1] (ref A-1): duplicate ref A-1 (also applications[0])",
    ),
    "duplicate stage name": (
        _set(("jobs", 0, "stages", 1, "name"), "Applied"),
        "jobs[0] (ref J-1): stages[1]: duplicate name 'Applied': names must differ within a job",
    ),
    "invalid status": (
        _set(("applications", 1, "status"), "open"),
        "applications[1] (ref A-2): Status 'open' is not one of active, hired, rejected, "
        "withdrawn.",
    ),
    "invalid role": (
        _set(("users", 1, "role"), "boss"),
        "users[1] (email mei@example.com): Role 'boss' is not one of admin, recruiter, manager.",
    ),
    "invalid email": (
        _set(("users", 1, "email"), "mei-at-example"),
        "users[1] (email mei-at-example): 'mei-at-example' is not a valid email address: "
        "An email address must have an @-sign.",
    ),
    "short password": (
        _set(("users", 1, "password"), "short"),
        "users[1] (email mei@example.com): The password needs at least 8 characters.",
    ),
    "bad date": (
        _set((*ADA, "reply_by"), "next week"),
        "applications[0] (ref A-1): reply_by: 'next week' is not a date (YYYY-MM-DD)",
    ),
    "bad time": (
        _set((*ADA, "events", 1, "at"), "yesterday"),
        "applications[0] (ref A-1): events[1]: at: 'yesterday' is not a date and time "
        "(e.g. 2026-03-02T09:30:00Z)",
    ),
    "wrong type": (
        _set(("jobs", 0, "title"), 42),
        "jobs[0] (ref J-1): title must be text, not a whole number",
    ),
    "missing candidate": (
        _set((*ADA, "candidate"), None),
        "applications[0] (ref A-1): candidate is required",
    ),
    "unknown field": (
        _set((*ADA, "stgae"), "Applied"),
        "applications[0] (ref A-1): unknown field 'stgae' (expected ref, job, candidate, stage,",
    ),
    "internal note made visible": (
        _append(
            "applications",
            {
                "ref": "A-3",
                "job": "J-1",
                "candidate": {"name": "Eve", "email": "eve@example.org"},
                "events": [{"at": "2026-11-02T09:00:00Z", "kind": "note", "visible": True}],
            },
        ),
        "applications[2] (ref A-3): A 'note' event is internal and cannot be visible to the "
        "candidate.",
    ),
    "rating out of range": (
        _set((*ADA, "feedback", 0, "rating"), 7),
        "applications[0] (ref A-1): Rating must be a whole number between 1 and 4.",
    ),
    "reply_by out of range": (
        _set((*ADA, "reply_by"), "0001-01-02"),
        "applications[0] (ref A-1): reply_by: '0001-01-02' is out of range (years 1970 to 2200)\n",
    ),
    "time before 1970 with an offset": (
        _set((*ADA, "created"), "0001-01-01T00:00:00+01:00"),
        "applications[0] (ref A-1): created: '0001-01-01T00:00:00+01:00' is out of range "
        "(years 1970 to 2200)\n",
    ),
    "time after 2200 with an offset": (
        _set((*ADA, "events", 1, "at"), "9999-12-31T23:59:59-01:00"),
        "applications[0] (ref A-1): events[1]: at: '9999-12-31T23:59:59-01:00' is out of "
        "range (years 1970 to 2200)\n",
    ),
    "stale_days absurd": (
        _set(("jobs", 0, "stale_days"), 10**30),
        "jobs[0] (ref J-1): Job J-1: stale days must be a whole number between 1 and 365 "
        "(or empty for the default).\n",
    ),
    "stale_days zero": (
        _set(("jobs", 0, "stale_days"), 0),
        "jobs[0] (ref J-1): Job J-1: stale days must be a whole number between 1 and 365",
    ),
    "closed before created": (
        _set(("applications", 1, "created"), "2026-11-06T09:00:00Z"),
        "applications[1] (ref A-2): It was closed (2026-11-05 16:00) before it was created "
        "(2026-11-06 09:00).\n",
    ),
    "closed without its date": (
        _set(("applications", 1, "closed"), None),
        "applications[1] (ref A-2): A rejected application needs the date and time it was "
        "closed.\n",
    ),
    "other .invalid address": (
        _set(("applications", 1, "candidate", "email"), "someone@erased.invalid"),
        "applications[1] (ref A-2): 'someone@erased.invalid' is not a valid email address",
    ),
    "erased form on another domain": (
        _set(("applications", 1, "candidate", "email"), "erased-1@elsewhere.invalid"),
        "applications[1] (ref A-2): 'erased-1@elsewhere.invalid' is not a valid email address",
    ),
    "unknown recommendation": (
        _set((*ADA, "feedback", 0, "recommendation"), "maybe"),
        "applications[0] (ref A-1): Recommendation must be one of strong_no, no, yes, strong_yes.",
    ),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_a_bad_document_is_named_in_one_line_and_nothing_is_imported(runner, tmp_path, case):
    mutate, message = BAD_DOCUMENTS[case]
    path = write(tmp_path, mutate(good()))
    before = counts()
    result = runner.invoke(cli, ["import", path])
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith(f"Error: {path}: {message}")
    assert "Traceback" not in result.output
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"users": [\n  {"email": "a@example.com",\n    "name" "A"}]}', "not valid JSON: "
         "Expecting ':' delimiter at line 3, column 12"),
        ("", "not valid JSON: Expecting value at line 1, column 1"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
        ('{"users": ' + "1" * 5000 + "}", "not valid JSON: Exceeds the limit (4300 digits) "
         "for integer string conversion"),
        ("[" * 100_000, "not valid JSON: lists or objects nested too deeply"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_json_is_named_with_line_and_column(runner, tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = runner.invoke(cli, ["import", str(path)])
    assert (result.exit_code, result.output) == (1, f"Error: {path}: {message}\n")


def test_a_missing_file_is_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["import", str(tmp_path / "nope.json")])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {tmp_path / 'nope.json'}: no such file\n",
    )


def test_a_job_without_stages_gets_the_default_pipeline(runner, tmp_path):
    document = good()
    del document["jobs"][0]["stages"]
    document["applications"] = []
    assert runner.invoke(cli, ["import", write(tmp_path, document)]).exit_code == 0
    job = Job.get(Job.ref == "J-1")
    assert [s.name for s in job.stages.order_by(Stage.position)] == [
        row[0] for row in domain.DEFAULT_PIPELINE
    ]


# --- CSV of candidates for one job ----------------------------------------------------


def csv_file(tmp_path, text: str) -> str:
    path = tmp_path / "candidates.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_adds_candidates_to_the_job_at_their_stage(runner, tmp_path, make_job):
    job = make_job(ref="J-7")
    path = csv_file(
        tmp_path,
        "\ufeffName,Email,Ref,Stage\n"
        "Ada Lovelace,ada@example.org,C-1,\n"
        '"Hopper, Grace",GRACE@example.org,,Interviews\n'
        "\n",
    )
    result = runner.invoke(cli, ["import", "--job", "J-7", path])
    assert (result.exit_code, result.stdout) == (
        0,
        f"Imported from {path}: 2 applications.\n",
    )
    rows = {a.candidate.email: a for a in job.applications}
    assert rows["ada@example.org"].ref == "C-1"
    assert rows["ada@example.org"].stage.position == 0
    assert rows["grace@example.org"].stage.name == "Interviews"
    assert rows["grace@example.org"].candidate.name == "Hopper, Grace"


def test_csv_twice_changes_nothing(runner, tmp_path, make_job):
    make_job(ref="J-7")
    path = csv_file(tmp_path, "name,email\nAda,ada@example.org\nGrace,grace@example.org\n")
    runner.invoke(cli, ["import", "--job", "J-7", path])
    before = counts()
    result = runner.invoke(cli, ["import", "--job", "J-7", path])
    assert result.stdout.splitlines() == [
        f"Imported from {path}: nothing new.",
        "Already there, left unchanged: 2 applications.",
    ]
    assert counts() == before


BAD_CSV = {
    "unknown column": ("name,email,phone\nAda,ada@example.org,1\n", "header: unknown column "
                       "'phone' (expected name,email and optionally ref,stage)"),
    "missing column": ("name\nAda\n", "header: the column 'email' is missing "
                       "(expected name,email[,ref][,stage])"),
    "empty file": ("", "header: the column 'name' is missing (expected name,email[,ref][,stage])"),
    "duplicate email": ("name,email\nAda,ada@example.org\nAda L,ADA@example.org\n",
                        "line 3: duplicate email ada@example.org (also line 2)"),
    "unknown stage": ("name,email,stage\nAda,ada@example.org,Onsite\n",
                      "line 2: unknown stage 'Onsite' for job J-7 (its stages: Applied, Screen, "
                      "Interviews, Decision, Offer)"),
    "invalid email": ("name,email\nAda,ada.example.org\n", "line 2: 'ada.example.org' is not a "
                      "valid email address: An email address must have an @-sign."),
    "missing name": ("name,email\nAda,a@example.org\n,b@example.org\n",
                     "line 3: Candidate name is required."),
    "wrong column count": ("name,email\nAda,a@example.org,extra\n",
                           "line 2: expected 2 columns, found 3"),
    "bad quoting": ('name,email\n"Ada,a@example.org\n', "line 2: unexpected end of data"),
    "bad quoting after a multi-line name": (
        'name,email\n"Ada\nLovelace",a@example.org\n"Grace,g@example.org\n',
        "line 4: unexpected end of data"),
    "line numbers count the lines of a quoted name": (
        'name,email\n"Ada\r\nLovelace",a@example.org\nGrace,grace.example.org\n',
        "line 4: 'grace.example.org' is not a valid email address: An email address must "
        "have an @-sign."),
    "duplicate ref": ("name,email,ref\nAda,a@example.org,C-1\n\nGrace,g@example.org,C-1\n",
                      "line 4: duplicate ref C-1 (also line 2)"),
    "ref of another job": ("name,email,ref\nAda,ada@example.org,OTHER-1\n",
                           "line 2: ref OTHER-1 is already taken by an application for job J-8"),
    "ref of another candidate": ("name,email,ref\nAda,ada@example.org,MINE-1\n",
                                 "line 2: ref MINE-1 is already taken by an application of "
                                 "grace@example.org, not ada@example.org"),
    "candidate there under another ref": (
        "name,email,ref\nGrace,grace@example.org,NEW-1\n",
        "line 2: grace@example.org already has an application for J-7 with ref MINE-1, not NEW-1"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_CSV)
def test_a_bad_csv_is_named_in_one_line_and_nothing_is_imported(runner, tmp_path, make_job, case):
    job = make_job(ref="J-7")
    domain.add_application(None, job, "Grace", "grace@example.org", ref="MINE-1")
    other = make_job(ref="J-8")
    domain.add_application(None, other, "Ada", "ada@example.org", ref="OTHER-1")
    text, message = BAD_CSV[case]
    path = csv_file(tmp_path, text)
    before = counts()
    result = runner.invoke(cli, ["import", "--job", "J-7", path])
    assert (result.exit_code, result.output) == (1, f"Error: {path}: {message}\n")
    assert counts() == before


def test_csv_names_may_span_lines_and_hold_any_separator(runner, tmp_path, make_job):
    """Only the csv module's own line ends split rows; a name's inner line ends become spaces."""
    job = make_job(ref="J-7")
    path = csv_file(
        tmp_path,
        'name,email\r\n"Ada\r\nLovelace",ada@example.org\r\n'
        "Grace\x1cHopper\u2028Jr,grace@example.org\r\n"
        "Alan\x85Turing,alan@example.org\r\n",
    )
    result = runner.invoke(cli, ["import", "--job", "J-7", path])
    assert (result.exit_code, result.output) == (0, f"Imported from {path}: 3 applications.\n")
    names = {a.candidate.email: a.candidate.name for a in job.applications}
    assert names == {
        "ada@example.org": "Ada Lovelace",
        "grace@example.org": "Grace Hopper Jr",
        "alan@example.org": "Alan Turing",
    }


def test_csv_rows_already_there_by_ref_are_left_alone(runner, tmp_path, make_job):
    job = make_job(ref="J-7")
    domain.add_application(None, job, "Ada", "ada@example.org", ref="C-1")
    path = csv_file(tmp_path, "name,email,ref\nAda,ADA@example.org,C-1\nGrace,g@example.org,\n")
    result = runner.invoke(cli, ["import", "--job", "J-7", path])
    assert result.stdout.splitlines() == [
        f"Imported from {path}: 1 application.",
        "Already there, left unchanged: 1 application.",
    ]


def test_csv_for_an_unknown_job(runner, tmp_path):
    path = csv_file(tmp_path, "name,email\nAda,ada@example.org\n")
    result = runner.invoke(cli, ["import", "--job", "J-404", path])
    assert (result.exit_code, result.output) == (1, f"Error: {path}: --job: unknown job 'J-404'\n")


def test_one_transaction_across_batches(runner, tmp_path, monkeypatch, make_job):
    """Applications are written a batch at a time; a collision in a later batch still
    leaves nothing of the earlier ones, and the error names the record in the file."""
    monkeypatch.setattr("portal.interchange.importer.FLUSH", 2)
    job = make_job(ref="J-1")
    domain.add_application(None, job, "Already Here", "here@example.org", ref="OLD-1")
    before = counts()
    document = {
        "applications": [
            {"ref": f"N-{n}", "job": "J-1", "candidate": {"name": "N", "email": f"n{n}@x.org"}}
            for n in range(5)
        ]
    }
    document["applications"][3]["candidate"]["email"] = "here@example.org"
    path = write(tmp_path, document)
    result = runner.invoke(cli, ["import", path])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {path}: applications[3] (ref N-3): here@example.org already has an "
        "application for J-1.\n",
    )
    assert counts() == before


@pytest.mark.parametrize("kind", ["note", "reason", "feedback", "link_sent", "anything_new"])
def test_only_moves_updates_and_closures_can_be_imported_visible(make_job, kind):
    job = make_job()
    stage = job.stages.first()
    with pytest.raises(Invalid, match="internal and cannot be visible"):
        restore_application(
            job,
            "Eve",
            "eve@example.org",
            ref="A-1",
            stage=stage,
            events=[{"kind": kind, "visible": True, "created": datetime(2026, 1, 5)}],
        )
    assert Application.select().count() == 0
