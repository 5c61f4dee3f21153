"""The `portal` command: a FlaskGroup, so run, routes and shell come for free.

Every command says what went wrong in one line and exits non-zero; none prints a
traceback for bad input.
"""

from contextlib import contextmanager

import click
import peewee
from flask.cli import FlaskGroup
from flask.cli import NoAppException

from portal import create_app
from portal.candidates import cli as candidates_cli
from portal.demo import cli as demo_cli
from portal.domain import cli as domain_cli
from portal.followup import cli as followup_cli
from portal.interchange import cli as interchange_cli
from portal.mail import cli as mail_cli
from portal.privacy import cli as privacy_cli
from portal.settings.checks import UnsafeSettings
from portal.site import cli as site_cli
from portal.store import cli as store_cli
from portal.worker import cli as worker_cli


def _create_app():
    """The app, or a one-line error when the settings are unsafe."""
    try:
        return create_app()
    except UnsafeSettings as error:
        raise NoAppException(str(error)) from None


class OneLineUsageError(click.ClickException):
    """A usage error told in one line, with where to find help, instead of the usage block."""

    exit_code = 2


class PortalGroup(FlaskGroup):
    """Flask's group, with one-line usage errors and database failures."""

    def make_context(self, *args, **kwargs):
        """Parse the group's own options; a usage error is one line."""
        with _one_line():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        """Run the command; a usage error is one line."""
        with _one_line():
            return super().invoke(ctx)


@contextmanager
def _one_line():
    """Usage errors and database failures as one line, never a usage block or traceback."""
    try:
        yield
    except click.UsageError as error:
        hint = f" Try '{error.ctx.command_path} --help'." if error.ctx else ""
        raise OneLineUsageError(error.format_message() + hint) from None
    except (peewee.OperationalError, peewee.ProgrammingError, peewee.InterfaceError) as error:
        # Unreachable server, locked file, missing table (an OperationalError on SQLite,
        # a ProgrammingError on PostgreSQL): the cause, not a traceback.
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise click.ClickException(f"database: {first}") from None


@click.group(cls=PortalGroup, create_app=_create_app)
def cli():
    """Manage the candidate status portal.

    Settings come from PORTAL_* environment variables (PORTAL_DATABASE_URL,
    PORTAL_SECRET_KEY...); see the README.
    """


for command in (
    store_cli.init_db,
    domain_cli.create_user,
    domain_cli.set_password,
    interchange_cli.import_command,
    interchange_cli.export_command,
    demo_cli.demo_command,
    candidates_cli.link_command,
    mail_cli.send_command,
    followup_cli.remind_command,
    site_cli.build_command,
    privacy_cli.export_candidate_command,
    privacy_cli.erase_candidate_command,
    privacy_cli.purge_command,
    store_cli.backup_command,
    store_cli.restore_command,
    worker_cli.worker_command,
):
    cli.add_command(command)
