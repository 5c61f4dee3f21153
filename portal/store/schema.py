"""The schema: created, upgraded to this version, and checked before a command runs."""

import sqlite3
from pathlib import Path

import click
from flask import current_app

from portal.store import migrations
from portal.store.db import database
from portal.store.db import sqlite_path
from portal.store.migrations import SCHEMA_VERSION
from portal.store.models import DbInfo
from portal.store.models import MODELS


class SchemaOutOfDate(click.ClickException):
    """The database was made by another version of the code."""


def create_schema() -> int:
    """Create missing tables and apply pending migrations; return the version."""
    _create_sqlite_file()
    with database.connection_context(), database.atomic():
        fresh = not database.table_exists(DbInfo._meta.table_name)
        database.create_tables(MODELS)
        if fresh:
            DbInfo.create(key="schema_version", value=str(SCHEMA_VERSION))
        migrations.upgrade(database.obj, schema_version())
    return schema_version()


def _create_sqlite_file() -> None:
    """Create an empty SQLite file where the schema is to be made (connections don't)."""
    path = sqlite_path()
    if path and not Path(path).exists():
        sqlite3.connect(path).close()


def schema_version() -> int:
    """The version recorded in the database, 0 when it has no schema."""
    if not database.table_exists(DbInfo._meta.table_name):
        return 0
    row = DbInfo.get_or_none(DbInfo.key == "schema_version")
    return int(row.value) if row else 0


def check_schema() -> None:
    """Refuse to run against a database made by another version of the code."""
    path = sqlite_path()
    if path and not Path(path).exists():
        raise SchemaOutOfDate(f"{path} does not exist: run `portal init-db` to create it.")
    with database.connection_context():
        found = schema_version()
    if found != SCHEMA_VERSION:
        where = current_app.config["DATABASE_URL"] or "the instance database"
        raise SchemaOutOfDate(
            f"{where} has schema version {found}, this code needs {SCHEMA_VERSION}: "
            "run `portal init-db` to create or upgrade it (back it up first)."
        )
