"""How fast the admin lists are at scale: generate N applications, import them through
`portal import` (timed), then time the application list and a job board as the real
app serves them to a signed-in admin.

    .venv/bin/python bench/admin_lists.py                      # 100,000 on SQLite
    .venv/bin/python bench/admin_lists.py -n 10000 --database-url postgresql://postgres@127.0.0.1/bench

The PostgreSQL database must exist and be empty. Pages are fetched in-process with
Flask's test client (no network, no server), so the figures are the app's own time:
routing, session, queries and rendering.
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import ADMIN  # noqa: E402
from generate import generate  # noqa: E402

#: A fixed key for the benchmark's throwaway databases (long enough for the startup check).
SECRET = "bench-key-7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9Uo"

PORTAL = Path(sys.executable).parent / "portal"


def portal(env: dict, *args: str) -> None:
    """Run the console script; stop the benchmark with its message if it fails."""
    result = subprocess.run([str(PORTAL), *args], env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"portal {' '.join(args)} failed: {result.stderr.strip()}")
    print(result.stdout.strip(), file=sys.stderr)


def load(count: int, jobs: int, url: str, folder: Path) -> None:
    """Generate the document and import it, printing the rate."""
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
    }
    started = time.perf_counter()
    document = generate(count, jobs)
    path = folder / "applications.json"
    path.write_text(json.dumps(document))
    size = path.stat().st_size / 2**20
    del document
    print(f"generated {count:,} applications ({size:.0f} MiB) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip
    portal(env, "init-db")
    before = _children_cpu()
    started = time.perf_counter()
    portal(env, "import", str(path))
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - before
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # CPU seconds too: on a shared machine the wall time also counts other people's work.
    print(f"\nimport: {count:,} applications in {elapsed:.1f} s = {count / elapsed:,.0f} "
          f"applications/s; {cpu:.1f} CPU s in `portal import` = {count / cpu:,.0f} per "
          f"CPU second; peak memory {peak:,.0f} MiB\n")  # fmt: skip


def _children_cpu() -> float:
    """CPU seconds (user and system) used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def signed_in_client(app):
    """A test client signed in as the bench admin through the real login form."""
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": ADMIN[0], "password": ADMIN[1], "csrf_token": token}
    )
    if response.status_code != 302:
        sys.exit(f"could not sign in as {ADMIN[0]}: {response.status_code}")
    return client


def pages(app) -> dict[str, str]:
    """The URLs to time: the list at its first page, searched, filtered, deep; a board."""
    from portal.store.models import Application
    from portal.store.models import Job
    from portal.store.models import Stage

    with app.app_context():
        job = Job.select().order_by(Job.ref).first()
        screen = job.stages.where(Stage.name == "Screen").get()
        total = Application.select().count()
    deep = max(1, total // app.config["PAGE_SIZE"] // 2)
    return {
        "applications, first page": "/admin/applications/",
        "search by name": "/admin/applications/?q=Lovelace",
        "search by email": "/admin/applications/?q=candidate004242",
        "filtered: job, stage, active": (
            f"/admin/applications/?job={job.ref}&stage={screen.id}&status=active"
        ),
        f"deep page ({deep:,})": f"/admin/applications/?page={deep}",
        f"job board ({job.ref})": f"/admin/jobs/{job.ref}/",
    }


def measure(client, url: str, repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of ``repeat`` requests, in milliseconds."""
    for _ in range(3):  # warm caches and the connection pool
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def main() -> None:
    """Load the data unless --reuse, then time each page."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--applications", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the pages of a database loaded before (needs --database-url)",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        url = options.database_url or f"sqlite:///{folder}/bench.sqlite3"
        if not options.reuse:
            load(options.applications, options.jobs, url, Path(folder))
        from portal import create_app

        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET,
                "DEBUG": False,
            }
        )
        client = signed_in_client(app)
        load_average = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"{app.config['DATABASE_URL'].split(':')[0]}, load average {load_average}")
        print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8}")
        for name, page in pages(app).items():
            median, p95 = measure(client, page, options.repeat)
            print(f"{name:<34} {median:>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
