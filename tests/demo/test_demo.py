"""`portal demo`: a realistic data set, loaded twice without harm, only in demo mode."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import time_machine
from helpers.database import BACKEND
from helpers.database import PG_DSN

from portal import dates
from portal.cli import cli
from portal.clock import local_date
from portal.clock import now
from portal.clock import today
from portal.demo.data import PASSWORD
from portal.demo.data import USERS
from portal.followup import managers
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Interview
from portal.store.models import Job
from portal.store.models import User


@pytest.fixture
def demo(app, runner):
    """Run `portal demo` as `make demo` does (PORTAL_DEMO=1)."""
    app.config["DEMO"] = True

    def run():
        return runner.invoke(cli, prog_name="portal", args=["demo"])

    return run


def test_demo_prints_every_login_and_twice_changes_nothing(demo):
    first = demo()
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("Demo data loaded: 4 jobs, 40 applications.\n")
    assert f"password {PASSWORD!r}" in first.stdout
    for email, name, role in USERS:
        assert f"  {role}" in first.stdout and email in first.stdout and name in first.stdout
    counts = [Model.select().count() for Model in (User, Job, Application, Event, Feedback)]
    second = demo()
    assert second.exit_code == 0
    assert second.stdout.startswith("Demo data already there: nothing changed.\n")
    assert second.stdout.splitlines()[1:] == first.stdout.splitlines()[1:]
    assert [Model.select().count() for Model in (User, Job, Application, Event, Feedback)] == counts


@time_machine.travel("2026-11-25 12:00 +0000")  # a Wednesday: something is due today
def test_demo_covers_every_part_of_a_hiring_process(demo):
    demo()
    applications = list(Application.select())
    assert len(applications) == 40 and Job.select().count() == 4
    statuses = Counter(a.status for a in applications)
    assert statuses["active"] >= 25 and all(statuses[s] for s in ("hired", "rejected", "withdrawn"))
    stages = {(a.job_id, a.stage_id) for a in applications}
    assert len(stages) >= 16  # spread over the pipelines, not piled at the start
    due = Counter(
        "overdue" if a.reply_by < today() else "due" if a.reply_by == today() else "later"
        for a in applications
        if a.is_active
    )
    assert min(due["overdue"], due["due"], due["later"]) >= 4, due
    kinds = Counter(e.kind for e in Event.select())
    assert min(kinds["update"], kinds["note"], kinds["moved"], kinds["feedback"]) > 0
    assert all(a.closure_note and a.closed_reason for a in applications if not a.is_active)


@pytest.mark.parametrize(
    ("moment", "country", "zone"),
    [
        ("2026-11-28 12:00 +0000", "GB-ENG", "Europe/London"),  # a Saturday
        ("2026-12-28 12:00 +0000", "GB-ENG", "Europe/London"),  # a bank holiday Monday
        ("2026-11-27 08:00 +0000", "IL", "Asia/Jerusalem"),  # Friday, the weekend there
        ("2026-11-26 20:00 +0000", "US", "America/Los_Angeles"),  # Thanksgiving, UTC-8
        ("2026-03-03 01:00 +0000", "CN", "Asia/Shanghai"),  # after the Spring Festival
    ],
)
def test_demo_history_falls_on_business_days(app, demo, moment, country, zone):
    """Every date the demo makes is a business day of the company's calendar, in its zone:
    applications, moves, updates, notes, feedback, closures and every reply-by."""
    app.config.update(HOLIDAY_COUNTRY=country, TIMEZONE=zone)
    with time_machine.travel(moment):
        assert demo().exit_code == 0
        days = {
            "application": [local_date(a.created) for a in Application.select()],
            "closure": [local_date(a.closed) for a in Application.select() if a.closed],
            "reply-by": [a.reply_by for a in Application.select() if a.reply_by],
            "event": [local_date(e.created) for e in Event.select()],
            "promise": [e.reply_by for e in Event.select() if e.reply_by],
            "feedback": [local_date(f.created) for f in Feedback.select()],
        }
        off = {
            kind: [d for d in found if not dates.is_business_day(d)] for kind, found in days.items()
        }
        assert all(days.values()) and off == {kind: [] for kind in days}
        assert all(local_date(e.created) < today() for e in Event.select())


@time_machine.travel("2026-11-25 12:00 +0000")
def test_a_demo_manager_has_one_scorecard_to_write_and_one_decision_waiting(demo, client, auth):
    """One interview is over (the last business day) without its manager's scorecard:
    Mei's home shows it owed and its candidate waiting; every other interview is to come."""
    demo()
    mei = User.get(User.email == "manager@example.com")
    owed = managers.owed_feedback(mei, today())
    assert [(row.application.ref, row.stage.name) for row in owed] == [("A-1006", "Pairing")]
    assert [row.application.ref for row in managers.awaiting_decision(mei)] == ["A-1006"]
    over = Interview.select().where(Interview.ends < now())
    assert [i.id for i in over] == [owed[0].interview.id]  # the rest are still to come
    auth.login(mei, PASSWORD)
    home = client.get("/admin/").text
    assert "1 scorecard to write · 1 candidate waiting for a decision" in home
    jonas = User.get(User.email == "manager2@example.com")
    assert managers.owed_feedback(jonas, today()) == []


def test_demo_keeps_internal_things_internal(demo):
    demo()
    internal = Event.select().where(Event.kind.in_(["note", "reason", "feedback"]))
    assert internal.count() > 0 and not any(e.visible for e in internal)
    for card in Feedback.select():
        assert card.application.job.managed_by(card.author)


@pytest.mark.parametrize(("email", "name", "role"), USERS)
def test_every_demo_login_works(demo, auth, email, name, role):
    demo()
    response = auth.login(User.get(User.email == email), PASSWORD)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def test_demo_refuses_outside_demo_mode(app, runner):
    app.config["DEMO"] = False
    result = runner.invoke(cli, prog_name="portal", args=["demo"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: portal demo creates accounts with published passwords")
    assert len(result.output.splitlines()) == 1 and User.select().count() == 0


@pytest.fixture
def fresh_url(tmp_path):
    """A database with no tables at all, on the backend under test."""
    if BACKEND != "postgres":
        yield f"sqlite:///{tmp_path / 'fresh' / 'demo.sqlite3'}"
        return
    name = f"portal_fresh_{os.getpid()}"
    admin = psycopg.connect(PG_DSN + "/postgres", autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    yield f"{PG_DSN}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def test_make_demo_twice_on_a_fresh_database(fresh_url):
    """What `make demo` runs, with the real console script, on a database without tables."""
    env = {**os.environ, "PORTAL_DATABASE_URL": fresh_url, "PORTAL_DEMO": "1"}
    env.pop("PORTAL_SECRET_KEY", None)
    portal = str(Path(sys.executable).parent / "portal")
    runs = [
        subprocess.run([portal, "demo"], capture_output=True, text=True, env=env, timeout=120)
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    assert runs[0].stdout.startswith("Demo data loaded: 4 jobs, 40 applications.")
    assert runs[1].stdout.startswith("Demo data already there")
    assert "admin@example.com" in runs[1].stdout
