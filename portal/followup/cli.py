"""`portal remind`: nudge the people who owe word, once a day."""

import click
from flask.cli import with_appcontext

from portal.clock import today
from portal.errors import command_errors
from portal.followup import remind
from portal.store import schema
from portal.store.db import database


@click.command("remind")
@click.option("--dry-run", is_flag=True, help="Send nothing; print every overdue application.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="With --dry-run only: count as if today were this date (default: today in the "
    "company's time zone).",
)
@with_appcontext
def remind_command(dry_run, as_of):
    """Email each recruiter the candidates they owe word and each hiring manager the
    feedback they owe; run it daily from cron. A second run on the same day sends
    nothing new.

    With --dry-run, print one line per active application whose reply-by date has
    passed: REF, reply-by, how late, job, recruiter (tab-separated), most overdue first.
    """
    if as_of and not dry_run:
        # A real run closes, emails candidates and records the day's digests: as of an
        # imagined day it would do so for real, and a past day would send a second digest.
        raise click.UsageError("--as-of only goes with --dry-run: a real run is as of today.")
    schema.check_schema()
    day = as_of.date() if as_of else today()
    with database.connection_context(), command_errors():
        if remind.run(day, dry_run):
            raise SystemExit(1)  # some mail failed: cron should say so
