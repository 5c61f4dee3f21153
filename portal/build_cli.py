"""The `portal build` command, and `--watch`: rebuild whenever the data changes."""

import sys
import time

import click
from flask.cli import with_appcontext
from peewee import fn

from portal import clock
from portal import db
from portal import publish
from portal.build import build
from portal.models import Application
from portal.models import Job
from portal.models import Link
from portal.models import User


@click.command("build")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--full", is_flag=True, help="Render every page again, changed or not.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--rollback", is_flag=True, help="Publish the previous build again and stop.")
@click.option("--watch", is_flag=True, help="Keep running: rebuild whenever the data changes.")
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    help="Seconds between checks for changes, with --watch.",
)
@with_appcontext
def build_command(out, full, quiet, rollback, watch, interval):
    """Write every live candidate page to OUT/c/<token>/index.html, with hashed assets,
    404.html, robots.txt and host rules (_headers, nginx-headers.conf).

    OUT becomes a symlink to the published release; releases live beside it in
    OUT.releases/. Serve OUT with the nginx server block in the README."""
    db.check_schema()
    try:
        if rollback:
            release = publish.Site(out).rollback()
            if not quiet:
                click.echo(f"Published {release.name} again.")
            return
        with db.database.connection_context():
            summary = build(out, full=full, progress=not quiet and sys.stderr.isatty())
        if not quiet:
            click.echo(summary.line(out))
        if watch:
            _watch(out, interval, quiet)
    except publish.UnsafePath as error:
        raise click.ClickException(str(error)) from None


def data_version() -> tuple:
    """A cheap summary that changes whenever any page's data may have (indexed maxima)."""
    return (
        Application.select(fn.MAX(Application.updated)).scalar(),
        Job.select(fn.MAX(Job.updated)).scalar(),
        User.select(fn.MAX(User.updated)).scalar(),
        Link.select(fn.MAX(Link.issued)).scalar(),
        Link.select(fn.MAX(Link.revoked)).scalar(),
        clock.today(),
    )


def _watch(out: str, interval: float, quiet: bool) -> None:
    """Rebuild whenever ``data_version`` moves; print each build with its latency (from
    the newest change to its page being published)."""
    seen = None
    while True:
        with db.database.connection_context():
            version = data_version()
            if version != seen:
                summary = build(out)
                newest = max((v for v in version[:5] if v is not None), default=None)
                if not quiet and seen is not None:
                    lag = (clock.now() - newest).total_seconds() if newest else 0.0
                    click.echo(f"{summary.line(out)} Latency from the change: {lag:.1f} s.")
                seen = version
        time.sleep(interval)
