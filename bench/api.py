"""How fast the API answers and how fast webhooks are taken, next to a trivial route of
the same app, in the same run.

1. gunicorn (2 sync workers) on loopback; `wrk` loads /healthz, then
   GET /api/v1/applications/<ref> with a token (the token checked, the record read and
   shaped by its schema): requests per second, latency percentiles, the ratio.
2. In one process, through the app's test client: Greenhouse stage changes, each signed,
   verified, recorded once and applied as a move (every other one moves back, so each
   is a real move), against /healthz the same way: deliveries per second, the ratio.

    .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py --duration 10 --deliveries 500
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import candidate_page as page_bench  # noqa: E402  (this folder's sibling, for serve)

SECRET = page_bench.SECRET
HOOK_SECRET = "bench-greenhouse-secret-0123456789abcdef"


def prepare(url: str, base_url: str, instance: Path):
    """A job linked to Greenhouse with two mapped stages, an application, a write token;
    the app, the token's secret and the application's ref."""
    from portal import create_app
    from portal import domain
    from portal.api import tokens
    from portal.integrations import inbound
    from portal.integrations import mapping
    from portal.store import db
    from portal.store import schema
    from portal.store.models import Stage
    from portal.store.models import StageMapping
    from portal.store.models import User

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "BASE_URL": base_url,
            "MAIL_URL": "outbox",
            "GREENHOUSE_SECRETS": [HOOK_SECRET],
            "RATELIMIT_ENABLED": False,
        }
    )
    app.instance_path = str(instance)
    schema.create_schema()
    with app.app_context(), db.database.connection_context():
        admin = User.create(
            email=f"admin{time.time_ns()}@example.com", name="Ada", role="admin", password_hash="-"
        )
        job = domain.save_job(None, title="Platform Engineer", recruiter=admin)
        application = domain.add_application(None, job, "Ida Bench", "ida@example.org", ref="GH-1")
        inbound.link("greenhouse", "application", "1", application)
        mapping.link_job(admin, job, "greenhouse", "100")
        for key, stage in (("201", "Screen"), ("202", "Interviews")):
            ours = job.stages.where(Stage.name == stage).get()
            StageMapping.create(job=job, vendor="greenhouse", external_stage=key, stage=ours)
        _, secret = tokens.create_token(admin, "bench", "write")
    return app, secret, application.ref


def wrk(url: str, duration: int, connections: int, server, token: str = "") -> dict:
    """One wrk run (with the token as a header): rps, p50/p90/p99 in ms, CPU ms a request."""
    cpu = page_bench.server_cpu(server)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    cpu = page_bench.server_cpu(server) - cpu
    text = result.stdout
    if "Non-2xx" in text or "Socket errors" in text:
        sys.exit(f"wrk saw errors on {url}:\n{text}")
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    figures["cpu"] = cpu / int(re.search(r"(\d+) requests in", text).group(1)) * 1000
    for label in ("50", "90", "99"):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
        figures[f"p{label}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return figures


def deliveries(app, count: int) -> tuple[float, float]:
    """Signed stage changes taken per second, and /healthz per second, in one process."""
    client = app.test_client()
    start = time.perf_counter()
    for _ in range(count):
        client.get("/healthz")
    trivial = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for n in range(count):
        stage = "202" if n % 2 == 0 else "201"
        body = json.dumps(
            {
                "action": "candidate_stage_change",
                "payload": {
                    "application": {
                        "id": 1,
                        "status": "active",
                        "last_activity_at": f"2026-12-01T10:{n // 60 % 60:02d}:{n % 60:02d}Z",
                        "current_stage": {"id": int(stage), "name": stage},
                        "candidate": {"id": 9, "first_name": "Ida", "last_name": "Bench"},
                        "jobs": [{"id": 100, "name": "Platform Engineer"}],
                    }
                },
            }
        ).encode()
        signature = hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        answer = client.post(
            "/hooks/greenhouse",
            data=body,
            content_type="application/json",
            headers={"Signature": f"sha256 {signature}", "Greenhouse-Event-ID": f"evt-{n}"},
        )
        if answer.status_code != 200 or answer.json["outcome"] != "applied":
            sys.exit(f"delivery {n}: {answer.status_code} {answer.get_data(as_text=True)}")
    hooks = count / (time.perf_counter() - start)
    return hooks, trivial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--deliveries", type=int, default=300)
    options = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        instance = Path(folder)
        url = f"sqlite:///{folder}/bench.sqlite3"
        port = page_bench.free_port()
        base_url = f"http://127.0.0.1:{port}"
        app, token, ref = prepare(url, base_url, instance)
        server = page_bench.serve(url, port, base_url, instance, 2)
        try:
            api = f"{base_url}/api/v1/applications/{ref}"
            wrk(f"{base_url}/healthz", 1, options.connections, server)
            wrk(api, 1, options.connections, server, token)
            trivial = wrk(f"{base_url}/healthz", options.duration, options.connections, server)
            record = wrk(api, options.duration, options.connections, server, token)
        finally:
            server.terminate()
            server.wait(timeout=30)
        from portal.store import db

        with app.app_context(), db.database.connection_context():
            hooks, inline = deliveries(app, options.deliveries)
    print(f"load average before: {load_before}; SQLite, gunicorn 2 sync workers, wrk -c32")
    for name, f in (("trivial (/healthz)", trivial), ("GET application (API)", record)):
        print(
            f"{name:24} {f['rps']:8.0f} req/s  p50 {f['p50']:6.1f} ms  p90 {f['p90']:6.1f} ms  "
            f"p99 {f['p99']:6.1f} ms  CPU {f['cpu']:.2f} ms/req"
        )
    print(f"API / trivial: {record['rps'] / trivial['rps']:.0%} of the requests per second")
    print(
        f"webhooks, in process: {hooks:.0f} signed stage changes/s applied against "
        f"{inline:.0f} /healthz/s ({hooks / inline:.0%})"
    )


if __name__ == "__main__":
    main()
