"""`portal init-db` upgrades a database made by the previous schema version
(portal.migrations), and nothing runs against it before that."""

import pytest

from portal import db
from portal.models import DbInfo
from portal.models import Mail


def test_a_version_1_database_is_refused_then_upgraded(app):
    with db.database.connection_context():
        db.database.execute_sql('ALTER TABLE "mail" DROP COLUMN "claimed"')
        DbInfo.update(value="1").where(DbInfo.key == "schema_version").execute()
    with pytest.raises(db.SchemaOutOfDate, match="init-db"):
        db.check_schema()
    assert db.create_schema() == db.SCHEMA_VERSION == 2
    db.check_schema()
    with db.database.connection_context():
        Mail.create(kind="link", to="ada@example.org", subject="Your link", text="Hello")
        assert Mail.select().where(Mail.claimed.is_null()).count() == 1
