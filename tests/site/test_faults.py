"""`portal build` under faults and readers: rows S7 and S8 of docs/security.md, and the
README's nginx server block served by a real nginx."""

import hashlib
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers.http import CANDIDATE_HEADERS
from helpers.ports import free_port

from portal import domain
from portal.site import build
from portal.store.db import database

README = Path(__file__).parent.parent.parent / "README.md"
NGINX = "/usr/sbin/nginx"
PAGES = 300


@pytest.fixture
def many(make_job, make_application):
    job = make_job(title="Support Engineer")
    return [make_application(job=job, name=f"Person {n}") for n in range(PAGES)]


def run_build(app, out, *args, company="Example Ltd", quiet=True) -> subprocess.Popen:
    """`portal build OUT` as a separate process, as cron would run it."""
    env = dict(
        os.environ,
        PORTAL_DATABASE_URL=app.config["DATABASE_URL"],
        PORTAL_SECRET_KEY=app.config["SECRET_KEY"],
        PORTAL_BASE_URL=app.config["BASE_URL"],
        PORTAL_COMPANY_NAME=company,
        PORTAL_HOLIDAY_COUNTRY=app.config["HOLIDAY_COUNTRY"],
    )
    portal = Path(sys.executable).parent / "portal"
    return subprocess.Popen(
        [portal, "build", str(out), *(["--quiet"] if quiet else []), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, kill_after: float | None = None) -> tuple[int, str]:
    """Wait for the build (or SIGKILL it after ``kill_after`` seconds): code, stderr."""
    if kill_after is not None:
        time.sleep(kill_after)
        process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def site_state(out: Path) -> dict[str, bytes]:
    """The published pages, read through the site's symlink as a web server would."""
    return {p.parent.name: p.read_bytes() for p in (out / "c").glob("*/index.html")}


def assert_whole(state: dict[str, bytes], companies: set[str]) -> str:
    """Every page is complete and the site is one build: all pages name one company."""
    assert len(state) == PAGES
    assert all(page.rstrip().endswith(b"</html>") for page in state.values())
    found = {c for c in companies if all(c.encode() in page for page in state.values())}
    assert len(found) == 1, "the site mixes two builds"
    return found.pop()


def test_s7_a_killed_full_build_leaves_the_previous_site_whole(app, tmp_path, many):
    out = tmp_path / "site"
    build.build(str(out))
    started = time.perf_counter()
    assert finish(run_build(app, out, "--full", company="Timing Ltd"))[0] == 0
    duration = time.perf_counter() - started
    random.seed(7)
    published = "Timing Ltd"
    for attempt in range(6):
        process = run_build(app, out, "--full", company=f"Killed {attempt} Ltd")
        finish(process, kill_after=random.uniform(0.05, duration))
        published = assert_whole(site_state(out), {published, f"Killed {attempt} Ltd"})
    code, stderr = finish(run_build(app, out, company="Final Ltd"))
    assert code == 0, stderr
    assert assert_whole(site_state(out), {"Final Ltd"}) == "Final Ltd"
    assert len(list(out.parent.glob("site.releases/r-*[0-9]"))) == 2  # current + previous


def test_s7_a_killed_incremental_build_is_rolled_forward(app, tmp_path, many):
    out = tmp_path / "site"
    build.build(str(out))
    for application in many[:100]:
        domain.post_update(None, application, application.version, "Fresh news for you")
    database.close()
    finish(run_build(app, out), kill_after=0.3)
    state = site_state(out)
    assert len(state) == PAGES and all(p.rstrip().endswith(b"</html>") for p in state.values())
    code, stderr = finish(run_build(app, out))
    assert code == 0, stderr
    state = site_state(out)
    assert sum(b"Fresh news for you" in page for page in state.values()) == 100
    assert not (out.parent / "site.releases" / ".staging").exists()


def test_s7_the_database_failing_mid_build_leaves_the_site_whole(app, tmp_path, many):
    """The events table vanishes: the build gets as far as a new release with its assets
    and the live links, then fails on the first batch of pages (a timed failure would
    race the build, which reads all events of a batch in one query)."""
    out = tmp_path / "site"
    build.build(str(out))
    before = site_state(out)
    with database.connection_context():
        database.execute_sql('ALTER TABLE "event" RENAME TO "event_gone"')
    try:
        code, stderr = finish(run_build(app, out, "--full", company="Doomed Ltd"))
        assert code != 0 and "Traceback" not in stderr
        assert "event" in stderr
        assert site_state(out) == before
        assert len(list(out.parent.glob("site.releases/r-*[0-9]"))) == 2  # one abandoned
    finally:
        with database.connection_context():
            database.execute_sql('ALTER TABLE "event_gone" RENAME TO "event"')
    code, stderr = finish(run_build(app, out, "--full", company="Recovered Ltd"))
    assert code == 0, stderr
    assert assert_whole(site_state(out), {"Recovered Ltd"}) == "Recovered Ltd"
    assert len(list(out.parent.glob("site.releases/r-*[0-9]"))) == 2  # cleared, + previous


def test_watch_prints_each_build_as_it_happens_with_its_latency(app, tmp_path, many):
    """`portal build OUT --watch` as a service runs it, its output a pipe: a line for the
    first build at once, then one per change, naming its latency (a block-buffered
    stdout would hold them until the buffer filled)."""
    out = tmp_path / "site"
    database.close()
    process = run_build(app, out, "--watch", "--interval", "0.2", quiet=False)
    lines = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout])
    reader.start()
    try:
        assert "(full): 300 written" in lines.get(timeout=60)
        domain.post_update(None, many[7], many[7].version, "Watched news")
        database.close()
        line = lines.get(timeout=60)
        assert "(incremental): 1 written, 299 unchanged" in line
        assert re.search(r"Latency from the change: \d+\.\d s\.$", line.strip())
        assert sum(b"Watched news" in page for page in site_state(out).values()) == 1
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=10)
        process.stdout.close()
        process.stderr.close()


# --- a real nginx, configured as the README says -------------------------------------


def readme_server_block(root: Path, port: int) -> str:
    block = re.search(r"```nginx\n(server \{.*?\n\})\n```", README.read_text(), re.S).group(1)
    block = block.replace("/srv/site", str(root)).replace("listen 80;", f"listen 127.0.0.1:{port};")
    return block.replace("server_name jobs.example.com;", "server_name localhost;")


@pytest.fixture
def nginx(tmp_path):
    """Start nginx on loopback with the README's server block; yield a GET helper."""
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: `make test` installs Debian's nginx-light")
    out, port = tmp_path / "site", free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        f"events {{}}\nhttp {{\n access_log off;\n"
        f" client_body_temp_path {prefix}; proxy_temp_path {prefix}; fastcgi_temp_path {prefix};\n"
        f" uwsgi_temp_path {prefix}; scgi_temp_path {prefix};\n"
        f" types {{ text/html html; text/css css; text/plain txt; }}\n"
        f"{readme_server_block(out, port)}\n}}\n"
    )
    holder = {}

    def start():
        holder["process"] = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("nginx did not start: " + (prefix / "error.log").read_text())

    def get(path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    yield out, start, get
    if "process" in holder:
        holder["process"].terminate()
        holder["process"].wait(10)


def test_readme_nginx_block_serves_pages_with_the_candidate_headers(app, client, many, nginx):
    out, start, get = nginx
    build.build(str(out))
    start()
    token = next((out / "c").iterdir()).name
    status, headers, body = get(f"/c/{token}/")
    assert status == 200 and body == (out / "c" / token / "index.html").read_bytes()
    dynamic = client.get(f"/c/{token}/")
    for name in CANDIDATE_HEADERS:
        assert headers[name] == dynamic.headers[name], name
    status, headers, body = get("/c/not-a-live-token/")
    assert status == 404 and body == (out / "404.html").read_bytes()
    assert (
        headers["Referrer-Policy"] == "no-referrer"
        and "frame-ancestors" in headers["Content-Security-Policy"]
    )
    for private in ("/_headers", "/nginx-headers.conf", "/c/", "/"):
        assert get(private)[0] == 404, private
    assert get("/robots.txt")[2] == b"User-agent: *\nDisallow: /c/\n"
    css = next((out / "assets").iterdir()).name
    status, headers, _ = get(f"/assets/{css}")
    assert status == 200 and "immutable" in headers["Cache-Control"]


def test_s8_readers_never_see_a_missing_or_partial_page(app, many, nginx):
    out, start, get = nginx
    build.build(str(out))
    start()
    tokens = [p.name for p in (out / "c").iterdir()]
    failures, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            for token in random.sample(tokens, 20):
                status, _, body = get(f"/c/{token}/")
                if status != 200 or not body.rstrip().endswith(b"</html>"):
                    failures.append((token, status, len(body)))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for n in range(3):
            app.config["COMPANY_NAME"] = f"Company {n}"
            build.build(str(out))  # a full build: a new release swapped in
            for application in many[n * 20 : (n + 1) * 20]:
                domain.post_update(None, application, application.version, f"News {n}")
            build.build(str(out))  # an incremental build in place
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    digest = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "c").glob("*/index.html")}
    assert len(digest) == PAGES
