"""Schema upgrades, one function per version, applied in order by `portal init-db`.

To change the schema: change the model, bump ``portal.db.SCHEMA_VERSION``, and add
``STEPS[new_version]`` that brings a database of the previous version up to it
(``playhouse.migrate`` has add_column, rename_column, add_index...). A fresh
database is created at the current version directly and runs no step.
"""

from collections.abc import Callable

import peewee

from portal.db import SCHEMA_VERSION


def _mail_claimed(database: peewee.Database) -> None:
    """2: mail.claimed, the lease that keeps two senders from sending one mail twice."""
    from playhouse.migrate import migrate
    from playhouse.migrate import SchemaMigrator

    from portal.models import Mail

    migrate(SchemaMigrator.from_database(database).add_column("mail", "claimed", Mail.claimed))


STEPS: dict[int, Callable[[peewee.Database], None]] = {2: _mail_claimed}


def upgrade(database: peewee.Database, found: int) -> None:
    """Apply every step after ``found`` up to the current version."""
    from portal.models import DbInfo

    for version in range(found + 1, SCHEMA_VERSION + 1):
        STEPS[version](database)
        (
            DbInfo.insert(key="schema_version", value=str(version))
            .on_conflict(conflict_target=[DbInfo.key], update={DbInfo.value: str(version)})
            .execute()
        )
