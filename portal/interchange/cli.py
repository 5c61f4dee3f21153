"""`portal import` and `portal export`: the JSON document, and a CSV of candidates."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import interchange
from portal.errors import command_errors
from portal.files import replaced_whole
from portal.store import backup
from portal.store import schema
from portal.store.db import database


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--job",
    "job_ref",
    metavar="REF",
    help="Read FILE as a CSV of candidates (name,email[,ref][,stage]) for job REF.",
)
@click.option(
    "--sync",
    is_flag=True,
    help="JSON: also bring the applications already here to what FILE says (moves, "
    "closures, reopenings, corrected details), each told to its candidate as in the admin.",
)
@click.option(
    "--send-links",
    is_flag=True,
    help="With --job: email each new candidate the link to their page once all are in.",
)
def import_command(file, job_ref, send_links, sync):
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
    as they are, so importing a file twice changes nothing; with --sync, the
    applications already there are brought to the file's stage, status and
    candidate details through the same operations as the admin. All or nothing:
    if any record is bad, nothing is imported and the error names the record.
    """
    suffix = Path(file).suffix.lower()
    if job_ref is None and suffix == ".csv":
        raise click.ClickException(f"{file}: a CSV of candidates needs --job REF, the job.")
    if job_ref is not None and suffix == ".json":
        raise click.ClickException(f"{file}: --job is for a CSV of candidates; drop it for JSON.")
    if sync and job_ref is not None:
        raise click.ClickException("--sync is for a JSON file; a CSV only adds candidates.")
    if send_links and job_ref is None:
        raise click.ClickException("--send-links is for a CSV of new candidates, with --job.")
    schema.check_schema()
    with database.connection_context(), command_errors():
        if job_ref is not None:
            counts = interchange.import_csv(file, job_ref, send_links)
        else:
            counts = interchange.import_json(file, sync)
    for line in import_summary(file, counts):
        click.echo(line)


def import_summary(source: str, counts: interchange.Counts) -> list[str]:
    """What an import did, in a few lines."""
    lines = [f"Imported from {source}: {_tally(counts.created) or 'nothing new'}."]
    if any(counts.updated.values()):
        lines.append(f"Brought up to date from the file: {_tally(counts.updated)}.")
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
    singular = {
        "users": "user",
        "jobs": "job",
        "applications": "application",
        "closure_reasons": "closure reason",
    }
    return ", ".join(
        f"{n:,} {name if n != 1 else singular[name]}" for name, n in numbers.items() if n
    )


@click.command("export")
@with_appcontext
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help=(
        "Write to this file (replaced whole, only once complete, readable by its owner "
        "only) instead of standard output."
    ),
)
def export_command(output):
    """Write every user, job and application as JSON, in the format `portal import` reads.

    Users are written without their passwords: importing them elsewhere creates
    accounts that need `portal set-password`.
    """
    schema.check_schema()
    with database.connection_context():
        if output is None:
            interchange.export(sys.stdout)
            return
        target = backup.writable_target(current_app, output)  # not the live database
        try:
            with (
                replaced_whole(target) as partial,
                partial.open("w", encoding="utf-8") as out,
            ):
                counts = interchange.export(out)
        except OSError as error:
            raise click.ClickException(f"{output}: cannot write: {error.strerror}") from None
    click.echo(f"Exported {_tally(counts) or 'nothing'} to {output}.", err=True)
