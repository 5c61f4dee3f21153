"""The personal-data commands: `portal export-candidate`, `erase-candidate` and `purge`."""

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.errors import command_errors
from portal.files import replaced_whole
from portal.privacy import actions as privacy
from portal.privacy import retention
from portal.privacy.export import export_candidate
from portal.store import backup
from portal.store import schema
from portal.store.db import database


@click.command("export-candidate")
@click.argument("email")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file (readable by its owner only) instead of standard output.",
)
@with_appcontext
def export_candidate_command(email, output):
    """Write everything held about the candidate EMAIL as JSON (a subject access request).

    It includes internal notes and feedback: read it before sending it on. The export
    is recorded in the audit log.
    """
    schema.check_schema()
    # Checked before the export, which the audit log records: not the live database.
    target = None if output is None else backup.writable_target(current_app, output)
    with database.connection_context(), command_errors():
        document = export_candidate(None, privacy.find_candidate(email))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if target is None:
        sys.stdout.write(text)
        return
    try:
        # Created readable by its owner only (as everything written whole): it is a
        # person's whole file.
        with replaced_whole(target) as partial, partial.open("w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write: {error.strerror}") from None
    count = len(document["applications"])
    click.echo(f"Exported {count} application(s) of {email} to {output}.", err=True)


@click.command("erase-candidate")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_candidate_command(email, yes):
    """Erase the candidate EMAIL: name, address and every free text about them.

    Their links stop working and their static pages are deleted; their applications
    stay as anonymous rows so that follow-up figures still add up. Recorded in the
    audit log (without the address). This cannot be undone, except from a backup.
    """
    schema.check_schema()
    with database.connection_context(), command_errors():
        candidate = privacy.find_candidate(email)
        count = candidate.applications.count()
        if not yes:
            click.confirm(
                f"Erase {email} and their {count} application(s)? This cannot be undone.",
                abort=True,
            )
        counts = privacy.erase_candidate(None, candidate, why="erase-candidate command")
    click.echo(
        f"Erased {email}: {count} application(s), {counts['events']} text(s) in the history, "
        f"{counts['feedback']} in feedback, {counts['mail']} email(s), "
        f"{counts['links']} live link(s) revoked."
    )


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Print what would be erased; change nothing.")
@with_appcontext
def purge_command(dry_run):
    """Apply the retention policy: erase applications closed more than
    PORTAL_RETENTION_DAYS ago, and erasure requests older than PORTAL_ERASURE_DAYS.

    Run it daily from cron. Prints application refs, never names.
    """
    schema.check_schema()
    with database.connection_context(), command_errors():
        result = retention.plan() if dry_run else retention.purge()
        for line in retention.lines(result, dry_run):
            click.echo(line)
