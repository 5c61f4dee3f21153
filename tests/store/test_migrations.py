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
from portal.store.models import ClosureReason
from portal.store.models import ClosureTemplate
from portal.store.models import Criterion
from portal.store.models import DbInfo
from portal.store.models import ErasureRequest
from portal.store.models import Event
from portal.store.models import ExternalRecord
from portal.store.models import IdempotentRequest
from portal.store.models import InboundDelivery
from portal.store.models import IntegrationToken
from portal.store.models import Interview
from portal.store.models import Mail
from portal.store.models import OutboundEvent
from portal.store.models import Rating
from portal.store.models import RecoveryCode
from portal.store.models import ScheduledClosure
from portal.store.models import StaffLink
from portal.store.models import StaffSession
from portal.store.models import Stage
from portal.store.models import StageMapping
from portal.store.models import Task
from portal.store.models import User
from portal.store.models import WebhookEndpoint


def test_a_version_1_database_is_refused_then_upgraded(app):
    with db.database.connection_context():
        db.database.execute_sql('ALTER TABLE "mail" DROP COLUMN "claimed"')
        DbInfo.update(value="1").where(DbInfo.key == "schema_version").execute()
    with pytest.raises(schema.SchemaOutOfDate, match="init-db"):
        schema.check_schema()
    assert schema.create_schema() == schema.SCHEMA_VERSION == 7
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
    assert schema.create_schema() == schema.SCHEMA_VERSION
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
    assert schema.create_schema() == schema.SCHEMA_VERSION
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


class VersionFourEvent(peewee.Model):
    """The event table as schema version 4 had it: no interview, no "via"."""

    application = peewee.ForeignKeyField(Application, on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = peewee.CharField()
    visible = peewee.BooleanField(default=False)
    message = peewee.TextField(default="")
    next_steps = peewee.TextField(default="")
    reply_by = peewee.DateField(null=True)
    from_stage = peewee.ForeignKeyField(Stage, null=True, backref="+", on_delete="SET NULL")
    to_stage = peewee.ForeignKeyField(Stage, null=True, backref="+", on_delete="SET NULL")
    created = peewee.DateTimeField()

    class Meta:
        database = db.database
        table_name = "event"
        legacy_table_names = False
        indexes = ((("application", "created"), False), (("kind", "created"), False))


def _event_as_version_4(database: peewee.Database) -> None:
    """The event table without its version 5 columns, its rows kept. SQLite drops no
    column of a foreign key, so there the table is made again, as an upgrade would find it."""
    if not isinstance(database.obj, peewee.SqliteDatabase):
        for column in ("interview_id", "via"):
            database.execute_sql(f'ALTER TABLE "event" DROP COLUMN "{column}"')
        return
    columns = ", ".join(f'"{f.column_name}"' for f in VersionFourEvent._meta.sorted_fields)
    database.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        database.execute_sql(f"CREATE TEMP TABLE event_copy AS SELECT {columns} FROM event")
        database.drop_tables([Event])
        database.create_tables([VersionFourEvent])
        database.execute_sql(f"INSERT INTO event ({columns}) SELECT {columns} FROM event_copy")
        database.execute_sql("DROP TABLE event_copy")
    finally:
        database.execute_sql("PRAGMA foreign_keys = ON")


def back_to_version_6(database: peewee.Database) -> None:
    """Take out what schema version 7 added: the integrations' tables."""
    for column in ("totp_secret", "totp_last_step"):
        database.execute_sql(f'ALTER TABLE "user" DROP COLUMN "{column}"')
    database.drop_tables(
        [
            RecoveryCode,
            StaffLink,
            OutboundEvent,
            WebhookEndpoint,
            InboundDelivery,
            StageMapping,
            ExternalRecord,
            IdempotentRequest,
            IntegrationToken,
        ]
    )


def test_a_version_6_database_gains_the_integrations_tables(app):
    with db.database.connection_context():
        back_to_version_6(db.database)
        DbInfo.update(value="6").where(DbInfo.key == "schema_version").execute()
    assert schema.create_schema() == schema.SCHEMA_VERSION
    with db.database.connection_context():
        assert IntegrationToken.select().count() == IdempotentRequest.select().count() == 0


def back_to_version_5(database: peewee.Database) -> None:
    """Take out what schema versions 6 and 7 added. On SQLite, which drops no column of a
    foreign key, the references to the closure reasons stay, and so does their table."""
    back_to_version_6(database)
    database.drop_tables([Rating, Criterion])
    database.execute_sql('ALTER TABLE "feedback" DROP COLUMN "edited"')
    database.execute_sql('DROP INDEX "closure_template_status_point"')
    database.execute_sql('ALTER TABLE "closure_template" DROP COLUMN "point"')
    database.execute_sql(
        'CREATE UNIQUE INDEX "closure_template_status" ON "closure_template" ("status")'
    )
    if not isinstance(database.obj, peewee.SqliteDatabase):
        for table in ("application", "scheduled_closure"):
            database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "closure_reason_id"')
        database.drop_tables([ClosureReason])


def test_a_version_5_database_gains_kits_reasons_and_notes_per_point(app, make_application):
    application = make_application()
    with db.database.connection_context():
        ClosureTemplate.create(status="rejected", body="Dear {first_name}, no.")
        back_to_version_5(db.database)
        DbInfo.update(value="5").where(DbInfo.key == "schema_version").execute()
    assert schema.create_schema() == schema.SCHEMA_VERSION
    with db.database.connection_context():
        [template] = ClosureTemplate.select()
        assert (template.status, template.point, template.body) == (
            "rejected",
            "",
            "Dear {first_name}, no.",
        )
        ClosureTemplate.create(status="rejected", point="final", body="After the final.")
        assert Application.get_by_id(application.id).closure_reason is None
        assert Criterion.select().count() == Rating.select().count() == 0


def back_to_version_4(database: peewee.Database) -> None:
    """Take out what schema versions 5 to 7 added (the mail table's column aside)."""
    back_to_version_5(database)
    _event_as_version_4(database)
    for table, column, index in (
        ("application", "asked", "application_asked"),
        ("application", "reply_key", "application_reply_key"),
        ("application", "timezone", None),
        ("job", "answer_days", None),
    ):
        if index:  # SQLite drops no indexed column
            database.execute_sql(f'DROP INDEX "{index}"')
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    database.drop_tables([Interview])


def test_a_version_4_database_gains_conversations_and_interviews(app, make_application):
    application = make_application()
    with db.database.connection_context():
        back_to_version_4(db.database)
        DbInfo.update(value="4").where(DbInfo.key == "schema_version").execute()
    assert schema.create_schema() == schema.SCHEMA_VERSION
    with db.database.connection_context():
        upgraded = Application.get_by_id(application.id)
        assert (upgraded.asked, upgraded.reply_key, upgraded.timezone) == (None, None, "")
        assert upgraded.job.answer_days == 2
        assert [(e.via, e.interview_id) for e in upgraded.events] == [("", None)]


def test_a_database_upgraded_from_version_1_is_a_fresh_one(app):
    with db.database.connection_context():
        fresh = shape(db.database.obj)
        back_to_version_4(db.database)
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
