"""The `portal build` command, and `--watch`: rebuild whenever the data changes."""

import sys
import time

import click
from flask.cli import with_appcontext
from peewee import fn

from portal import clock
from portal.candidates import links
from portal.site import build as builder
from portal.site import publish
from portal.site.build import build
from portal.store import db
from portal.store import schema
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Job
from portal.store.models import Link
from portal.store.models import User


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
    schema.check_schema()
    try:
        if rollback:
            with db.database.connection_context():
                release = builder.rollback(out)
            if not quiet:
                click.echo(f"Published {release.name} again.")
            return
        if watch:
            _watch(out, full, interval, quiet)  # until stopped
        with db.database.connection_context():
            summary = build(out, full=full, progress=not quiet and sys.stderr.isatty())
        if not quiet:
            click.echo(summary.line(out))
    except publish.UnsafePath as error:
        raise click.ClickException(str(error)) from None


def data_version() -> tuple:
    """Cheap values (each an index lookup) of which one moves whenever any page's data
    may have: the newest event first (every audited change to an application writes one,
    whatever clock an imported row's times came from), then when applications, jobs,
    users and links last changed, how many links are live (one ends at its time of day),
    and today (a reply-by date can pass overnight)."""
    event = Event.select(Event.id, Event.created).order_by(Event.id.desc()).first()
    return (
        event.id if event else None,
        event.created if event else None,
        Application.select(fn.MAX(Application.updated)).scalar(),
        Job.select(fn.MAX(Job.updated)).scalar(),
        User.select(fn.MAX(User.updated)).scalar(),
        Link.select(fn.MAX(Link.issued)).scalar(),
        Link.select(fn.MAX(Link.revoked)).scalar(),
        links.live_links().count(),
        clock.today(),
    )


#: The moments in a data version: when something last changed.
MOMENTS = slice(1, 7)


def _latency(before: tuple, after: tuple) -> float | None:
    """Seconds from the newest change between two data versions until now (a moment
    in the future, from an imported row, says nothing: None when nothing else moved)."""
    now = clock.now()
    moved = [
        moment
        for was, moment in zip(before[MOMENTS], after[MOMENTS], strict=True)
        if moment != was and moment is not None and moment <= now
    ]
    return (now - max(moved)).total_seconds() if moved else None


def _watch(out: str, full: bool, interval: float, quiet: bool) -> None:
    """Build, then rebuild whenever ``data_version`` moves; print each build (after the
    first, with its latency: from the newest change to its page being published)."""
    seen = None
    while True:
        with db.database.connection_context():
            version = data_version()
            if version != seen:
                summary = build(out, full=full and seen is None)
                lag = _latency(seen, version) if seen else None
                if not quiet:
                    late = "" if lag is None else f" Latency from the change: {lag:.1f} s."
                    click.echo(summary.line(out) + late)
                seen = version
        time.sleep(interval)
