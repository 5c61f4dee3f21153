"""How fast the candidate page is served, next to a trivial route of the same app.

gunicorn (2 sync workers) serves the app on loopback; `wrk` loads /healthz (one
`SELECT 1`, a JSON answer) and then a candidate page with a long history, in the same
run, with the same settings. Prints requests per second, latency percentiles, and the
ratio of the two rates (the target: the page at 50% or more of the trivial route, p99
under 50 ms at 32 connections).

    .venv/bin/python bench/candidate_page.py
    .venv/bin/python bench/candidate_page.py --history 200 --duration 10 --rounds 2
    .venv/bin/python bench/candidate_page.py --database-url postgresql://postgres@127.0.0.1/bench

The PostgreSQL database must exist (its tables are created; run it on a throwaway one).
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

BIN = Path(sys.executable).parent
SECRET = "bench-key-7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9Uo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(url: str, history: int, base_url: str, instance: Path) -> tuple[str, int]:
    """A job and an application with ``history`` candidate-visible updates (and as many
    internal notes); returns the page's path and how many queries it runs."""
    from portal import create_app
    from portal import domain
    from portal.candidates import links
    from portal.store import db
    from portal.store import schema
    from portal.store.models import Stage
    from portal.store.models import User

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": SECRET, "BASE_URL": base_url, "MAIL_URL": "outbox"}
    )
    app.instance_path = str(instance)
    schema.create_schema()
    with app.app_context(), db.database.connection_context():
        recruiter = User.create(
            email=f"bench{time.time_ns()}@example.com", name="Rae Recruiter", role="recruiter",
            password_hash="-",
        )  # fmt: skip
        job = domain.save_job(None, title="Platform Engineer", recruiter=recruiter)
        application = domain.add_application(
            None, job, "Ada Lovelace", f"ada{time.time_ns()}@example.org"
        )
        interviews = job.stages.where(Stage.position == 2).get()
        domain.move(None, application, interviews, application.version, message="Moved on.")
        for n in range(history):
            domain.post_update(
                None,
                application,
                application.version,
                f"Update {n}: thank you for your patience, here is where things stand.",
                next_steps="We will send the schedule.",
            )
            domain.add_note(None, application, f"Internal note {n}")
        token = links.live(application).token
        counted = []
        db.database.obj.query_hooks.append(lambda event: counted.append(event.sql))
        client = app.test_client()
        client.get(f"/c/{token}/")  # the first visit notes the link as opened
        counted.clear()
        response = client.get(f"/c/{token}/")
        assert response.status_code == 200, response.status_code
        db.database.obj.query_hooks.clear()
    return f"/c/{token}/", len(counted)


def serve(url: str, port: int, base_url: str, instance: Path, workers: int) -> subprocess.Popen:
    """gunicorn with ``workers`` sync workers, access log off (as in production behind
    nginx, which keeps its own)."""
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_BASE_URL": base_url,
        "PORTAL_MAIL_URL": "outbox",
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            f"--workers={workers}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            f"--chdir={instance}",
            "--log-level=warning",
            "portal:create_app()",
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not start")


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's workers (and master): unlike wall-clock
    rates, this does not change when other programs share the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    pids += [int(pid) for pid in children.read_text().split()]
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def load(url: str, duration: int, connections: int, threads: int, server: subprocess.Popen) -> dict:
    """One wrk run: requests per second, latency percentiles (ms), server CPU per request."""
    cpu = server_cpu(server)
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu = server_cpu(server) - cpu
    text = result.stdout
    if "Non-2xx" in text or "Socket errors" in text:
        sys.exit(f"wrk saw errors on {url}:\n{text}")
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    figures = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "cpu": cpu / requests * 1000,
    }
    for label in ("50", "90", "99"):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
        figures[f"p{label}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=int, default=10, help="updates on the page")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the routes N times")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    options = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (`make system-deps`)")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        instance = Path(folder)
        url = options.database_url or f"sqlite:///{folder}/bench.sqlite3"
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        page, queries = prepare(url, options.history, base_url, instance)
        server = serve(url, port, base_url, instance, options.workers)
        try:
            routes = {"trivial (/healthz)": "/healthz", "candidate page": page}
            for path in routes.values():  # warm both workers' caches and pools
                load(f"{base_url}{path}", 1, options.connections, options.threads, server)
            results = {name: [] for name in routes}
            for _ in range(options.rounds):
                for name, path in routes.items():
                    results[name].append(
                        load(
                            f"{base_url}{path}",
                            options.duration,
                            options.connections,
                            options.threads,
                            server,
                        )
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"gunicorn {options.workers} sync workers, wrk -t{options.threads} "
        f"-c{options.connections} -d{options.duration}s, {options.rounds} round(s), "
        f"{'SQLite' if url.startswith('sqlite') else 'PostgreSQL'}; the page has "
        f"{options.history} updates and {options.history} internal notes, "
        f"and runs {queries} queries"
    )
    print(f"load average before and after: {load_before} -> {os.getloadavg()[0]:.2f}")
    header = f"{'route':<22} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}"
    print(f"{header} {'server CPU ms/req':>18}")
    best = {}
    for name, runs in results.items():
        best[name] = max(runs, key=lambda r: r["rps"])
        for run in runs:
            print(
                f"{name:<22} {run['rps']:>9,.0f} {run['p50']:>8.2f} "
                f"{run['p90']:>8.2f} {run['p99']:>8.2f} {run['cpu']:>18.3f}"
            )
    trivial, candidate = best.values()
    ratio = candidate["rps"] / trivial["rps"]
    cpu = min(r["cpu"] for r in results["trivial (/healthz)"]) / min(
        r["cpu"] for r in results["candidate page"]
    )
    print(f"\ncandidate page / trivial route: {ratio:.0%} of the requests per second")
    print(f"server CPU per request, trivial / candidate page: {cpu:.0%} (load-independent)")
    verdict = ratio >= 0.5 and candidate["p99"] < 50
    print(
        f"target (>= 50%, p99 < 50 ms): {'met' if verdict else 'NOT met'} "
        f"(p99 {candidate['p99']:.1f} ms)"
    )


if __name__ == "__main__":
    main()
