"""`portal build OUT`: every live candidate page as a static file.

Stages: select what to publish → render with the live route's view-model and template
→ write only pages whose bytes changed → delete what is no longer published → publish
atomically (``portal.site.publish``). A full build (first build, ``--full``, or a change of
templates, assets or page settings) renders every page into a new release on two
processes; an incremental build asks the database what changed since the last one and
touches only those pages.
"""

import hashlib
import multiprocessing
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from peewee import SqliteDatabase

from portal import clock
from portal.candidates import assets
from portal.candidates import links
from portal.candidates import page as pages
from portal.site import publish
from portal.store import db
from portal.store.models import Application
from portal.store.models import Job
from portal.store.models import Link
from portal.store.models import User
from portal.web import metrics

#: The code that renders the pages: the whole package, wherever a module moves.
PACKAGE = Path(__file__).resolve().parent.parent

#: A revocation stamped this long before a build began may have committed after the
#: build read the live links: its page is deleted again after publishing.
SKEW = timedelta(seconds=30)
#: Pages per batch handed to a worker process.
CHUNK = 2000
#: Settings that change what every page looks like.
PAGE_SETTINGS = (
    "BASE_URL",
    "COMPANY_NAME",
    "TIMEZONE",
    "CLOSED_DAYS",
    "STATIC_ONLY",
    "LINK_DAYS",
    "HOLIDAY_COUNTRY",
    "EXTRA_HOLIDAYS",
)


@dataclass
class Summary:
    """What a build did."""

    kind: str
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0

    def line(self, out) -> str:
        return (
            f"Built {out} ({self.kind}): {self.written} written, {self.unchanged} "
            f"unchanged, {self.removed} removed in {self.seconds:.2f} s."
        )


def fingerprint() -> str:
    """A hash of everything that shapes every page: templates, assets, page settings,
    the signing keys, the code, and the year (dates in words name the year only when it
    is not this one)."""
    digest = hashlib.sha256()
    for folder in (Path(current_app.template_folder), Path(current_app.static_folder)):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    for name in PAGE_SETTINGS:
        digest.update(f"{name}={current_app.config[name]!r}".encode())
    digest.update(repr(links.signing_keys()).encode())  # a retired key ends its pages
    digest.update(str(clock.today().year).encode())
    for path in code_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def code_files() -> list[Path]:
    """Every module of the portal package: a page is shaped by the view-model and by all
    it calls (dates, clock, settings...), so any change to the code rebuilds the site."""
    return sorted(PACKAGE.rglob("*.py"))


def build(
    out: str, full: bool = False, progress: bool = False, processes: int | None = None
) -> Summary:
    """Build (or update) the static site at ``out``."""
    started = time.perf_counter()
    site = publish.Site(out)
    with site.locked():
        site.clear_abandoned()
        release = site.current()
        site.recover(release)
        state = site.read_manifest(release)
        stamp = fingerprint()
        if full or state is None or state["fingerprint"] != stamp:
            summary = _full(site, stamp, progress, processes)
        else:
            summary = _incremental(site, release, state)
    summary.seconds = time.perf_counter() - started
    metrics.record_build(summary.kind, summary.seconds)  # for /metrics
    return summary


def _live_pages() -> dict[str, list[str]]:
    """Every live link: id → [token, key], where the key changes whenever anything its
    page shows may have changed (one lean query read raw, as peewee's row conversion
    would cost more than the query; nothing is rendered)."""
    today = clock.today().isoformat()
    recruiter = User.alias()
    query = (
        links.live_links()
        .select(Link.id, Link.token, Application.updated, Application.version,
                Application.reply_by, Job.updated, recruiter.updated)
        .join_from(Application, Job)
        .join(recruiter, on=Job.recruiter == recruiter.id)
        .order_by()
    )  # fmt: skip
    live = {}
    for (
        link_id,
        token,
        updated,
        version,
        reply_by,
        job_updated,
        recruiter_updated,
    ) in db.database.execute_sql(*query.sql()).fetchall():
        late = reply_by is not None and str(reply_by) < today
        raw = f"{updated}|{version}|{late}|{job_updated}|{recruiter_updated}".encode()
        live[link_id] = [token, hashlib.blake2b(raw, digest_size=8).hexdigest()]
    return live


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _full(site: publish.Site, stamp: str, progress: bool, processes: int | None) -> Summary:
    begun = clock.now()
    release = site.new_release()
    _write_fixed(release)
    written: dict[str, list] = {}
    with _workers(processes or min(os.cpu_count() or 1, 2)) as run:
        _small_cache()
        rows = sorted(_live_pages().items())
        chunks = [(str(release), rows[i : i + CHUNK]) for i in range(0, len(rows), CHUNK)]
        with click.progressbar(length=len(rows), label="Rendering pages", file=sys.stderr,
                               hidden=not progress) as bar:  # fmt: skip
            for result in run(_render_chunk, chunks):
                written.update(result)
                bar.update(len(result))
    state = {"fingerprint": stamp, "pages": written}
    site.write_manifest(release, state)
    site.publish(release)
    removed = _late_revocations(site, release, begun, state)
    return Summary("full", written=len(written), removed=removed)


@contextmanager
def _workers(processes: int):
    """A map function over forked worker processes, forked before the build loads
    anything large: a child stops sharing its parent's objects as soon as it touches
    them (reference counts), so what exists at the fork is soon copied into each."""
    if processes <= 1:
        yield map
        return
    app = current_app._get_current_object()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_worker_start, initargs=(app,)) as pool:
        yield pool.imap_unordered


def _worker_start(app) -> None:
    """A forked worker: its own database connections and application context."""
    db.database.initialize(db.open_database(db.database_url(app)))
    app.app_context().push()


def _small_cache() -> None:
    """A build reads each row once: SQLite's page cache (32 MB per connection for the
    app) would only hold memory, once per process."""
    if isinstance(db.database.obj, SqliteDatabase):
        db.database.execute_sql("PRAGMA cache_size = -2000")


def _render_chunk(job: tuple[str, list]) -> dict[str, list]:
    """Render a chunk of pages (three queries for the lot) into a new release."""
    release, keys = job[0], dict(job[1])
    written = {}
    with db.database.connection_context():
        _small_cache()
        for link_id, token, html in pages.load_many(list(keys)):
            data = html.encode()
            publish.write_new_page(release, token, data)
            written[link_id] = [token, keys[link_id][1], _digest(data)]
    return written


def _write_fixed(release: Path) -> None:
    """Assets, the dead-link page, robots.txt and the host rules."""
    for name, data in assets.files().items():
        publish.write_file(release, ("assets", name), data)
    publish.write_file(release, ("404.html",), pages.render_dead().encode())
    publish.write_file(release, ("robots.txt",), b"User-agent: *\nDisallow: /c/\n")
    for name, text in host_rules().items():
        publish.write_file(release, (name,), text.encode())


def host_rules() -> dict[str, str]:
    """The candidate-page headers as a Netlify-style ``_headers`` file and an nginx snippet."""
    headers = pages.headers()
    netlify = "".join(
        f"{path}\n" + "".join(f"  {k}: {v}\n" for k, v in headers.items())
        for path in ("/c/*", "/404.html")
    )
    nginx = "".join(f'add_header {k} "{v}" always;\n' for k, v in headers.items())
    return {"_headers": netlify, "nginx-headers.conf": nginx}


def _incremental(site: publish.Site, release: Path, state: dict) -> Summary:
    """Render only pages whose key moved; write only those whose bytes did."""
    begun = clock.now()
    known, live = state["pages"], _live_pages()
    staged = {}
    moved = [i for i, row in live.items() if (known.get(i) or [None, None])[:2] != row]
    for start in range(0, len(moved), CHUNK):
        for link_id, token, html in pages.load_many(moved[start : start + CHUNK]):
            data, before = html.encode(), known.get(link_id)
            digest = _digest(data)
            if before is None or [before[0], before[2]] != [token, digest]:
                target = publish.page_path(release, token)
                staged[str(target)] = site.stage(data)
            known[link_id] = [token, live[link_id][1], digest]
    gone = [known.pop(link_id)[0] for link_id in list(known) if link_id not in live]
    site.apply(release, staged, gone)
    site.remove_everywhere(gone)  # from the rollback release too
    if moved or gone:
        site.write_manifest(release, state)
    summary = Summary("incremental", written=len(staged), removed=len(gone))
    summary.unchanged = len(live) - summary.written
    summary.removed += _late_revocations(site, release, begun, state)
    return summary


def rollback(out: str) -> Path:
    """Publish the previous release again, without the pages that have died since it was
    built (revoked, reissued, expired, erased): a rollback brings back a look, never a
    page the live route would refuse."""
    site = publish.Site(out)
    with site.locked():
        site.recover(site.current())
        release = site.previous()
        state = site.read_manifest(release) or {"pages": {}}
        live = _live_pages()
        gone = [state["pages"].pop(i)[0] for i in list(state["pages"]) if i not in live]
        for token in gone:
            publish.remove_page(release, token)
        site.write_manifest(release, state)
        site.swap(release)
    return release


def _late_revocations(site: publish.Site, release: Path, since: datetime, state: dict) -> int:
    """Delete pages of links revoked while the build ran: a revocation deletes its page
    at once, and the build may have written it again just after."""
    revoked = Link.select(Link.id, Link.token).where(Link.revoked >= since - SKEW).tuples()
    gone = [token for link_id, token in revoked if state["pages"].pop(link_id, None)]
    site.remove_everywhere(gone)
    if gone:
        site.write_manifest(release, state)
    return len(gone)
