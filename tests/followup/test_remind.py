"""`portal remind`: the dry run's lines, the digests' content, once a day, auto-closure."""

from datetime import date

import pytest
import time_machine
from helpers.factories import promise
from helpers.factories import stage

from portal import domain
from portal.domain import default_reasons
from portal.domain import reasons
from portal.followup.cli import remind_command
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail
from portal.store.models import Reminder

WEDNESDAY = "2026-12-09 07:00 +0000"  # Wednesday 9 December 2026, before work


def remind(runner, *args):
    return runner.invoke(remind_command, list(args))


STAFF = ("rita@example.com", "sam@example.com", "mo@example.com", "pat@example.com")


def digests(smtp_server) -> list:
    """What the SMTP server received for staff (candidates get their own notices)."""
    return [m for m in smtp_server.messages if m["To"] in STAFF]


def queued_digests() -> int:
    return Mail.select().where(Mail.kind.startswith("digest")).count()


@pytest.fixture
def owed(smtp_server, make_user, make_job, make_application):
    """Rita owes word on three applications, Sam on one; Mo owes feedback on one interview."""
    rita = make_user("recruiter", name="Rita Reyes", email="rita@example.com")
    sam = make_user("recruiter", name="Sam Stone", email="sam@example.com")
    mo = make_user("manager", name="Mo Mensah", email="mo@example.com")
    pat = make_user("manager", name="Pat Park", email="pat@example.com")
    design = make_job(title="Designer", ref="J-DES", recruiter=rita, managers=[mo, pat])
    ops = make_job(title="Operator", ref="J-OPS", recruiter=sam)
    with time_machine.travel("2026-11-02 10:00 +0000", tick=False) as traveller:
        forgotten = promise(
            make_application(job=design, name="Fen Forgot", ref="A-1"), date(2026, 11, 20)
        )
        late = promise(make_application(job=design, name="Lee Late", ref="A-2"), date(2026, 12, 1))
        soon = promise(make_application(job=design, name="Sol Soon", ref="A-3"), date(2026, 12, 10))
        promise(make_application(job=design, name="Tim Later", ref="A-4"), date(2026, 12, 14))
        other = promise(make_application(job=ops, name="Oda Other", ref="A-5"), date(2026, 12, 8))
        closed = promise(
            make_application(job=design, name="Cy Closed", ref="A-6"), date(2026, 11, 2)
        )
        domain.close(None, closed, closed.version, "withdrawn", "")
        interviewed = make_application(job=design, name="Ivy Interviewed", ref="A-7")
        interviewed = promise(interviewed, date(2026, 12, 11))
        traveller.move_to("2026-12-07 10:00 +0000")
        domain.move(None, interviewed, stage(design, "Interviews"), interviewed.version)
        interviewed = Application.get_by_id(interviewed.id)
        traveller.move_to("2026-12-08 10:00 +0000")
        domain.move(
            None,
            interviewed,
            stage(design, "Decision"),
            interviewed.version,
            reply_by=date(2026, 12, 14),
        )
        domain.submit_feedback(pat, interviewed, stage(design, "Interviews"), 3, "yes")
    return locals()


@time_machine.travel(WEDNESDAY, tick=False)
def test_dry_run_prints_one_line_per_overdue_application_and_sends_nothing(
    runner, owed, smtp_server
):
    received, queued = len(smtp_server.messages), Mail.select().count()
    result = remind(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "A-1\t2026-11-20\t13 business days overdue\tJ-DES\trita@example.com\tproposed for closure",
        "A-2\t2026-12-01\t6 business days overdue\tJ-DES\trita@example.com",
        "A-5\t2026-12-08\t1 business day overdue\tJ-OPS\tsam@example.com",
    ]
    assert "3 overdue as of 2026-12-09; nothing sent." in result.output
    assert Mail.select().count() == queued and Reminder.select().count() == 0
    assert len(smtp_server.messages) == received


@time_machine.travel(WEDNESDAY, tick=False)
@pytest.mark.parametrize(
    ("as_of", "refs"),
    [
        ("2026-11-23", ["A-1"]),  # the 20th had passed, nothing else had
        ("2026-12-02", ["A-1", "A-2"]),
        ("2026-12-15", ["A-1", "A-2", "A-5", "A-3", "A-4", "A-7"]),  # ties by age
    ],
)
def test_dry_run_as_of_another_day(runner, owed, as_of, refs):
    result = remind(runner, "--dry-run", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == refs


@time_machine.travel(WEDNESDAY, tick=False)
def test_dry_run_says_when_there_is_no_promise(runner, make_application):
    application = make_application(ref="A-9")
    Application.update(reply_by=None).where(Application.id == application.id).execute()
    result = remind(runner, "--dry-run")
    assert result.stdout.startswith("A-9\tnone\tno reply-by date\t")


@time_machine.travel(WEDNESDAY, tick=False)
def test_the_dry_run_never_says_due_today_for_a_date_that_has_passed(
    runner, owed, make_application
):
    friday = promise(make_application(job=owed["ops"], ref="A-8"), date(2026, 12, 11))
    result = remind(runner, "--dry-run", "--as-of", "2026-12-12")  # Saturday
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line for line in result.stdout.splitlines()}
    assert lines[friday.ref].split("\t")[2] == "overdue since Friday 11 December"
    assert "due today" not in result.stdout


@time_machine.travel(WEDNESDAY, tick=False)
def test_as_of_without_dry_run_is_a_usage_error_that_changes_nothing(
    app, runner, owed, smtp_server
):
    app.config["AUTO_CLOSE_DAYS"] = 12
    received, queued = len(smtp_server.messages), Mail.select().count()
    result = remind(runner, "--as-of", "2027-06-01")
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: --as-of only goes with --dry-run: a real run is as of today."]
    assert Application.select().where(Application.status != "active").count() == 1
    assert Reminder.select().count() == 0 and Mail.select().count() == queued
    assert len(smtp_server.messages) == received


@pytest.mark.parametrize("bad", ["9 December", "2026-13-01", "tomorrow"])
def test_a_bad_as_of_date_is_one_line_and_exit_code_2(runner, bad):
    result = remind(runner, "--dry-run", "--as-of", bad)
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output


@time_machine.travel(WEDNESDAY, tick=False)
def test_each_recruiter_gets_a_digest_of_what_they_owe(runner, owed, smtp_server):
    result = remind(runner)
    assert result.exit_code == 0, result.output
    mails = {m["To"]: m for m in digests(smtp_server)}
    assert set(mails) == {"rita@example.com", "sam@example.com", "mo@example.com"}

    rita = mails["rita@example.com"]
    assert rita["Subject"] == "3 candidates owed word, some proposed for closure"
    text = rita.get_body(("plain",)).get_content()
    assert text.startswith("Hello Rita,")
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines == [
        "- Fen Forgot, Designer (A-1), at Applied: 13 business days overdue "
        "(promised by Friday 20 November); proposed for closure",
        "- Lee Late, Designer (A-2), at Applied: 6 business days overdue "
        "(promised by Tuesday 1 December)",
        "- Sol Soon, Designer (A-3), at Applied: due next business day "
        "(promised by Thursday 10 December)",
    ]
    for not_owed in ("Oda Other", "Tim Later", "Cy Closed", "Ivy Interviewed"):
        assert not_owed not in text  # Sam's; due Monday; closed; due Monday
    assert "https://jobs.example.com/admin/followup/?recruiter=" in text
    html = rita.get_body(("html",)).get_content()
    assert "Fen Forgot" in html and "13 business days overdue" in html

    sam = mails["sam@example.com"].get_body(("plain",)).get_content()
    assert "Oda Other" in sam and "Fen Forgot" not in sam


@time_machine.travel(WEDNESDAY, tick=False)
def test_managers_get_the_feedback_they_owe_for_interviews_that_are_over(runner, owed, smtp_server):
    remind(runner)
    mails = {m["To"]: m for m in digests(smtp_server)}
    assert "pat@example.com" not in mails  # Pat gave feedback
    mo = mails["mo@example.com"]
    assert mo["Subject"] == "Feedback owed on 1 interview"
    text = mo.get_body(("plain",)).get_content()
    assert "- Ivy Interviewed, Designer (A-7), Interviews: " in text
    assert "https://jobs.example.com/admin/applications/A-7/" in text
    assert "Lee Late" not in text  # not interviewed yet


@time_machine.travel(WEDNESDAY, tick=False)
def test_running_twice_on_the_same_day_sends_nothing_new(runner, owed, smtp_server):
    first = remind(runner)
    assert "queued 3 digest(s), 0 already sent that day" in first.output
    assert len(digests(smtp_server)) == 3
    received = len(smtp_server.messages)
    second = remind(runner)
    assert second.exit_code == 0, second.output
    assert "queued 0 digest(s), 3 already sent that day" in second.output
    assert len(smtp_server.messages) == received and queued_digests() == 3
    assert Reminder.select().count() == 3
    # The next day is another day.
    with time_machine.travel("2026-12-10 07:00 +0000", tick=False):
        third = remind(runner)
    assert "queued 3 digest(s)" in third.output and len(digests(smtp_server)) == 6


@time_machine.travel(WEDNESDAY, tick=False)
def test_nobody_owes_anything_nothing_is_sent(runner, make_application):
    make_application()  # reply-by five business days away
    result = remind(runner)
    assert result.exit_code == 0
    assert "queued 0 digest(s)" in result.output and queued_digests() == 0


@time_machine.travel(WEDNESDAY, tick=False)
def test_automatic_closure_only_when_turned_on(app, runner, owed, smtp_server):
    remind(runner)
    assert Application.get(Application.ref == "A-1").status == "active"
    Reminder.delete().execute()  # so that the run below sends again today
    app.config["AUTO_CLOSE_DAYS"] = 12
    result = remind(runner)
    assert "closed 1 automatically" in result.output
    closed = Application.get(Application.ref == "A-1")
    assert closed.status == "rejected"
    assert closed.closure_note.startswith("Dear Fen,")
    assert Event.get((Event.application == closed.id) & (Event.kind == "closed")).visible
    # Counted under the system's own reason, never told and never offered to staff.
    assert closed.closure_reason.code == default_reasons.AUTO_CLOSED
    assert not closed.closure_reason.tellable
    assert default_reasons.AUTO_CLOSED not in [r.code for r in reasons.offered()]
    assert Application.get(Application.ref == "A-2").status == "active"
    # The candidate is told, as for any closure.
    told = [m for m in smtp_server.messages if m["To"] == closed.candidate.email]
    assert told and "Dear Fen," in told[-1].get_body(("plain",)).get_content()


def test_automatic_closure_shorter_than_the_proposal_is_refused(app, runner, owed):
    app.config["AUTO_CLOSE_DAYS"] = 3
    result = remind(runner)
    assert result.exit_code == 1
    assert "AUTO_CLOSE_DAYS (3) must be longer than STALE_DAYS (10)" in result.output


@time_machine.travel(WEDNESDAY, tick=False)
def test_an_inactive_recruiters_candidates_go_to_the_active_admins(
    runner, owed, make_user, smtp_server
):
    ada = make_user("admin", name="Ada Admin", email="ada@example.com")
    make_user("admin", name="Old Admin", email="old@example.com", active=False)
    owed["sam"].active = False
    owed["sam"].save()
    result = remind(runner)
    assert result.exit_code == 0, result.output
    to = {m["To"]: m for m in smtp_server.messages}
    assert "sam@example.com" not in to and "old@example.com" not in to
    text = to[ada.email].get_body(("plain",)).get_content()
    assert text.startswith("Hello Ada,")
    assert [line for line in text.splitlines() if line.startswith("- ")] == [
        "- Oda Other, Operator (A-5), at Applied: 1 business day overdue, owed by Sam Stone, "
        "who is no longer active (promised by Tuesday 8 December)"
    ]
    assert "https://jobs.example.com/admin/followup/\r\n" in text  # the whole queue, not Ada's
    html = to[ada.email].get_body(("html",)).get_content()
    assert "owed by Sam Stone, who is no longer active" in html
    rita = to["rita@example.com"].get_body(("plain",)).get_content()
    assert "Oda Other" not in rita  # Rita is a recruiter, not an admin
    # Once a day, as for everyone else.
    received = len(smtp_server.messages)
    again = remind(runner)
    assert "queued 0 digest(s)" in again.output and len(smtp_server.messages) == received


@time_machine.travel(WEDNESDAY, tick=False)
def test_an_admin_who_recruits_gets_their_own_and_the_inactive_recruiters_in_one_digest(
    runner, owed, make_user, make_job, make_application, smtp_server
):
    ada = make_user("admin", name="Ada Admin", email="ada@example.com")
    own = make_job(title="Analyst", ref="J-ANA", recruiter=ada)
    promise(make_application(job=own, name="Abe Analyst", ref="A-9"), date(2026, 12, 4))
    owed["rita"].active = False
    owed["rita"].save()
    result = remind(runner)
    assert "queued 3 digest(s)" in result.output  # Ada, Sam, Mo
    mails = [m for m in smtp_server.messages if m["To"] == ada.email]
    assert len(mails) == 1
    text = mails[0].get_body(("plain",)).get_content()
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert [line.split(",")[0] for line in lines] == [
        "- Fen Forgot",
        "- Lee Late",
        "- Abe Analyst",
        "- Sol Soon",
    ]
    assert "owed by Rita Reyes, who is no longer active" in lines[0]
    assert "no longer active" not in lines[2]
