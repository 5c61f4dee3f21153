"""The schema: created, upgraded to this version, and checked before a command runs."""

import contextlib
import os
from pathlib import Path

import click
import peewee
from flask import current_app

from portal import files
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
    with database.connection_context(), _foreign_keys_unenforced(), database.atomic():
        if database.table_exists(DbInfo._meta.table_name):
            # Upgrade first: creating the current tables' indexes over an old table would
            # name columns it does not have yet.
            migrations.upgrade(database.obj, schema_version())
            database.create_tables(MODELS)  # anything else missing, as this code has it
        else:
            database.create_tables(MODELS)
            DbInfo.create(key="schema_version", value=str(SCHEMA_VERSION))
    return schema_version()


@contextlib.contextmanager
def _foreign_keys_unenforced():
    """SQLite adds a NOT NULL column by rebuilding the table (playhouse.migrate copies it,
    drops the old one, renames the copy): with foreign keys enforced, that drop would
    cascade into every table referring to it, deleting and nulling their rows. So they
    are off for the upgrade (the pragma works only outside a transaction), as SQLite's
    documentation of ALTER TABLE prescribes, and checked once it is done."""
    if not isinstance(database.obj, peewee.SqliteDatabase):
        yield
        return
    database.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        yield
        broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise click.ClickException(f"The upgrade left broken references: {broken[:5]}")
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")


def _create_sqlite_file() -> None:
    """Create an empty SQLite file where the schema is to be made (connections don't),
    owner-only: SQLite gives its -wal and -shm files the database file's mode."""
    path = sqlite_path()
    if path and not os.path.lexists(path):
        try:
            os.close(files.create(path))  # an empty file is an empty database
        except FileExistsError:  # another process made it meanwhile
            pass


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
