"""The production setup: startup refuses unsafe settings, the proxy headers, HSTS and
Secure cookies, /healthz, Redis-shared rate limits across processes, and
deploy/gunicorn.conf.py behind deploy/nginx.conf, both run for real on loopback."""

import json
import os
import re
import secrets
import ssl
import subprocess
import urllib.request
from pathlib import Path

import pytest
from helpers.factories import PASSWORD
from helpers.ports import free_port
from helpers.serving import Browser
from helpers.serving import CONFIG
from helpers.serving import csrf_token
from helpers.serving import environment
from helpers.serving import GUNICORN
from helpers.serving import gunicorn
from helpers.serving import HOST
from helpers.serving import ROOT

from portal import create_app
from portal.settings.checks import UnsafeSettings
from portal.store import schema
from portal.web.proxy import HSTS

PRODUCTION = {
    "SECRET_KEY": "k7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9UoKiP",
    "BASE_URL": "https://jobs.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}


def production(**changes):
    return create_app({**PRODUCTION, **changes})


def serving(tmp_path, **changes):
    """A production app on a database with its schema."""
    app = production(DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}", **changes)
    with app.app_context():
        schema.create_schema()
    return app


# --- startup checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SECRET_KEY": ""}, "PORTAL_SECRET_KEY is not set."),
        ({"SECRET_KEY": "demo-only-secret-not-for-production"}, "the published demo key"),
        ({"BASE_URL": "http://jobs.example.com"}, "PORTAL_BASE_URL is 'http://jobs.example.com'"),
        ({"BASE_URL": "jobs.example.com"}, "is not a web address; use the public https://"),
        ({"BASE_URL": "http://10.0.0.5:8000"}, "Plain http is allowed only on this machine"),
        ({"PROXY_COUNT": -1}, "PORTAL_PROXY_COUNT: -1 is too small"),
        ({"MAIL_URL": "smtp://mailer:pw@mail.example.com"}, "use smtp+starttls:// or smtps://"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "use redis://host:6379/0"),
        ({"SECRET_KEY": "x"}, "PORTAL_SECRET_KEY is too short or too regular"),
        ({"SECRET_KEY": "a-real-secret-" + "x" * 20}, "secrets.token_urlsafe(32)"),
        ({"SECRET_KEY": "password" * 4}, "it needs 128"),
    ],
)
def test_unsafe_settings_stop_the_start_with_what_to_change(changes, message):
    """A short or regular secret key is refused with how to make one (among the rest)."""
    with pytest.raises(UnsafeSettings) as refused:
        production(**changes)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_every_problem_is_named_at_once():
    with pytest.raises(UnsafeSettings) as refused:
        production(SECRET_KEY="", BASE_URL="http://jobs.example.com")
    assert "PORTAL_SECRET_KEY" in str(refused.value) and "PORTAL_BASE_URL" in str(refused.value)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"BASE_URL": "http://127.0.0.1:5000"},
        {"BASE_URL": "http://localhost:8000"},
        {"BASE_URL": "http://jobs.example.com", "DEBUG": True},
        {"BASE_URL": "http://jobs.example.com", "DEMO": True, "SECRET_KEY": ""},
        {"BASE_URL": "http://jobs.example.com", "TESTING": True},
    ],
)
def test_safe_or_local_settings_start(changes):
    assert production(**changes).config["SECRET_KEY"]


def test_the_console_script_refuses_in_one_line(tmp_path):
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "PORTAL_SECRET_KEY": "k7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9UoKiP",
        "PORTAL_BASE_URL": "http://jobs.example.com",
    }
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "portal"), "init-db"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Error: PORTAL_BASE_URL is 'http://jobs.example.com'")
    assert len(result.stderr.splitlines()) == 1


# --- proxy headers, HSTS, cookies, healthz ----------------------------------------------------


def test_behind_one_proxy_https_gets_hsts_and_secure_cookies(tmp_path):
    app = serving(tmp_path, PROXY_COUNT=1)
    client = app.test_client()
    secure = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == HSTS
    cookie = secure.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    plain = client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers


def test_without_a_proxy_forwarded_headers_are_not_believed(tmp_path):
    app = serving(tmp_path)
    forged = app.test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" not in forged.headers


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


# --- gunicorn, nginx and Redis, for real ------------------------------------------------------


@pytest.mark.slow
def test_gunicorn_config_refuses_unsafe_settings_before_any_worker(app, tmp_path):
    env = environment(app, PORTAL_BASE_URL="http://jobs.example.com")
    result = subprocess.run(
        [str(GUNICORN), "-c", str(CONFIG), f"--bind=127.0.0.1:{free_port()}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "portal: PORTAL_BASE_URL is 'http://jobs.example.com'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_gunicorn_config_refuses_a_database_without_the_schema(app, tmp_path):
    env = environment(app, PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = subprocess.run(
        [str(GUNICORN), "-c", str(CONFIG), f"--bind=127.0.0.1:{free_port()}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "empty.sqlite3 does not exist: run `portal init-db` to create it." in result.stderr


def failed_logins(ports: list[int], client: str, email: str, attempts: int) -> list[int]:
    """Statuses of ``attempts`` wrong-password logins, spread over the servers in turn."""
    browsers = [Browser(port, client=client) for port in ports]
    statuses = []
    for n in range(attempts):
        browser = browsers[n % len(browsers)]
        statuses.append(browser.login(email, "wrong password"))
    return statuses


@pytest.mark.slow
@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
def test_two_servers_share_the_login_limit_through_redis(app, make_user, shared):
    # Fresh counters in Redis (it outlives test runs): a new account and client address.
    user = make_user("recruiter", email=f"limit-{secrets.token_hex(6)}@example.com")
    extra = {"PORTAL_LOGIN_RATE_LIMIT": "4 per 5 minutes"}
    if not shared:
        extra["PORTAL_REDIS_URL"] = ""  # each server counts in its own memory
    env = environment(app, **extra)
    client = f"198.51.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    ports = [free_port(), free_port()]
    with gunicorn(env, ports[0], workers=1), gunicorn(env, ports[1], workers=1):
        statuses = failed_logins(ports, client, user.email, 6)
    if shared:  # 4 failures in all, then both servers refuse
        assert statuses[:4] == [401] * 4 and statuses[4:] == [429, 429]
    else:  # each server counts alone: nobody is refused after 6 (the control)
        assert 429 not in statuses


@pytest.mark.slow
def test_with_redis_gone_the_app_counts_in_memory_instead_of_failing(app, make_user, client):
    app_down = production(
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", DATABASE_URL=app.config["DATABASE_URL"]
    )
    user = make_user("recruiter")
    down = app_down.test_client()
    statuses = [down.get("/c/not-a-token/").status_code for _ in range(3)]
    assert statuses[0] in (404, 503) and statuses[1:] == [404, 404]
    page = down.get("/login")
    assert page.status_code == 200
    login = down.post("/login", data={"email": user.email, "password": PASSWORD})
    assert login.status_code in (302, 400)  # never a 500; 400 is the CSRF check


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_config(prefix: Path, app_port: int, http_port: int, https_port: int) -> Path:
    """deploy/nginx.conf with this machine's ports and a throwaway certificate."""
    cert, key = self_signed(prefix)
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/jobs.example.com/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/jobs.example.com/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in site, old
        site = site.replace(old, new)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {prefix};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = prefix / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        f"events {{}}\nhttp {{\n{temp}\n{site}\n}}\n"
    )
    return main


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.slow
def test_nginx_and_gunicorn_as_documented(app, make_user, tmp_path):
    user = make_user("recruiter", name="Rita Deploy")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    config = nginx_config(prefix, app_port, http_port, https_port)
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(prefix), "-c", str(config)], capture_output=True
    )
    assert checked.returncode == 0, checked.stderr.decode()
    nginx = subprocess.Popen(
        ["nginx", "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
        stderr=subprocess.DEVNULL,
    )
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our own throwaway certificate
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), jar, _NoRedirect
    )

    def fetch(url, data=None, extra=None):
        # As a browser at https://jobs.example.com would send them (nginx passes $host).
        headers = {"Host": HOST, "Referer": f"https://{HOST}/login", **(extra or {})}
        try:
            with opener.open(urllib.request.Request(url, data, headers), timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    try:
        with gunicorn(environment(app), app_port, workers=2):
            base = f"https://127.0.0.1:{https_port}"
            status, headers, _ = fetch(f"http://127.0.0.1:{http_port}/login")
            assert status == 301 and headers["Location"].startswith("https://")
            status, headers, page = fetch(f"{base}/login")
            assert status == 200
            assert headers.get_all("Strict-Transport-Security") == [
                "max-age=31536000; includeSubDomains"
            ]
            cookie = headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie
            form = f"email={user.email}&password={PASSWORD.replace(' ', '+')}"
            form += f"&csrf_token={csrf_token(page)}"
            status, headers, answer = fetch(f"{base}/login", form.encode())
            assert status == 302, answer
            status, headers, home = fetch(f"{base}/admin/", extra={"X-Request-ID": "mine-1"})
            assert status == 200 and "Rita Deploy" in home
            # nginx's own request id reaches the app's logs and the answer, not the client's
            assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"]), headers["X-Request-ID"]
            status, _, health = fetch(f"{base}/healthz")
            health = json.loads(health)  # signed in: with the limits and where they count
            assert status == 200 and (health["status"], health["database"]) == ("ok", "ok")
            assert health["limits_counted_in"].endswith("(shared by every worker)")
    finally:
        nginx.terminate()
        nginx.wait(10)


def test_a_generated_key_is_accepted():
    assert production(SECRET_KEY=secrets.token_urlsafe(32)).config["SECRET_KEY"]
