"""The `portal` command: a FlaskGroup, so run, routes and shell come for free."""

import click
from flask.cli import FlaskGroup
from flask.cli import NoAppException

from portal import create_app
from portal import db
from portal import domain
from portal import UnsafeSettings
from portal.errors import DomainError


def _create_app():
    try:
        return create_app()
    except UnsafeSettings as error:
        raise NoAppException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli():
    """Manage the candidate status portal."""


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
    try:
        user = domain.create_user(email, name, role, password)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role} {user.email}.")
