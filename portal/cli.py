"""The `portal` command: a FlaskGroup, so run, routes and shell come for free.

Every command says what went wrong in one line and exits non-zero; none prints a
traceback for bad input.
"""

from contextlib import contextmanager

import click
import peewee
from click.core import ParameterSource
from flask import Flask
from flask.cli import FlaskGroup

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


@contextmanager
def settings_refused_in_one_line():
    """Under a command line (``portal`` or ``flask --app portal``), wrong or unsafe
    settings stop it with one line each and exit code 2, never a traceback."""
    try:
        yield
    except UnsafeSettings as error:
        if click.get_current_context(silent=True) is None:
            raise  # gunicorn and the tests catch it themselves
        raise SettingsRefused(str(error)) from None


class SettingsRefused(click.ClickException):
    """Wrong or unsafe settings, one line each; exit code 2, as for a usage error."""

    exit_code = 2


class OneLineUsageError(click.ClickException):
    """A usage error told in one line, with where to find help, instead of the usage block."""

    exit_code = 2


class PortalGroup(FlaskGroup):
    """Flask's group, with one-line usage errors and database failures."""

    def list_commands(self, ctx):
        """Every command, without building the app: the group holds them all already, so
        ``portal --help`` needs no settings and leaves the database alone."""
        self._load_plugin_commands()  # Flask's own step: extensions' `flask.commands`
        return sorted(self.commands)

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


@click.group(cls=PortalGroup, create_app=create_app)
def cli():
    """Manage the candidate status portal.

    Settings come from PORTAL_* environment variables (PORTAL_DATABASE_URL,
    PORTAL_SECRET_KEY...); see the README.
    """


#: Every command of the portal, on ``portal`` and on the app's own CLI (``flask --app portal``).
COMMANDS = (
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
)

for command in COMMANDS:
    cli.add_command(command)


def init_app(app: Flask) -> None:
    """Register every command on the app's CLI, so ``flask --app portal init-db`` works."""
    for command in COMMANDS:
        app.cli.add_command(command)


def only_help() -> bool:
    """Whether Click is only printing a command group's help (``flask --app portal --help``):
    listing the commands needs the app, but not its settings or its database."""
    ctx = click.get_current_context(silent=True)
    option = ctx.command.get_help_option(ctx) if ctx is not None else None
    return option is not None and (
        ctx.get_parameter_source(option.name) is ParameterSource.COMMANDLINE
    )
