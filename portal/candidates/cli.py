"""`portal link`: a candidate's address, printed, issued or revoked from the shell."""

import click
from flask.cli import with_appcontext

from portal.candidates.actions import issue_link
from portal.candidates.actions import revoke_link
from portal.candidates.links import live_links
from portal.candidates.links import signed_now
from portal.candidates.links import url
from portal.store import schema
from portal.store.db import database
from portal.store.models import Application


@click.command("link")
@click.argument("ref", required=False)
@click.option("--all", "every", is_flag=True, help="Print REF<TAB>URL for every live link.")
@click.option("--revoke", "do_revoke", is_flag=True, help="Revoke the application's links.")
@with_appcontext
def link_command(ref, every, do_revoke):
    """Print the candidate URL of application REF, issuing a link if none is live."""
    schema.check_schema()
    if every == bool(ref):
        raise click.UsageError("Give an application REF, or --all (not both).")
    with database.connection_context():
        if every:
            for link in filter(signed_now, live_links()):
                click.echo(f"{link.application.ref}\t{url(link)}")
            return
        application = Application.get_or_none(Application.ref == ref)
        if application is None:
            raise click.ClickException(f"No application with the reference {ref!r}.")
        if do_revoke:
            count = revoke_link(None, application)
            click.echo(f"Revoked {count} link(s) of {ref}.")
            return
        click.echo(url(issue_link(None, application)))
