"""`portal init-db` upgrades a database made by an earlier schema version
(portal.store.migrations), and nothing runs against it before that; a new database is
created readable by its owner only."""

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import peewee
import pytest

from portal.store import db
from portal.store import schema
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import DbInfo
from portal.store.models import ErasureRequest
from portal.store.models import Mail
from portal.store.models import ScheduledClosure
from portal.store.models import StaffSession
from portal.store.models import Stage
from portal.store.models import Task


def test_a_version_1_database_is_refused_then_upgraded(app):
    with db.database.connection_context():
        db.database.execute_sql('ALTER TABLE "mail" DROP COLUMN "claimed"')
        DbInfo.update(value="1").where(DbInfo.key == "schema_version").execute()
    with pytest.raises(schema.SchemaOutOfDate, match="init-db"):
        schema.check_schema()
    assert schema.create_schema() == schema.SCHEMA_VERSION == 4
    schema.check_schema()
    with db.database.connection_context():
        Mail.create(kind="link", to="ada@example.org", subject="Your link", text="Hello")
        assert Mail.select().where(Mail.claimed.is_null()).count() == 1


class VersionTwoErasureRequest(peewee.Model):
    """The erasure_request table as schema version 2 had it."""

    candidate = peewee.ForeignKeyField(Candidate, on_delete="CASCADE")
    requested = peewee.DateTimeField()
    due = peewee.DateTimeField(index=True)

    class Meta:
        database = db.database
        table_name = "erasure_request"
        legacy_table_names = False  # index names as the real model's: erasure_request_due


def test_a_version_2_database_gains_staff_sessions_and_scoped_erasure(app, make_application):
    application = make_application()
    with db.database.connection_context():
        db.database.drop_tables([StaffSession, ErasureRequest])
        db.database.create_tables([VersionTwoErasureRequest])
        DbInfo.update(value="2").where(DbInfo.key == "schema_version").execute()
    with pytest.raises(schema.SchemaOutOfDate, match="init-db"):
        schema.check_schema()
    assert schema.create_schema() == 4
    schema.check_schema()
    with db.database.connection_context():
        StaffSession.create(id="s1", user=application.job.recruiter)
        request = ErasureRequest.create(
            candidate=application.candidate, application=application, due=application.created
        )
        assert ErasureRequest.get_by_id(request.id).withdrew is False


class VersionThreeMail(peewee.Model):
    """The mail table as schema version 3 had it."""

    application = peewee.ForeignKeyField(Application, null=True, on_delete="SET NULL")
    kind = peewee.CharField()
    to = peewee.CharField()
    subject = peewee.CharField()
    text = peewee.TextField()
    html = peewee.TextField(default="")
    created = peewee.DateTimeField()
    sent = peewee.DateTimeField(null=True)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.TextField(default="")
    claimed = peewee.DateTimeField(null=True)

    class Meta:
        database = db.database
        table_name = "mail"
        legacy_table_names = False  # its indexes named as the real model's are


def test_a_version_3_database_gains_what_deliberate_sends_need(app, make_application):
    application = make_application()
    stages = Stage.select().count()
    with db.database.connection_context():
        db.database.drop_tables([ScheduledClosure, Mail])
        db.database.create_tables([VersionThreeMail])
        for column in ("next_steps", "removed"):
            db.database.execute_sql(f'ALTER TABLE "stage" DROP COLUMN "{column}"')
        DbInfo.update(value="3").where(DbInfo.key == "schema_version").execute()
    with pytest.raises(schema.SchemaOutOfDate, match="init-db"):
        schema.check_schema()
    assert schema.create_schema() == 4
    schema.check_schema()
    with db.database.connection_context():
        stage = Stage.get_by_id(application.stage_id)
        assert (stage.next_steps, stage.removed) == ("", None)
        mail = Mail.create(kind="link", to="ada@example.org", subject="Link", text="Hello")
        assert (mail.reply_to, mail.message_id, mail.event_id) == ("", "", None)
        ScheduledClosure.create(application=application, status="rejected", due=application.created)
        # rebuilding the stage table on SQLite cascaded into none of its referrers
        assert Stage.select().count() == stages
        assert [e.to_stage_id for e in application.events] == [application.stage_id]


class VersionOneMail(peewee.Model):
    """The mail table as schema version 1 had it: the application's key, no lease."""

    application = peewee.ForeignKeyField(Application, null=True, on_delete="SET NULL")
    kind = peewee.CharField()
    to = peewee.CharField()
    subject = peewee.CharField()
    text = peewee.TextField()
    html = peewee.TextField(default="")
    created = peewee.DateTimeField()
    sent = peewee.DateTimeField(null=True)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.TextField(default="")

    class Meta:
        database = db.database
        table_name = "mail"
        legacy_table_names = False


def shape(database: peewee.Database) -> dict:
    """Every table's columns (name, type, nullability, default), indexes and foreign keys,
    in no particular order: what an upgraded database must have as a fresh one does."""
    tables = {}
    for table in database.get_tables():
        columns = {
            (c.name, c.data_type.lower(), c.null, c.default) for c in database.get_columns(table)
        }
        indexes = {(i.name, tuple(i.columns), i.unique) for i in database.get_indexes(table)}
        keys = {(k.column, k.dest_table, k.dest_column) for k in database.get_foreign_keys(table)}
        tables[table] = {"columns": columns, "indexes": indexes, "foreign keys": keys}
    return tables


def test_a_database_upgraded_from_version_1_is_a_fresh_one(app):
    with db.database.connection_context():
        fresh = shape(db.database.obj)
        db.database.drop_tables([StaffSession, Task, ScheduledClosure, ErasureRequest, Mail])
        db.database.create_tables([VersionTwoErasureRequest, VersionOneMail])
        for column in ("next_steps", "removed"):
            db.database.execute_sql(f'ALTER TABLE "stage" DROP COLUMN "{column}"')
        DbInfo.update(value="1").where(DbInfo.key == "schema_version").execute()
    assert schema.create_schema() == schema.SCHEMA_VERSION
    with db.database.connection_context():
        upgraded = shape(db.database.obj)
    assert upgraded.keys() == fresh.keys()
    differences = {
        (table, part): {"upgraded only": sorted(got - want), "fresh only": sorted(want - got)}
        for table in fresh
        for part, want in fresh[table].items()
        if (got := upgraded[table][part]) != want
    }
    assert differences == {}, differences


PORTAL = Path(sys.executable).parent / "portal"


def test_f1_a_new_sqlite_database_its_folder_wal_and_shm_are_owner_only(tmp_path, umask_022):
    """F1: the database file holds everything. `portal init-db` creates it 0600 (and the
    folder it makes for it 0700); SQLite gives its -wal and -shm the database file's mode."""
    path = tmp_path / "var" / "lib" / "portal.sqlite3"
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite:///{path}",
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(32),
    }
    result = subprocess.run(
        [str(PORTAL), "init-db"], capture_output=True, text=True, env=environment, timeout=60
    )
    assert result.returncode == 0, result.stderr
    modes = {p: p.stat().st_mode & 0o777 for p in (path.parent.parent, path.parent, path)}
    assert modes == {path.parent.parent: 0o700, path.parent: 0o700, path: 0o600}
    connection = sqlite3.connect(path)  # as the app does: WAL, and a write
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        connection.execute("UPDATE db_info SET value = value")
        connection.commit()
        for suffix in ("-wal", "-shm"):
            assert Path(f"{path}{suffix}").stat().st_mode & 0o777 == 0o600, suffix
    finally:
        connection.close()
