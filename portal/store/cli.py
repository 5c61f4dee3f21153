"""`portal init-db`, `portal backup` and `portal restore`."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.store import backup
from portal.store import schema
from portal.store.db import database


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database tables, or upgrade them to this version's schema."""
    version = schema.create_schema()
    click.echo(f"Database ready (schema version {version}).")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(file):
    """Write a consistent copy of the database to FILE, while the app keeps serving.

    SQLite: one file, checked before it replaces FILE. PostgreSQL: pg_dump's custom
    format (needs pg_dump). Readable by its owner only. Restore with `portal restore FILE`.
    """
    kind, where = backup.database_target(current_app)
    target = backup.writable_target(current_app, file)
    if not target.parent.is_dir():
        raise backup.BackupFailed(f"{file}: cannot write: No such file or directory")
    started = time.perf_counter()
    try:
        size = (
            backup.backup_sqlite(where, target)
            if kind == "sqlite"
            else backup.backup_postgresql(where, target)
        )
    except OSError as error:
        raise backup.BackupFailed(f"{file}: cannot write: {error.strerror}") from None
    click.echo(
        f"Backed up the database to {file} ({size / 2**20:.1f} MiB) "
        f"in {time.perf_counter() - started:.1f} s."
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file, yes):
    """Replace the database with the backup FILE made by `portal backup`.

    Everything changed since the backup is lost, except erasures: whoever the audit log
    says was erased is erased again in the restored database. Rebuild the static site
    afterwards (`portal build`).
    """
    kind, where = backup.database_target(current_app)
    if not yes:
        click.confirm(
            f"Replace the database with {file}? Every change since that backup is lost.",
            abort=True,
        )
    with database.connection_context():
        erased = backup.erasures()
    if kind == "sqlite":
        backup.restore_sqlite(file, where)
    else:
        backup.restore_postgresql(file, where)
    schema.check_schema()
    with database.connection_context():
        again = backup.reapply(erased)
    click.echo(f"Restored the database from {file}.")
    if again:
        click.echo(f"Erased {again} person(s) or application(s) again, erased after that backup.")
    click.echo("Run `portal build` if you publish static pages.")
