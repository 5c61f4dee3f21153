"""`portal inbox`: receive candidates' replies by email and file them on their
applications, until stopped (docs/inbox.md says how to point the mail server at it).

SIGTERM or Ctrl-C stops it once the replies being filed are filed.
"""

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.conversation import inbox
from portal.store import schema


@click.command("inbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8025, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option("--lmtp", is_flag=True, help="Speak LMTP (Postfix's lmtp transport), not SMTP.")
@with_appcontext
def inbox_command(host, port, lmtp):
    """Receive candidates' replies to reply+<key>@PORTAL_REPLY_DOMAIN over SMTP or LMTP and
    file each on its application's conversation, telling the recruiter; until stopped."""
    domain = current_app.config["REPLY_DOMAIN"]
    if not domain:
        raise click.ClickException(
            "PORTAL_REPLY_DOMAIN is not set: set it to the domain the mail server hands to "
            "`portal inbox` (such as hiring.example.com), see docs/inbox.md."
        )
    schema.check_schema()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = inbox.serve(current_app._get_current_object(), host, port, lmtp)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from None
    protocol = "LMTP" if lmtp else "SMTP"
    click.echo(f"portal inbox: {protocol} on {host}:{port} for reply+<key>@{domain}")
    while not stop.wait(1):
        pass
    server.stop()
    click.echo("portal inbox: stopped")
