"""Schema upgrades, one function per version, applied in order by `portal init-db`.

To change the schema: change the model, add ``STEPS[new_version]`` that brings a
database of the previous version up to it (``playhouse.migrate`` has add_column,
rename_column, add_index...); ``SCHEMA_VERSION`` follows. A fresh database is created
at the current version directly and runs no step.
"""

from collections.abc import Callable

import peewee
from playhouse.migrate import migrate
from playhouse.migrate import SchemaMigrator

from portal.store.models import Application
from portal.store.models import ClosureReason
from portal.store.models import ClosureTemplate
from portal.store.models import Criterion
from portal.store.models import DbInfo
from portal.store.models import ErasureRequest
from portal.store.models import Event
from portal.store.models import ExternalRecord
from portal.store.models import Feedback
from portal.store.models import IdempotentRequest
from portal.store.models import InboundDelivery
from portal.store.models import IntegrationToken
from portal.store.models import Interview
from portal.store.models import Job
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


def _mail_claimed(database: peewee.Database) -> None:
    """2: mail.claimed, the lease that keeps two senders from sending one mail twice."""
    _add_missing(database, Mail.claimed)


def _add_missing(database: peewee.Database, *fields: peewee.Field) -> None:
    """Add each field's column to its table unless the table has it already."""
    migrator = SchemaMigrator.from_database(database)
    for field in fields:
        table = field.model._meta.table_name
        if field.column_name not in {c.name for c in database.get_columns(table)}:
            migrate(migrator.add_column(table, field.column_name, field))


def _create(database: peewee.Database, *models: type[peewee.Model]) -> None:
    """Create ``models``' tables as this code has them, after any table they refer to
    that an older schema does not have yet (a later step then finds it made)."""
    ordered: list[type[peewee.Model]] = []

    def visit(model: type[peewee.Model]) -> None:
        for referred in model._meta.refs.values():
            if referred is not model:
                visit(referred)
        if model not in ordered:
            ordered.append(model)

    for model in models:
        visit(model)
    # an existing table is left alone: its indexes may name columns a later step adds
    database.create_tables([m for m in ordered if not m.table_exists()])


def _sessions_and_scoped_erasure(database: peewee.Database) -> None:
    """3: staff sessions that can be ended; erasure requests scoped to one application;
    the worker's task queue."""
    _create(database, StaffSession, Task)
    _add_missing(database, ErasureRequest.application, ErasureRequest.withdrew)


def _deliberate_sends(database: peewee.Database) -> None:
    """4: mail that names its event, its Reply-To and its Message-ID; next steps per
    stage; stages removed but kept for history; closures scheduled for later."""
    _create(database, ScheduledClosure)
    _add_missing(
        database, Mail.event, Mail.reply_to, Mail.message_id, Stage.next_steps, Stage.removed
    )


def _conversation(database: peewee.Database) -> None:
    """5: candidates' questions owed an answer, reply addresses, interviews, and mail
    that carries a calendar file."""
    _create(database, Interview)
    _add_missing(
        database,
        Job.answer_days,
        Application.asked,
        Application.reply_key,
        Application.timezone,
        Event.interview,
        Event.via,
        Mail.calendar,
    )


def _decisions(database: peewee.Database) -> None:
    """6: interview kits (criteria per job and stage) rated on scorecards that their
    authors may correct; the company's closure reasons; closure notes per point of the
    process."""
    _create(database, ClosureReason, Criterion, Rating)
    _add_missing(
        database,
        Feedback.edited,
        Application.closure_reason,
        ScheduledClosure.closure_reason,
    )
    columns = {c.name for c in database.get_columns("closure_template")}
    if "point" not in columns:
        migrator = SchemaMigrator.from_database(database)
        migrate(
            migrator.drop_index("closure_template", "closure_template_status"),
            migrator.add_column("closure_template", "point", ClosureTemplate.point),
            migrator.add_index("closure_template", ("status", "point"), unique=True),
        )


def _integrations(database: peewee.Database) -> None:
    """7: integration tokens for the API and the writes it carried out under an
    Idempotency-Key; what applicant tracking systems sent and how their records and
    stages map to ours; the endpoints we send candidates' actions to, and the events;
    staff's single-use links (invitations, password resets) and second factors."""
    _add_missing(database, User.totp_secret, User.totp_last_step)
    _create(
        database,
        StaffLink,
        RecoveryCode,
        IntegrationToken,
        IdempotentRequest,
        ExternalRecord,
        StageMapping,
        InboundDelivery,
        WebhookEndpoint,
        OutboundEvent,
    )


STEPS: dict[int, Callable[[peewee.Database], None]] = {
    2: _mail_claimed,
    3: _sessions_and_scoped_erasure,
    4: _deliberate_sends,
    5: _conversation,
    6: _decisions,
    7: _integrations,
}

#: The schema this code needs: version 1 was the first, each step raises it by one.
SCHEMA_VERSION = max(STEPS)


def upgrade(database: peewee.Database, found: int) -> None:
    """Apply every step after ``found`` up to the current version."""
    for version in range(found + 1, SCHEMA_VERSION + 1):
        STEPS[version](database)
        (
            DbInfo.insert(key="schema_version", value=str(version))
            .on_conflict(conflict_target=[DbInfo.key], update={DbInfo.value: str(version)})
            .execute()
        )
