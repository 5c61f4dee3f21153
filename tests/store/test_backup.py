"""`portal backup FILE` and `portal restore FILE`: a consistent copy while writers are
busy, and a restore that gives back exactly what was copied."""

import os
import shutil
import sqlite3
import subprocess
import threading
import time
from urllib.parse import urlsplit

import psycopg
import pytest
from helpers.database import BACKEND
from helpers.database import PG_DSN
from helpers.files import live_database_spellings

from portal import domain
from portal.cli import cli
from portal.privacy import actions as privacy
from portal.store import backup
from portal.store import db
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Event

only_sqlite = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's backup API")
only_postgres = pytest.mark.skipif(BACKEND != "postgres", reason="pg_dump and pg_restore")


def state() -> list[tuple]:
    """What a restore must give back: every application with its version and history."""
    return [
        (a.ref, a.version, a.status, a.candidate.email, a.events.count())
        for a in Application.select().order_by(Application.ref)
    ]


def test_backup_then_restore_gives_back_exactly_that_moment(runner, make_application, tmp_path):
    kept = [make_application(name=f"Person {n}") for n in range(3)]
    before = state()
    target = tmp_path / "backup.db"
    made = runner.invoke(cli, ["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"Backed up the database to {target} (")
    domain.post_update(None, kept[0], kept[0].version, "after the backup")
    domain.add_application(None, kept[0].job, "Late Comer", "late@example.org")
    assert state() != before

    refused = runner.invoke(cli, ["restore", str(target)], input="n\n")
    assert refused.exit_code == 1 and state() != before
    restored = runner.invoke(cli, ["restore", str(target)], input="y\n")
    assert restored.exit_code == 0, restored.output
    assert "Restored the database from" in restored.output
    db.database.close_all()  # the pool's connections see the restored tables afresh
    assert state() == before


def test_a_restore_does_not_bring_back_whoever_was_erased_since(runner, make_application, tmp_path):
    erased, other = make_application(name="Erin Erased"), make_application(name="Otto Kept")
    target = tmp_path / "backup.db"
    assert runner.invoke(cli, ["backup", str(target)]).exit_code == 0
    privacy.erase_candidate(None, erased.candidate)
    restored = runner.invoke(cli, ["restore", "--yes", str(target)])
    assert restored.exit_code == 0, restored.output
    assert "Erased 1 person(s) or application(s) again" in restored.output
    db.database.close_all()
    names = {c.name for c in Candidate.select()}
    assert "Erin Erased" not in names and "Otto Kept" in names
    assert Application.get_by_id(other.id).candidate.name == "Otto Kept"


def test_backup_errors_are_one_line(runner, app, tmp_path):
    missing = runner.invoke(cli, ["backup", str(tmp_path / "no" / "such" / "dir.db")])
    assert missing.exit_code == 1
    assert missing.output.startswith("Error: ") and len(missing.output.splitlines()) == 1
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    restored = runner.invoke(cli, ["restore", "--yes", str(junk)])
    assert restored.exit_code == 1 and len(restored.output.splitlines()) == 1
    assert restored.output.startswith("Error: ")


@only_sqlite
def test_backup_refuses_to_overwrite_the_live_database(runner, app, database_url, tmp_path):
    """However FILE is spelled: through "..", a symlink, or as one of SQLite's own files
    beside it (replacing the -wal under a running app gives "disk I/O error")."""
    for spelling in live_database_spellings(database_url, tmp_path):
        result = runner.invoke(cli, ["backup", spelling])
        assert result.output == (
            f"Error: {spelling} is the live database or one of its files; choose another path.\n"
        )


#: Each update bumps the version and writes its event in one transaction: in a
#: consistent copy the two always agree.
VERSIONS = (
    "SELECT a.version, (SELECT COUNT(*) FROM event e WHERE e.application_id = a.id "
    "AND e.kind = 'update') FROM application a"
)


def rows_of_copy(path, tmp_path) -> list[tuple]:
    """(version, updates) per application, read from a backup file."""
    if BACKEND == "sqlite":
        copy = sqlite3.connect(path)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            return copy.execute(VERSIONS).fetchall()
        finally:
            copy.close()
    name = f"portal_copy_{os.getpid()}_{path.stem.replace('-', '_')}"
    admin = psycopg.connect(PG_DSN + "/postgres", autocommit=True)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        url = f"{PG_DSN}/{name}"
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}", str(path)], check=True)
        with psycopg.connect(url) as copy, copy.cursor() as cursor:
            cursor.execute(VERSIONS)
            rows = cursor.fetchall()
        copy.close()
        return rows
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_backups_taken_under_concurrent_writes_are_each_one_moment(
    app, runner, make_application, tmp_path
):
    applications = [make_application(name=f"Writer Target {n}") for n in range(4)]
    stop = threading.Event()
    errors = []

    def write(application):
        with app.app_context():
            current = Application.get_by_id(application.id)
            while not stop.is_set():
                try:
                    with db.database.connection_context():
                        domain.post_update(None, current, current.version, "busy")
                except domain.Conflict:
                    current = Application.get_by_id(application.id)
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    errors.append(repr(error))
                    return

    threads = [threading.Thread(target=write, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    try:
        copies = []
        for n in range(4):
            time.sleep(0.3)  # let the writers write between copies
            target = tmp_path / f"copy-{n}.db"
            result = runner.invoke(cli, ["backup", str(target)])
            assert result.exit_code == 0, result.output
            copies.append(target)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert errors == []
    counts = []
    for target in copies:
        rows = rows_of_copy(target, tmp_path)
        assert all(version == 1 + updates for version, updates in rows), rows
        counts.append(sum(updates for _, updates in rows))
    assert counts == sorted(counts) and counts[-1] > counts[0]  # writes went on throughout
    assert Event.select().where(Event.kind == "update").count() >= counts[-1]


@pytest.mark.skipif(BACKEND != "postgres", reason="pg_dump")
def test_without_pg_dump_the_error_says_what_to_install(runner, app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(cli, ["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: pg_dump is not installed: install PostgreSQL's")


def test_f1_a_backup_is_owner_only_from_the_moment_it_is_created(runner, app, tmp_path, umask_022):
    """F1: a backup holds every password hash and everything about every candidate. Its
    temporary file is the same inode renamed, and nothing may chmod it on the way."""
    make = runner.invoke(cli, ["backup", str(tmp_path / "backup.db")])
    assert make.exit_code == 0, make.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert (tmp_path / "backup.db").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("victim_exists", [True, False])
def test_f2_a_backup_refuses_a_symlink_at_its_target(runner, app, tmp_path, victim_exists):
    """F2: FILE a symlink planted by someone else: the backup went where it pointed (a file
    of theirs to read, or one of ours to overwrite). Refused in one line, nothing written."""
    victim = tmp_path / "victim.txt"
    if victim_exists:
        victim.write_text("precious")
    link = tmp_path / "backup.db"
    link.symlink_to(victim)
    result = runner.invoke(cli, ["backup", str(link)])
    assert result.output == f"Error: {link} is a symlink; refusing to write through it.\n"
    assert link.is_symlink()
    assert (victim.read_bytes() == b"precious") if victim_exists else not victim.exists()


def test_f2_a_backup_never_writes_through_a_symlink_at_its_temporary_file(runner, app, tmp_path):
    """F2: the temporary file is beside FILE under a predictable name (the pid): a symlink
    planted there must not be written through (pg_dump followed it)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "backup.db"
    planted = tmp_path / f".backup.db.{os.getpid()}.partial"
    planted.symlink_to(victim)
    result = runner.invoke(cli, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == b"precious"
    assert not os.path.lexists(planted)  # the name the backup used: this test tried it
    assert target.is_file() and not target.is_symlink() and target.stat().st_size > 0


def test_f3_the_password_is_taken_out_of_the_url_wherever_it_is_written():
    """F3: what pg_dump and pg_restore are given: a URL without the password (user, host,
    port, database and options kept), and the password, decoded, for the environment."""
    assert backup.without_password(
        "postgresql://ann:p%40ss%3Aw@db.example.com:5433/portal?sslmode=require"
    ) == ("postgresql://ann@db.example.com:5433/portal?sslmode=require", "p@ss:w")
    assert backup.without_password(
        "postgresql://ann@db.example.com/portal?password=s3cret&sslmode=require"
    ) == ("postgresql://ann@db.example.com/portal?sslmode=require", "s3cret")
    assert backup.without_password("postgresql://ann@[::1]:5432/portal") == (
        "postgresql://ann@[::1]:5432/portal",
        None,
    )


@only_postgres
def test_f3_no_password_on_the_command_line_of_pg_dump_or_pg_restore(
    runner, app, tmp_path, monkeypatch
):
    """F3: anyone on the host can list processes. A pg_dump and a pg_restore first on PATH
    record the arguments the kernel holds for them (/proc/PID/cmdline, what ps shows),
    then exec the real tools, so the backup and restore really run."""
    parts = urlsplit(app.config["DATABASE_URL"])
    password = parts.password or "dummy-f3-Pa55word"  # trust auth ignores a dummy
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port or 5432}"
    app.config["DATABASE_URL"] = parts._replace(netloc=netloc).geturl()
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        real = shutil.which(tool)
        assert real, f"{tool} is not installed"
        wrapper = tools / tool
        wrapper.write_text(
            "#!/bin/sh\n"
            f"tr '\\0' '\\n' < /proc/$$/cmdline > '{tmp_path}/{tool}.argv'\n"
            f"printf '%s\\n%s' \"$PGPASSWORD\" \"$PGPASSFILE\" > '{tmp_path}/{tool}.env'\n"
            f'exec {real} "$@"\n'
        )
        wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    target = tmp_path / "backup.dump"
    made = runner.invoke(cli, ["backup", str(target)])
    assert made.exit_code == 0, made.output
    restored = runner.invoke(cli, ["restore", "--yes", str(target)])
    assert restored.exit_code == 0, restored.output
    db.database.close_all()
    name = parts.path.lstrip("/")
    for tool in ("pg_dump", "pg_restore"):
        argv = (tmp_path / f"{tool}.argv").read_text()
        assert str(tools / tool) in argv and name in argv  # it ran, on this database
        assert password not in argv, argv
        given, passfile = (tmp_path / f"{tool}.env").read_text().split("\n")
        assert given == password or passfile, "the password reached it some other way"
