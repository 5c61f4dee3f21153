"""`portal init-db` upgrades a database made by the previous schema version
(portal.migrations), and nothing runs against it before that."""

import pytest

from portal.store import db
from portal.store import schema
from portal.store.models import DbInfo
from portal.store.models import Mail


def test_a_version_1_database_is_refused_then_upgraded(app):
    with db.database.connection_context():
        db.database.execute_sql('ALTER TABLE "mail" DROP COLUMN "claimed"')
        DbInfo.update(value="1").where(DbInfo.key == "schema_version").execute()
    with pytest.raises(schema.SchemaOutOfDate, match="init-db"):
        schema.check_schema()
    assert schema.create_schema() == schema.SCHEMA_VERSION == 2
    schema.check_schema()
    with db.database.connection_context():
        Mail.create(kind="link", to="ada@example.org", subject="Your link", text="Hello")
        assert Mail.select().where(Mail.claimed.is_null()).count() == 1
