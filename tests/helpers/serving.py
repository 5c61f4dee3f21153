"""A real gunicorn (deploy/gunicorn.conf.py) on loopback for the deployment and fault
tests, and a small HTTP client that signs in as a browser does."""

import http.client
import os
import re
import subprocess
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from helpers.database import BACKEND

ROOT = Path(__file__).parent.parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "jobs.example.com"


#: The production recipe counts rate limits in Redis (several workers refuse to start
#: without it); the test suite's Redis runs on loopback.
#: A Redis database of each backend's own: `make test` runs the SQLite and PostgreSQL
#: passes side by side, and their rate-limit counters must not meet.
REDIS_URL = f"redis://127.0.0.1:6379/{1 if BACKEND == 'postgres' else 0}"


def environment(app, **extra) -> dict:
    """The PORTAL_* variables of ``app``'s database and keys, for a server process."""
    return {
        **os.environ,
        "PORTAL_DATABASE_URL": app.config["DATABASE_URL"],
        "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
        "PORTAL_BASE_URL": "https://jobs.example.com",
        "PORTAL_MAIL_URL": "outbox",
        "PORTAL_PROXY_COUNT": "1",
        "PORTAL_REDIS_URL": REDIS_URL,
        **{key: str(value) for key, value in extra.items()},
    }


@contextmanager
def gunicorn(env: dict, port: int, workers: int = 2, log: Path | None = None):
    """gunicorn with the repo's config on 127.0.0.1:``port``; stopped on exit."""
    output = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(CONFIG), f"--bind=127.0.0.1:{port}", f"--workers={workers}"],
        env=env,
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if log:
            output.close()


def wait_ready(port: int, process=None, seconds: float = 30) -> None:
    """Wait until /healthz answers on ``port``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} in {seconds} s")


class Browser:
    """Cookies kept by hand (a Secure cookie is sent over loopback http, as nginx would
    pass it on), and headers as nginx sets them for the app behind it."""

    def __init__(self, port: int, client: str = "198.51.100.7", https: bool = True):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Forwarded-For": client, "X-Forwarded-Host": HOST}
        if https:
            self.headers["X-Forwarded-Proto"] = "https"

    def request(self, method: str, path: str, form: dict | None = None, timeout: float = 30):
        """(status, headers, text) of one request."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            # Browsers send it to the same origin (staff pages say "same-origin"), and
            # Flask-WTF checks it on https.
            headers["Referer"] = f"https://{HOST}{path}"
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def login(self, email: str, password: str) -> int:
        """Sign in through the real form; the status of the POST."""
        _, _, page = self.get("/login")
        token = csrf_token(page)
        status, _, _ = self.post(
            "/login", {"email": email, "password": password, "csrf_token": token}
        )
        return status


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
