"""How fast the follow-up queue and the follow-up health page are at scale: generate N
applications (bench/generate.py, plus candidates' acknowledgements and ratings on a share
of the closures), import them through `portal import`, then time the pages as the real
app serves them to a signed-in admin, and count the SQL statements each one runs.

    .venv/bin/python bench/followup_pages.py                    # 100,000 on SQLite
    .venv/bin/python bench/followup_pages.py -n 100000 --database-url postgresql://postgres@127.0.0.1/bench

The PostgreSQL database must exist and be empty. Pages are fetched in-process with
Flask's test client, so the figures are the app's own time: routing, session, queries
and rendering. The target: a median under 200 ms, and a number of queries that does
not grow with the data (compare -n 1000 with -n 100000).
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from admin_lists import measure  # noqa: E402
from admin_lists import portal  # noqa: E402
from admin_lists import signed_in_client  # noqa: E402
from generate import generate  # noqa: E402

#: A fixed key for the benchmark's throwaway databases (long enough for the startup check).
SECRET = "bench-key-7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9Uo"

#: Target median per page, in milliseconds.
TARGET_MS = 200


def candidate_events(document: dict, seed: int = 11) -> None:
    """Add what candidates do on their pages: "got it" to 40% of closures, a rating to 30%."""
    rng = random.Random(seed)
    for application in document["applications"]:
        closed = application.get("closed")
        if not closed:
            continue
        moment = datetime.fromisoformat(closed.rstrip("Z"))
        if rng.random() < 0.4:
            at = (moment + timedelta(hours=rng.randint(1, 72))).isoformat() + "Z"
            application["events"].append({"at": at, "kind": "acknowledged"})
        if rng.random() < 0.3:
            at = (moment + timedelta(hours=rng.randint(2, 96))).isoformat() + "Z"
            score = rng.choice((2, 3, 4, 4, 5, 5))
            application["events"].append(
                {"at": at, "kind": "rated", "message": f"{score} out of 5"}
            )


def load(count: int, jobs: int, url: str, folder: Path) -> None:
    """Generate the document and import it."""
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
    }
    started = time.perf_counter()
    document = generate(count, jobs)
    candidate_events(document)
    path = folder / "applications.json"
    path.write_text(json.dumps(document))
    del document
    print(f"generated {count:,} applications in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)  # fmt: skip
    portal(env, "init-db")
    started = time.perf_counter()
    portal(env, "import", str(path))
    print(f"imported in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    analyze(url)


def analyze(url: str) -> None:
    """Give the planner statistics of the freshly loaded tables, as autovacuum (PostgreSQL)
    or `PRAGMA optimize` (SQLite) would in a while; a test server may run without either."""
    from portal.store.db import open_database

    database = open_database(url)
    database.execute_sql("ANALYZE")
    database.close()


def pages(app) -> dict[str, str]:
    """The URLs to time."""
    from portal.followup import queries as followup
    from portal.store.models import Job
    from portal.store.models import User

    with app.app_context():
        job = Job.select().order_by(Job.ref).first()
        recruiter = User.select().where(User.role == "recruiter").order_by(User.id).first()
        owed = followup.count_owed()
        proposed = followup.proposals().count()
    deep = max(1, owed // app.config["PAGE_SIZE"] // 2)
    print(f"{owed:,} applications owed word, {proposed:,} proposed for closure", flush=True)
    year_ago = (datetime.now() - timedelta(days=364)).date().isoformat()
    return {
        "queue, first page": "/admin/followup/",
        "queue, one recruiter": f"/admin/followup/?recruiter={recruiter.id}",
        "queue, one job": f"/admin/followup/?job={job.id}",
        f"queue, deep page ({deep:,})": f"/admin/followup/?page={deep}",
        "health, last 90 days": "/admin/metrics/",
        "health, by recruiter": "/admin/metrics/?by=recruiter",
        "health, one job": f"/admin/metrics/?job={job.id}",
        "health, a whole year (no target)": f"/admin/metrics/?start={year_ago}",
        "health CSV, last 90 days": "/admin/metrics.csv",
    }


def queries(app, client, url: str) -> int:
    """How many SQL statements one request for ``url`` runs."""
    from portal.store.db import database

    statements = []
    real = database.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return real(sql, params, *args, **kwargs)

    database.obj.execute_sql = counting
    try:
        client.get(url)
    finally:
        del database.obj.execute_sql  # back to the class's method
    return len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--applications", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="time the pages of --database-url")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        url = options.database_url or f"sqlite:///{folder}/bench.sqlite3"
        if not options.reuse:
            load(options.applications, options.jobs, url, Path(folder))
        from portal import create_app

        # Proposals after 5 business days overdue, so the queue shows that section too.
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET,
                "DEBUG": False,
                "STALE_DAYS": 5,
            }
        )
        client = signed_in_client(app)
        urls = pages(app)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}", flush=True)
        slow = []
        for name, page in urls.items():
            median, p95 = measure(client, page, options.repeat)
            print(f"{name:<34} {median:>10.1f} {p95:>8.1f} {queries(app, client, page):>8}")
            if median > TARGET_MS and "no target" not in name:
                slow.append(name)
        if slow:
            sys.exit(f"over {TARGET_MS} ms: {', '.join(slow)}")


if __name__ == "__main__":
    main()
