"""Load under gunicorn (deploy/gunicorn.conf.py), on SQLite and then PostgreSQL:
20 recruiters signed in through the real login move and update applications with the
version they saw (retrying on a conflict, as a person would), while 100 candidates keep
opening their pages. Loopback only, bounded in time. Then: zero 5xx, zero lost updates
(every acknowledged write is in the database), and p99 latency per kind.

    .venv/bin/python bench/load.py                      # both databases, 30 s each
    .venv/bin/python bench/load.py --database sqlite --seconds 10

Clients run closed loops with no think time: the figures are the server saturated.
Mail goes to a real SMTP sink (aiosmtpd, its own process) on loopback.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test suite's HTTP client and form filler

from admin_client import fill  # noqa: E402
from admin_client import form  # noqa: E402
from serving import Browser  # noqa: E402
from serving import environment  # noqa: E402
from serving import gunicorn  # noqa: E402

PASSWORD = "load-test-password"
PG = os.environ.get("PORTAL_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
WRITES = ("update", "move")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(url: str, recruiters: int, candidates: int):
    """The app's config, recruiter emails, the hot applications' refs, candidate tokens."""
    from portal import create_app
    from portal import domain
    from portal.candidates import links
    from portal.store import db
    from portal.store import schema

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "load-bench-key-7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0",
            "TESTING": True,
        }
    )
    with app.app_context():
        schema.create_schema()
        with db.database.connection_context():
            users = [
                domain.create_user(f"load{n}@example.com", f"Recruiter {n}", "recruiter", PASSWORD)
                for n in range(recruiters)
            ]
            jobs = [domain.save_job(None, title=f"Role {n}", recruiter=users[n]) for n in range(4)]
            applications = [
                domain.add_application(None, jobs[n % 4], f"Candidate {n}", f"c{n}@example.org")
                for n in range(candidates)
            ]
            tokens = [links.live(a).token for a in applications]
    hot = [a.ref for a in applications[:40]]  # shared by all recruiters: conflicts happen
    return app, [u.email for u in users], hot, tokens


class Tally:
    """Latencies and statuses per kind of request, thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.statuses = defaultdict(lambda: defaultdict(int))
        self.acknowledged = []  # (ref, kind, message)
        self.conflicts = 0
        self.failures = []

    def record(self, kind: str, started: float, status: int) -> None:
        with self.lock:
            self.times[kind].append(time.perf_counter() - started)
            self.statuses[kind][status] += 1


def timed(tally: Tally, kind: str, call, *args):
    started = time.perf_counter()
    try:
        status, headers, html = call(*args)
    except OSError as error:  # connection refused or reset: counted, never hidden
        tally.record(kind, started, 0)
        tally.failures.append(f"{kind}: {error}")
        return 0, None, ""
    tally.record(kind, started, status)
    return status, headers, html


def recruiter(port, email, hot, deadline, tally, n):
    browser = Browser(port, client=f"198.51.100.{n + 1}")
    _, _, page = timed(tally, "login page", browser.get, "/login")
    from serving import csrf_token

    login = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    status, _, _ = timed(tally, "login", browser.post, "/login", login)
    if status != 302:
        tally.failures.append(f"{email} could not sign in: {status}")
        return
    rng, serial = random.Random(n), 0
    while time.monotonic() < deadline:
        ref = rng.choice(hot)
        path = f"/admin/applications/{ref}/"
        status, _, html = timed(tally, "application page", browser.get, path)
        if status != 200:
            continue
        kind = "move" if rng.random() < 0.3 else "update"
        message = f"load {n}-{serial} {kind}"
        serial += 1
        found = form(html, f"/{kind}")
        values = {"message": message}
        if kind == "move":
            stages = re.findall(r'<option value="(\d+)"', html.split('name="move-stage"')[1])
            values["stage"] = rng.choice(stages[:5])
        data = fill(found, **values)
        for _ in range(30):
            status, _, html = timed(tally, kind, browser.post, path + kind, data)
            if status != 409:
                break
            with tally.lock:
                tally.conflicts += 1
            data = fill(form(html, f"/{kind}"))  # the 409 page kept the text, new version
        if status == 302:
            with tally.lock:
                tally.acknowledged.append((ref, kind, message))


def candidate(port, token, deadline, tally, n):
    reader = Browser(port, client=f"203.0.113.{n % 250 + 1}", https=False)
    while time.monotonic() < deadline:
        timed(tally, "candidate page", reader.get, f"/c/{token}/")


def lost_updates(app, tally: Tally) -> tuple[int, int]:
    """(acknowledged writes missing from the database, applications whose version does
    not count exactly its writes)."""
    from portal.store import db
    from portal.store.models import Application
    from portal.store.models import Event

    with app.app_context(), db.database.connection_context():
        stored = set(
            Event.select(Application.ref, Event.kind, Event.message)
            .join(Application)
            .where(Event.kind.in_(("update", "moved")))
            .tuples()
        )
        kinds = {"update": "update", "move": "moved"}
        missing = [a for a in tally.acknowledged if (a[0], kinds[a[1]], a[2]) not in stored]
        counts = defaultdict(int)
        for ref, _, _ in stored:
            counts[ref] += 1
        wrong = [
            ref
            for ref, version in Application.select(Application.ref, Application.version).tuples()
            if version != 1 + counts[ref]
        ]
    db.database.close_all()
    return len(missing), len(wrong)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else 0


def run(name: str, url: str, options, folder: Path) -> bool:
    """One load run; prints its figures and says whether it passed."""
    app, emails, hot, tokens = seed(url, options.recruiters, options.candidates)
    smtp_port, port = free_port(), free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        + ["-l", f"127.0.0.1:{smtp_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = environment(app, PORTAL_MAIL_URL=f"smtp://127.0.0.1:{smtp_port}")
    tally = Tally()
    try:
        with gunicorn(env, port, workers=options.workers, log=folder / f"{name}.log"):
            deadline = time.monotonic() + options.seconds
            threads = [
                threading.Thread(target=recruiter, args=(port, e, hot, deadline, tally, n))
                for n, e in enumerate(emails)
            ]
            threads += [
                threading.Thread(target=candidate, args=(port, t, deadline, tally, n))
                for n, t in enumerate(tokens)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(options.seconds + 120)
            elapsed = time.perf_counter() - started
    finally:
        sink.terminate()
        sink.wait(10)
    missing, wrong = lost_updates(app, tally)
    total = sum(len(v) for v in tally.times.values())
    errors = sum(n for k in tally.statuses.values() for s, n in k.items() if s >= 500 or s == 0)
    locked = (folder / f"{name}.log").read_text().count("database is locked")
    print(f"\n{name}: {total:,} requests in {elapsed:.1f} s = {total / elapsed:,.0f} req/s; "
          f"5xx or failed: {errors}; acknowledged writes: {len(tally.acknowledged):,}; "
          f"conflicts retried: {tally.conflicts:,}; lost updates: {missing}; "
          f"versions off: {wrong}; 'database is locked' in the log: {locked}")  # fmt: skip
    print(f"  {'kind':<18} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind, times in sorted(tally.times.items()):
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses[kind].items()))
        print(f"  {kind:<18} {len(times):>9,} {percentile(times, .5):>8.1f} "
              f"{percentile(times, .99):>8.1f}  {statuses}")  # fmt: skip
    for failure in tally.failures[:5]:
        print(f"  failure: {failure}")
    return errors == 0 and missing == 0 and wrong == 0 and locked == 0


def postgres_database():
    """A throwaway PostgreSQL database: (url, drop function)."""
    name = f"portal_load_{os.getpid()}"
    admin = psycopg.connect(PG + "/postgres", connect_timeout=3, autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()

    return f"{PG}/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--recruiters", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    options = parser.parse_args()
    print(f"{options.recruiters} recruiters, {options.candidates} candidates, "
          f"{options.seconds:.0f} s, gunicorn {options.workers} sync workers, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    passed = True
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder:
        if options.database in ("sqlite", "both"):
            url = f"sqlite:///{folder}/load.sqlite3"
            passed &= run("SQLite", url, options, Path(folder))
        if options.database in ("postgres", "both"):
            url, drop = postgres_database()
            try:
                passed &= run("PostgreSQL", url, options, Path(folder))
            finally:
                drop()
    sys.exit(0 if passed else "FAILED: server errors, lost updates or lock errors (see above)")


if __name__ == "__main__":
    main()
