"""`portal sign-in-link EMAIL` and `portal invite`: a way in from the shell. The first is
the break-glass door when password sign-in is off or the provider is down; the second
invites a colleague by email to choose their own password."""

import click
from flask.cli import with_appcontext

from portal.domain.base import normalise_email
from portal.errors import command_errors
from portal.errors import Invalid
from portal.identity import invitations
from portal.identity import links
from portal.store import schema
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import ROLES
from portal.store.models import User


@click.command("sign-in-link")
@with_appcontext
@click.argument("email")
def sign_in_link_command(email):
    """Print a one-time link that signs the active admin EMAIL in (15 minutes).

    The way in when password sign-in is off (PORTAL_PASSWORD_SIGN_IN) and single
    sign-on cannot be used. Whoever can run this command can already read the
    database; the link is audited.
    """
    schema.check_schema()
    with database.connection_context(), command_errors():
        user = User.get_or_none(User.email == normalise_email(email))
        if user is None or not user.active or not user.is_admin:
            raise Invalid(f"{email} is not an active admin: only admins get a sign-in link.")
        url = links.issue(user, links.SIGN_IN)
        with database.atomic():
            audit(None, "sign_in_link_issued", f"user {user.id}")
    click.echo(url)


@click.command("invite")
@with_appcontext
@click.option("--email", required=True, help="Their work address: the invitation goes there.")
@click.option("--name", required=True, help="Full name, shown to colleagues and candidates.")
@click.option("--role", type=click.Choice(ROLES), required=True)
def invite_command(email, name, role):
    """Invite a colleague: they choose their own password from the emailed link (72 hours)."""
    schema.check_schema()
    with database.connection_context(), command_errors():
        user = invitations.invite(None, email, name, role)
    click.echo(f"Invited {user.role} {user.email}; the email goes with the next `portal send`.")
