"""The `portal` command: a FlaskGroup, so run, routes and shell come for free.

Every command says what went wrong in one line and exits non-zero; none prints a
traceback for bad input.
"""

from contextlib import contextmanager

import click
import peewee
from flask.cli import FlaskGroup

from portal import create_app
from portal.commands import COMMANDS


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


for command in COMMANDS:
    cli.add_command(command)
