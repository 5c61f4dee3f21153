"""`portal create-user` and `portal set-password`: staff accounts from the shell."""

import click
from flask.cli import with_appcontext

from portal import domain
from portal.errors import command_errors
from portal.store import schema
from portal.store.db import database
from portal.store.models import ROLES
from portal.store.models import User


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True, help="Sign-in address.")
@click.option("--name", required=True, help="Full name, shown to colleagues and candidates.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.password_option(help="At least 8 characters; prompted for when omitted.")
def create_user(email, name, role, password):
    """Add a member of staff."""
    schema.check_schema()
    with command_errors():
        user = domain.create_user(email, name, role, password)
    click.echo(f"Created {user.role} {user.email}.")


@click.command("set-password")
@with_appcontext
@click.argument("email")
@click.password_option(help="At least 8 characters; prompted for when omitted.")
def set_password(email, password):
    """Give the member of staff EMAIL a new password.

    Imported accounts have none (exports carry no password hashes): this is how
    they get one.
    """
    schema.check_schema()
    with database.connection_context(), command_errors():
        user = User.get_or_none(User.email == domain.normalise_email(email))
        if user is None:
            raise click.ClickException(f"There is no user with the email {email}.")
        domain.set_password(None, user, password)
    click.echo(f"Password set for {user.email}.")
