"""`portal send`: deliver queued email now."""

import click
from flask.cli import with_appcontext

from portal.mail.queue import send_pending
from portal.mail.queue import unsent
from portal.store import schema
from portal.store.db import database


@click.command("send")
@click.option("--retry-failed", is_flag=True, help="Also retry mail that failed too often.")
@with_appcontext
def send_command(retry_failed):
    """Send queued email now (run it from cron to retry mail the server refused)."""
    schema.check_schema()
    with database.connection_context():
        sent, failed = send_pending(wait=True, retry_failed=retry_failed)
        left = unsent().count()
    click.echo(f"Sent {sent}, failed {failed}, {left} still queued.")
    if failed:
        raise SystemExit(1)
