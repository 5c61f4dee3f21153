"""The database handle and its lifetime per request; the schema is portal.store.schema's."""

from importlib.util import find_spec
from pathlib import Path
from urllib.parse import quote
from urllib.parse import unquote

import click
import peewee
from flask import Flask
from flask import g
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledDatabase
from playhouse.pool import PooledSqliteDatabase
from playhouse.postgres_ext import PooledPsycopg3Database

from portal import files

#: Every model binds to this proxy; ``init_app`` points it at the configured database.
database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10_000,
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -32_000,
}


#: Connections are pooled: a request takes one and gives it back, which costs
#: microseconds where opening a new one costs ~0.5 ms (docs/performance.md).
POOL = {"max_connections": 32, "stale_timeout": 600, "timeout": 10}


def open_database(url: str) -> peewee.Database:
    """A pooled peewee database for a ``sqlite:///`` or ``postgresql://`` URL."""
    params = parse_url(url)
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        path = params.pop("database")
        files.private_folder(Path(path).parent)  # the instance folder, when it is missing
        # BEGIN IMMEDIATE takes the write lock up front, so two writers queue on
        # the busy timeout instead of failing with "database is locked" mid-way.
        # mode=rw: a connection never creates the file (only create_schema does), so a
        # database moved away gives "unable to open" (a 503) until it is back, instead
        # of an empty database in its place that pooled connections would keep using.
        return PooledSqliteDatabase(
            f"file:{quote(path)}?mode=rw" if path != ":memory:" else path,
            pragmas=SQLITE_PRAGMAS,
            lock_type="IMMEDIATE",
            check_same_thread=False,
            uri=True,
            **POOL,
            **params,
        )
    if scheme in ("postgres", "postgresql"):
        if find_spec("psycopg") is None:
            raise click.ClickException(
                "PORTAL_DATABASE_URL is PostgreSQL, but its driver is not installed: "
                "pip install 'candidate-portal[postgres]'"
            )
        # psycopg 3 (the `postgres` extra), chosen by class rather than by which driver
        # happens to be installed: peewee's plain PostgresqlDatabase prefers psycopg2.
        return PooledPsycopg3Database(params.pop("database"), **POOL, **params)
    raise click.ClickException(
        f"PORTAL_DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:/// or postgresql://"
    )


def lock(model: type[peewee.Model], row_id) -> None:
    """Hold one row until the transaction ends, so that a check and the write it leads to
    cannot interleave with another request's (PostgreSQL's READ COMMITTED would let two
    both pass the check). SQLite needs nothing: its transactions begin IMMEDIATE, so
    writers already take turns."""
    if not isinstance(database.obj, peewee.SqliteDatabase):
        model.select(model.id).where(model.id == row_id).for_update().execute()


def database_url(app: Flask) -> str:
    """The configured URL, or the SQLite file in the instance folder."""
    return app.config["DATABASE_URL"] or "sqlite:///" + str(
        Path(app.instance_path) / "portal.sqlite3"
    )


def init_app(app: Flask) -> None:
    """Bind the models to the configured database; one connection per request."""
    if isinstance(database.obj, PooledDatabase):
        # An app made before this one (a test's, gunicorn's master check) would leave its
        # pool to the garbage collector, which psycopg 3 warns about: close it first.
        database.obj.close_all()
    database.initialize(open_database(database_url(app)))
    app.before_request(_connect)
    app.teardown_appcontext(_close)


def _connect() -> None:
    g.db_opened = database.connect(reuse_if_open=True)


def _close(exc: BaseException | None) -> None:
    if g.pop("db_opened", False) and not database.is_closed():
        database.close()  # back to the pool


def sqlite_path() -> str | None:
    """The file of a SQLite database (None for PostgreSQL or in memory)."""
    name = database.obj.database if isinstance(database.obj, peewee.SqliteDatabase) else ""
    if not name.startswith("file:"):
        return None
    return unquote(name.removeprefix("file:").split("?", 1)[0])
