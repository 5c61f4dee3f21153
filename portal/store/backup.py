"""`portal backup FILE` and `portal restore FILE`: a consistent copy of the database
taken while the app is serving, and putting one back.

SQLite: SQLite's online backup API copies the database in one step, inside one read
transaction, so the copy is one moment's state however busy the app is (in WAL mode a
reader never blocks the writers). The copy is checked (integrity, schema version)
before it replaces FILE, so FILE is always a whole, good backup.

PostgreSQL: pg_dump (its snapshot is consistent too) in its custom format, and
pg_restore to restore; both must be installed (Debian: postgresql-client). They are given
the database URL without its password, which goes in their environment (PGPASSWORD):
anyone on the host can list processes' arguments, but only their owner (and root) can
read their environment.

A backup is created readable by its owner only, and never through a symlink; the same
checks (``writable_target``) guard `portal export -o` and `portal export-candidate -o`.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

import click
from playhouse.db_url import parse as parse_url

from portal.files import replaced_whole

# Restoring erases again whoever was erased since the backup: the one place the store
# calls up into a capability (listed in the import contract, pyproject.toml).
from portal.privacy import actions as privacy
from portal.store import db
from portal.store.migrations import SCHEMA_VERSION
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Candidate


class BackupFailed(click.ClickException):
    """The backup or restore could not be made; the message says why."""


def database_target(app) -> tuple[str, str]:
    """("sqlite", path) or ("postgresql", url) of the configured database."""
    url = db.database_url(app)
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        return "sqlite", os.path.abspath(parse_url(url)["database"])
    return "postgresql", url.replace("postgres://", "postgresql://", 1)


# --- SQLite ----------------------------------------------------------------------------


def _open_existing(path: str, timeout: float = 30) -> sqlite3.Connection:
    """A connection to a database file that must exist (never creates an empty one)."""
    if not os.path.isfile(path):
        raise BackupFailed(f"{path}: no such database file.")
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout)


def check_copy(path: str) -> int:
    """Refuse a file that is not a whole portal database; return its schema version."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            row = connection.execute(
                "SELECT value FROM db_info WHERE key = 'schema_version'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupFailed(f"{path} is not a portal database: {error}.") from None
    if result != "ok" or row is None:
        raise BackupFailed(f"{path} is damaged or not a portal database ({result}).")
    return int(row[0])


def backup_sqlite(source: str, target: Path) -> int:
    """Copy the live database ``source`` to ``target`` in one consistent step; its size."""
    with replaced_whole(target) as partial:  # a new empty file: SQLite starts afresh
        live = _open_existing(source)
        try:
            copy = sqlite3.connect(partial)
            try:
                live.backup(copy)  # pages=-1: the whole database in one step, one snapshot
                # One self-contained file: no -wal beside it to forget when copying it away.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        except sqlite3.Error as error:
            raise BackupFailed(f"backup failed: {error}.") from None
        finally:
            live.close()
        check_copy(str(partial))
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
    return target.stat().st_size


def restore_sqlite(backup: str, live_path: str) -> None:
    """Copy ``backup`` over the live database with the same API: other connections wait
    on its lock and then see the restored state (the WAL is handled by SQLite)."""
    version = check_copy(backup)
    if version != SCHEMA_VERSION:
        raise BackupFailed(
            f"{backup} has schema version {version}, this code needs {SCHEMA_VERSION}: "
            "restore it with the version that made it, then upgrade with `portal init-db`."
        )
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        live = sqlite3.connect(live_path, timeout=30)
        try:
            source.backup(live)
        finally:
            live.close()
    except sqlite3.Error as error:
        raise BackupFailed(f"restore failed: {error}.") from None
    finally:
        source.close()


# --- PostgreSQL ------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupFailed(
            f"{name} is not installed: install PostgreSQL's client tools (Debian: "
            f"postgresql-client, the server's major version or newer), or run {name} yourself."
        )
    return path


def without_password(url: str) -> tuple[str, str | None]:
    """``url`` without its password (in the user part or a ``password=`` option), and
    the password, decoded as libpq decodes it; None when the URL has none."""
    parts = urlsplit(url)
    password = unquote(parts.password) if parts.password is not None else None
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        user = user.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    kept = []
    for option in parts.query.split("&") if parts.query else []:
        key, _, value = option.partition("=")
        if unquote(key) == "password":
            password = unquote(value)
        else:
            kept.append(option)  # as written: libpq decodes %XX only, not "+"
    return parts._replace(netloc=netloc, query="&".join(kept)).geturl(), password


def _run(args: list[str], password: str | None = None) -> None:
    """Run a PostgreSQL tool; a password goes in its environment, never its arguments."""
    env = {**os.environ, "PGPASSWORD": password} if password is not None else None
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        raise BackupFailed(f"{Path(args[0]).name}: {lines[0]}")


def backup_postgresql(url: str, target: Path) -> int:
    """pg_dump's custom format to ``target`` (only once it is complete); its size."""
    address, password = without_password(url)
    with replaced_whole(target) as partial:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={partial}",
                f"--dbname={address}",
            ],
            password,
        )
    return target.stat().st_size


def restore_postgresql(backup: str, url: str) -> None:
    """pg_restore into the configured database, replacing its tables, in one transaction."""
    if not os.path.isfile(backup):
        raise BackupFailed(f"{backup}: no such file.")
    address, password = without_password(url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={address}",
            backup,
        ],
        password,
    )


def is_live(target: Path, database: str) -> bool:
    """Whether writing ``target`` would replace the live database or a file SQLite keeps
    beside it (its -wal, -shm or -journal)."""
    live = os.path.realpath(database)
    if target.exists() and os.path.exists(live) and os.path.samefile(target, live):
        return True
    return str(target) in {live, *(f"{live}{suffix}" for suffix in ("-wal", "-shm", "-journal"))}


def writable_target(app, file: str) -> Path:
    """Where a command may write FILE (a backup, an export), its folders resolved; refuses
    the live SQLite database or a file SQLite keeps beside it, and a symlink at FILE, which
    someone may have planted to have us write where it points."""
    kind, where = database_target(app)
    target = Path(os.path.realpath(file))  # "..", symlinks: where it would really land
    if kind == "sqlite" and is_live(target, where):
        raise BackupFailed(f"{file} is the live database or one of its files; choose another path.")
    if os.path.islink(file):
        raise BackupFailed(f"{file} is a symlink; refusing to write through it.")
    return target


# --- commands ----------------------------------------------------------------------------


def erasures() -> set[tuple[str, str]]:
    """(time, subject) of every erasure in the audit log."""
    if not db.database.table_exists(AuditEntry._meta.table_name):
        return set()
    query = AuditEntry.select(AuditEntry.created, AuditEntry.subject).where(
        AuditEntry.action == "erasure"
    )
    return {(str(created), subject) for created, subject in query.tuples()}


def reapply(erased: set[tuple[str, str]]) -> int:
    """Erase again, in a restored database, whoever was erased after the backup was made
    (the erasures the restored log does not hold): a backup must not bring them back."""
    count = 0
    for _, subject in sorted(erased - erasures()):
        kind, _, number = subject.partition(" ")
        if not number.isdecimal():
            continue
        if kind == "candidate":
            candidate = Candidate.get_or_none(Candidate.id == int(number))
            if candidate is not None and not privacy.is_erased(candidate):
                privacy.erase_candidate(None, candidate, why="again, after a restore")
                count += 1
        elif kind == "application":
            application = Application.get_or_none(Application.id == int(number))
            if application is not None and not privacy.is_erased(application.candidate):
                privacy.erase_application(None, application, why="again, after a restore")
                count += 1
    return count
