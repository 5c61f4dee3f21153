"""`portal import --sync`: a later file from another system moves, closes, reopens and
corrects the applications already here, each through the domain as in the admin (its
event, its email), and syncing the same file again changes nothing."""

import json

import pytest

from portal.cli import cli
from portal.mail import queue as mail
from portal.store.models import Application
from portal.store.models import Event


@pytest.fixture
def file(runner, tmp_path, make_application, make_job, make_user):
    job = make_job(title="Analyst", ref="J-AN", recruiter=make_user("recruiter"))
    for n, name in enumerate(("Ada Byron", "Bo Chen", "Cy Diaz")):
        make_application(job=job, name=name, email=f"c{n}@example.org", ref=f"A-{n}")
    Application.update(status="rejected", closure_note="Dear Cy, no.").where(
        Application.ref == "A-2"
    ).execute()
    result = runner.invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)

    def write(change) -> str:
        for application in document["applications"]:
            change(application)
        path = tmp_path / "later.json"
        path.write_text(json.dumps(document))
        return str(path)

    return write


def later(application):
    """What the other system says now: A-0 moved on, A-1 rejected, A-2 back in play."""
    if application["ref"] == "A-0":
        application["stage"] = "Interviews"
        application["candidate"]["name"] = "Ada King"
    if application["ref"] == "A-1":
        application["status"] = "rejected"
        application["closure_reason"] = "role_filled"
        application["closure_note"] = ""
    if application["ref"] == "A-2":
        application["status"] = "active"
        application["stage"] = "Screen"


def state(ref):
    a = Application.get(Application.ref == ref)
    return a.status, a.stage.name, a.candidate.name


def test_sync_applies_the_files_changes_as_domain_operations(runner, file, smtp_server):
    path = file(later)
    result = runner.invoke(cli, ["import", "--sync", path])
    assert result.exit_code == 0, result.output
    assert "Brought up to date from the file: 3 applications." in result.output
    assert state("A-0") == ("active", "Interviews", "Ada King")
    assert state("A-1")[0] == "rejected"
    assert Application.get(Application.ref == "A-1").closure_reason.code == "role_filled"
    assert state("A-2")[:2] == ("active", "Screen")
    kinds = {e.kind for e in Event.select().where(Event.created > Event.select().first().created)}
    assert {"moved", "closed", "reopened"} <= kinds
    mail.send_pending(wait=True)
    told = {m["To"] for m in smtp_server.messages}
    assert {"c0@example.org", "c1@example.org", "c2@example.org"} <= told
    rejected = [m for m in smtp_server.messages if m["To"] == "c1@example.org"][-1]
    assert "offered the role to another candidate" in rejected.get_body(("plain",)).get_content()
    # The same file again: nothing more happens.
    events = Event.select().count()
    again = runner.invoke(cli, ["import", "--sync", path])
    assert again.exit_code == 0 and "Brought up to date" not in again.output
    assert Event.select().count() == events


def test_without_sync_the_records_here_are_left_alone(runner, file):
    result = runner.invoke(cli, ["import", file(later)])
    assert result.exit_code == 0 and "1 job, 3 applications." in result.output
    assert state("A-0") == ("active", "Applied", "Ada Byron")


def test_a_bad_change_stops_the_sync_and_nothing_is_applied(runner, file):
    def bad(application):
        later(application)
        if application["ref"] == "A-2":
            application["job"] = "J-ELSEWHERE"

    result = runner.invoke(cli, ["import", "--sync", file(bad)])
    assert result.exit_code == 1
    assert "applications[2] (ref A-2)" in result.output and "stays in its job" in result.output
    assert state("A-0") == ("active", "Applied", "Ada Byron")  # all or nothing


def test_sync_is_for_json_only(runner, tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text("name,email\nAda,ada@example.org\n")
    result = runner.invoke(cli, ["import", "--sync", "--job", "J-1", str(csv)])
    assert result.exit_code != 0 and "--sync is for a JSON file" in result.output
