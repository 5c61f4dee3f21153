"""Faults: concurrent writers never see "database is locked", the mail server going away
loses no mail, and a database that becomes unreachable gives a clear 503 and the app
recovers by itself when it returns. Real gunicorn, SQLite, PostgreSQL and SMTP on
loopback; every run bounded in time."""

import os
import random
import shutil
import signal
import threading
import time
from pathlib import Path

import psycopg
import pytest
from helpers.admin_client import CONFIRMED
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.database import BACKEND
from helpers.database import PG_DSN
from helpers.factories import PASSWORD
from helpers.ports import free_port
from helpers.serving import Browser
from helpers.serving import environment
from helpers.serving import gunicorn

from portal import domain
from portal.candidates import links
from portal.cli import cli
from portal.store import db
from portal.store.models import Event
from portal.store.models import Mail

STAFF_DOWN = "We cannot reach our database just now."
CANDIDATE_DOWN = "We cannot show your page just now."


def page(application) -> str:
    return f"/admin/applications/{application.ref}/"


def post_update(browser: Browser, application, message: str, attempts: int = 60):
    """Post an update with the version the page showed, reloading on a conflict as a
    person would; (final status, conflicts, every status seen)."""
    seen = []
    _, _, html = browser.get(page(application))
    data = fill(form(html, "/update"), message=message) | CONFIRMED
    conflicts = 0
    for _ in range(attempts):
        status, _, html = browser.post(page(application) + "update", data)
        seen.append(status)
        if status != 409:
            return status, conflicts, seen, html
        conflicts += 1
        # the 409 page kept the text, with the new version
        data = fill(form(html, "/update")) | CONFIRMED
    return status, conflicts, seen, html


# --- concurrent writers -----------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_writers_never_see_database_is_locked(
    app, make_user, make_application, tmp_path
):
    recruiters = [make_user("recruiter") for _ in range(12)]
    targets = [make_application(name=f"Hot Seat {n}") for n in range(3)]
    tokens = [links.live(a).token for a in targets]
    log = tmp_path / "gunicorn.log"
    port = free_port()
    acknowledged, statuses, bodies = [], [], []
    # Eight seconds of writing from when every recruiter is signed in: neither the server's
    # start nor the sign-ins (password hashing, slow on a loaded machine) eat into it.
    deadline = []
    signed_in = threading.Barrier(
        len(recruiters), action=lambda: deadline.append(time.monotonic() + 8)
    )

    def writing() -> bool:
        return time.monotonic() < deadline[0]

    def recruiter(n, user):
        browser = Browser(port, client=f"198.51.100.{n + 1}")
        assert browser.login(user.email, PASSWORD) == 302
        signed_in.wait(120)
        serial = 0
        rng = random.Random(n)
        while writing():
            target = rng.choice(targets)
            message = f"writer {n} #{serial}"
            serial += 1
            status, _, seen, html = post_update(browser, target, message)
            statuses.extend(seen)
            if "database is locked" in html or status >= 500:
                bodies.append(html)
            if status == 302:
                acknowledged.append(message)

    def candidate(n):
        reader = Browser(port, client=f"203.0.113.{n + 1}", https=False)
        while not deadline:
            time.sleep(0.05)
        while writing():
            status, _, html = reader.get(f"/c/{tokens[n % len(tokens)]}/")
            statuses.append(status)
            if status != 200:
                bodies.append(html)

    with gunicorn(environment(app), port, workers=4, log=log):
        threads = [
            threading.Thread(target=recruiter, args=(n, u)) for n, u in enumerate(recruiters)
        ]
        threads += [threading.Thread(target=candidate, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    assert bodies == []
    assert not any(status >= 500 for status in statuses)
    assert "database is locked" not in log.read_text()
    stored = {e.message for e in Event.select(Event.message).where(Event.kind == "update")}
    assert len(acknowledged) > 20 and set(acknowledged) <= stored  # no acknowledged write lost
    assert len(stored) == len(acknowledged)  # and none that was refused


# --- the mail server goes away ------------------------------------------------------------


def test_mail_queued_while_the_smtp_server_is_away_is_delivered_when_it_returns(
    app, runner, smtp_server, make_application
):
    applications = [make_application(name=f"Mail Person {n}") for n in range(6)]
    stopped = threading.Event()

    def stop_midway():
        # Take the server down while the app is sending: after a few deliveries.
        while len(smtp_server.messages) < 4:
            time.sleep(0.005)
        smtp_server.stop()
        stopped.set()

    killer = threading.Thread(target=stop_midway)
    killer.start()
    for round_ in range(5):
        for application in applications:
            domain.post_update(None, application, application.version, f"news {round_}")
    killer.join(30)
    assert stopped.is_set()
    queued = {m.id for m in Mail.select()}
    assert len(queued) == 30
    unsent_while_down = Mail.select().where(Mail.sent.is_null()).count()
    assert unsent_while_down > 0  # the outage really cost deliveries

    smtp_server.start()
    result = runner.invoke(cli, ["send"])
    assert result.exit_code == 0, result.output
    assert Mail.select().where(Mail.sent.is_null()).count() == 0
    ids = {mail.message_id: mail.id for mail in Mail.select()}
    delivered = [ids[message["Message-ID"]] for message in smtp_server.messages]
    assert set(delivered) == queued  # nothing lost
    # At most the one mail in flight when the server died can arrive twice.
    assert len(delivered) - len(set(delivered)) <= 1


# --- the database goes away -----------------------------------------------------------------


def _pg_admin():
    connection = psycopg.connect(PG_DSN + "/postgres", connect_timeout=3, autocommit=True)
    return connection


class PostgresOutage:
    """Refuse new connections to the test database and end the open ones."""

    def __init__(self, url: str):
        self.name = url.rsplit("/", 1)[1]

    def start(self, port: int) -> None:
        with _pg_admin() as admin, admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (self.name,),
            )

    def end(self) -> None:
        with _pg_admin() as admin, admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')


class SqliteOutage:
    """Move the database file away (a volume unmounted, a file moved by mistake). Open
    connections keep the file they had, so the workers are restarted, as a deploy or a
    crash would, and every new connection finds nothing."""

    def __init__(self, url: str, aside: Path):
        self.path = Path(url.removeprefix("sqlite:///"))
        self.aside = aside
        aside.mkdir()

    def files(self):
        return [self.path.with_name(self.path.name + suffix) for suffix in ("", "-wal", "-shm")]

    def start(self, master_pid: int) -> None:
        for path in self.files():
            if path.exists():
                shutil.move(path, self.aside / path.name)
        os.kill(master_pid, signal.SIGHUP)  # new workers, new connections

    def end(self) -> None:
        assert not self.path.exists(), "the app created a database in place of the missing one"
        for path in self.files():
            if (self.aside / path.name).exists():
                shutil.move(self.aside / path.name, path)


def wait_for(check, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_an_unreachable_database_is_a_clear_503_and_the_app_recovers_alone(
    app, database_url, make_user, make_application, tmp_path
):
    user = make_user("recruiter", name="Rita Outage")
    application = make_application(name="Olive Outage")
    token = links.live(application).token
    if BACKEND == "postgres":
        outage = PostgresOutage(database_url)
    else:
        outage = SqliteOutage(database_url, tmp_path / "aside")
    port = free_port()
    staff = Browser(port)
    visitor = Browser(port, client="203.0.113.50", https=False)
    with gunicorn(environment(app), port, workers=2, log=tmp_path / "gunicorn.log") as server:
        assert staff.login(user.email, PASSWORD) == 302
        status, _, before = staff.get(page(application))
        assert status == 200
        update = fill(form(before, "/update"), message="written while it was down") | CONFIRMED
        db.database.close_all()  # the test's own connections must not hold the database
        outage.start(server.pid)
        try:
            # Every worker sees it (during a restart, old workers answer for a moment).
            down = lambda: all(staff.get("/healthz")[0] == 503 for _ in range(8))  # noqa: E731
            assert wait_for(down), "the outage never showed"
            status, _, health = staff.get("/healthz")
            assert health == '{"database":"unreachable","status":"error"}\n'
            for path in ("/admin/", page(application), "/login"):
                status, _, html = staff.get(path)
                assert (status, STAFF_DOWN in html) == (503, True), path
            status, _, html = staff.post(page(application) + "update", update)
            assert (status, STAFF_DOWN in html) == (503, True)
            status, headers, html = visitor.get(f"/c/{token}/")
            assert (status, CANDIDATE_DOWN in html) == (503, True)
            assert headers["Referrer-Policy"] == "no-referrer"
        finally:
            outage.end()
        # No restart: the same workers answer again once the database is back.
        assert wait_for(lambda: staff.get("/healthz")[0] == 200), "the app did not recover"
        assert staff.get(page(application))[0] == 200
        assert visitor.get(f"/c/{token}/")[0] == 200
        status, _, _ = staff.post(page(application) + "update", update)
        assert status == 302
        assert server.poll() is None
    db.database.close_all()
    assert Event.get(Event.message == "written while it was down").kind == "update"
