"""The `portal` command: a FlaskGroup, so run, routes and shell come for free.

Every command says what went wrong in one line and exits non-zero; none prints a
traceback for bad input.
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click
import peewee
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import NoAppException

from portal import create_app
from portal import db
from portal import domain
from portal import interchange
from portal import UnsafeSettings
from portal.backup import backup_command
from portal.backup import restore_command
from portal.build_cli import build_command
from portal.errors import command_errors
from portal.links import link_command
from portal.mail import send_command
from portal.models import User
from portal.privacy_cli import erase_candidate_command
from portal.privacy_cli import export_candidate_command
from portal.privacy_cli import purge_command
from portal.remind import remind_command


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


@cli.command("init-db")
def init_db():
    """Create the database tables, or upgrade them to this version's schema."""
    version = db.create_schema()
    click.echo(f"Database ready (schema version {version}).")


@cli.command("create-user")
@click.option("--email", required=True, help="Sign-in address.")
@click.option("--name", required=True, help="Full name, shown to colleagues and candidates.")
@click.option("--role", type=click.Choice(["admin", "recruiter", "manager"]), required=True)
@click.password_option(help="At least 8 characters; prompted for when omitted.")
def create_user(email, name, role, password):
    """Add a member of staff."""
    db.check_schema()
    with command_errors():
        user = domain.create_user(email, name, role, password)
    click.echo(f"Created {user.role} {user.email}.")


@cli.command("set-password")
@click.argument("email")
@click.password_option(help="At least 8 characters; prompted for when omitted.")
def set_password(email, password):
    """Give the member of staff EMAIL a new password.

    Imported accounts have none (exports carry no password hashes): this is how
    they get one.
    """
    db.check_schema()
    with db.database.connection_context(), command_errors():
        user = User.get_or_none(User.email == domain.normalise_email(email))
        if user is None:
            raise click.ClickException(f"There is no user with the email {email}.")
        domain.set_password(None, user, password)
    click.echo(f"Password set for {user.email}.")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--job",
    "job_ref",
    metavar="REF",
    help="Read FILE as a CSV of candidates (name,email[,ref][,stage]) for job REF.",
)
def import_command(file, job_ref):
    """Import users, jobs and applications from a JSON FILE, or candidates from a CSV.

    \b
    JSON, as `portal export` writes it:
      {"users": [{"email", "name", "role", "password"?}],
       "jobs": [{"ref", "title", "recruiter", "managers", "stages": [...]}],
       "applications": [{"ref", "job", "candidate": {"name", "email"},
                         "stage", "status", "events": [...], "feedback": [...]}]}
    CSV (with --job REF): a header row with name and email, and optionally
    ref and stage (a stage name of the job; the first stage when empty).

    Records already in the database (users by email, jobs and applications by
    ref; in a CSV without refs, a candidate already in the job) are left exactly
    as they are, so importing a file twice changes nothing. All or nothing: if
    any record is bad, nothing is imported and the error names the record.
    """
    suffix = Path(file).suffix.lower()
    if job_ref is None and suffix == ".csv":
        raise click.ClickException(f"{file}: a CSV of candidates needs --job REF, the job.")
    if job_ref is not None and suffix == ".json":
        raise click.ClickException(f"{file}: --job is for a CSV of candidates; drop it for JSON.")
    db.check_schema()
    with db.database.connection_context(), command_errors():
        if job_ref is not None:
            counts = interchange.import_csv(file, job_ref)
        else:
            counts = interchange.import_json(file)
    for line in import_summary(file, counts):
        click.echo(line)


def import_summary(source: str, counts: interchange.Counts) -> list[str]:
    """What an import did, in a few lines."""
    lines = [f"Imported from {source}: {_tally(counts.created) or 'nothing new'}."]
    if any(counts.present.values()):
        lines.append(f"Already there, left unchanged: {_tally(counts.present)}.")
    if counts.passwordless:
        lines.append(
            f"{len(counts.passwordless)} new user(s) have no password and cannot sign in "
            "until one is set with `portal set-password EMAIL`: "
            + ", ".join(counts.passwordless[:10])
            + (" ..." if len(counts.passwordless) > 10 else "")
        )
    return lines


def _tally(numbers: dict) -> str:
    """'2 users, 1 job' from a section → count mapping, leaving out zeros."""
    singular = {"users": "user", "jobs": "job", "applications": "application"}
    return ", ".join(
        f"{n:,} {name if n != 1 else singular[name]}" for name, n in numbers.items() if n
    )


@cli.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file (replaced whole, only once complete) instead of standard output.",
)
def export_command(output):
    """Write every user, job and application as JSON, in the format `portal import` reads.

    Users are written without their passwords: importing them elsewhere creates
    accounts that need `portal set-password`.
    """
    db.check_schema()
    with db.database.connection_context():
        if output is None:
            interchange.export(sys.stdout)
            return
        target = Path(output)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                counts = interchange.export(out)
            partial.replace(target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise click.ClickException(f"{output}: cannot write: {error.strerror}") from None
    click.echo(f"Exported {_tally(counts) or 'nothing'} to {output}.", err=True)


@cli.command("demo")
def demo_command():
    """Load a realistic demo (jobs, ~40 applications, feedback) and print the logins.

    Creates the tables when needed. Running it again changes nothing and prints the
    logins again. Only with PORTAL_DEMO=1: the demo accounts' passwords are public.
    """
    from portal import demo

    if not current_app.config["DEMO"]:
        raise click.ClickException(
            "portal demo creates accounts with published passwords; "
            "it runs only with PORTAL_DEMO=1 (never on a real database)."
        )
    db.create_schema()
    with db.database.connection_context(), command_errors():
        result = demo.load()
    for line in demo.summary_lines(result):
        click.echo(line)


cli.add_command(link_command)  # defined beside the links it prints (portal/links.py)
cli.add_command(send_command)  # defined beside the mail queue (portal/mail.py)
cli.add_command(remind_command)  # defined beside the digests it sends (portal/remind.py)
cli.add_command(build_command)  # defined beside the static generator (portal/build.py)
cli.add_command(export_candidate_command)  # personal data (portal/privacy_cli.py)
cli.add_command(erase_candidate_command)  # personal data (portal/privacy_cli.py)
cli.add_command(purge_command)  # the retention policy (portal/privacy_cli.py)
cli.add_command(backup_command)  # online copy of the database (portal/backup.py)
cli.add_command(restore_command)  # and putting one back (portal/backup.py)
