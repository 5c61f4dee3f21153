"""Every command of the portal, and what running one needs of the app: the `portal`
group (portal/cli.py) and the app's own CLI (``flask --app portal``, registered by
``create_app``) list the same commands. Apart from portal/cli.py so that ``create_app``
can register them without importing the group, which imports it."""

import sys
from contextlib import contextmanager

import click
from click.core import ParameterSource
from flask import Flask

from portal.candidates import cli as candidates_cli
from portal.conversation import cli as conversation_cli
from portal.demo import cli as demo_cli
from portal.domain import cli as domain_cli
from portal.followup import cli as followup_cli
from portal.identity import cli as identity_cli
from portal.interchange import cli as interchange_cli
from portal.mail import cli as mail_cli
from portal.privacy import cli as privacy_cli
from portal.settings.checks import UnsafeSettings
from portal.site import cli as site_cli
from portal.store import cli as store_cli
from portal.worker import cli as worker_cli

#: Every command of the portal, on ``portal`` and on the app's own CLI (``flask --app portal``).
COMMANDS = (
    store_cli.init_db,
    domain_cli.create_user,
    domain_cli.set_password,
    identity_cli.invite_command,
    identity_cli.sign_in_link_command,
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
    conversation_cli.inbox_command,
)


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


def init_app(app: Flask) -> None:
    """Register every command on the app's CLI, so ``flask --app portal init-db`` works."""
    for command in COMMANDS:
        app.cli.add_command(command)


def only_help() -> bool:
    """Whether Click is only printing help: a command group's (``flask --app portal
    --help``) or one command's (``flask --app portal import --help``, where the group
    builds the app to find the command before the command reads its arguments). Listing
    or describing commands needs the app, but not its settings or its database."""
    ctx = click.get_current_context(silent=True)
    option = ctx.command.get_help_option(ctx) if ctx is not None else None
    if option is None:
        return False
    if ctx.get_parameter_source(option.name) is ParameterSource.COMMANDLINE:
        return True
    # Click has already taken the subcommand's arguments off the context here: the
    # command line is where they are.
    words = sys.argv[1:]
    words = words[: words.index("--")] if "--" in words else words
    return bool(set(words) & set(option.opts))
