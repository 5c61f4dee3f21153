"""A11 of docs/security.md: failed sign-ins spread over several gunicorn workers hit the
limit as configured, whatever the worker count; several workers on per-process counters
refuse to start; staff can read the limits in force on /healthz."""

import secrets
import subprocess

import pytest
from helpers.factories import PASSWORD
from helpers.http import csrf_token
from helpers.ports import free_port
from helpers.serving import Browser
from helpers.serving import CONFIG
from helpers.serving import environment
from helpers.serving import GUNICORN
from helpers.serving import gunicorn
from helpers.serving import ROOT


@pytest.mark.slow
def test_several_workers_on_per_process_counters_refuse_to_start(app):
    env = environment(app, PORTAL_REDIS_URL="")
    started = subprocess.run(
        [str(GUNICORN), "-c", str(CONFIG), f"--bind=127.0.0.1:{free_port()}", "--workers=3"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    line = [ln for ln in started.stderr.splitlines() if ln.startswith("portal: ")]
    assert line == [
        "portal: 3 workers would each count rate limits alone (memory://), so every limit "
        "would be 3 times looser: set PORTAL_REDIS_URL (e.g. redis://127.0.0.1:6379/0) or "
        "run one worker (WEB_CONCURRENCY=1)."
    ]


@pytest.mark.slow
def test_the_sign_in_limit_holds_across_three_workers(app, make_user):
    # Fresh counters in Redis (it outlives test runs): a new account and client address.
    user = make_user("recruiter", email=f"workers-{secrets.token_hex(6)}@example.com")
    env = environment(app, PORTAL_LOGIN_RATE_LIMIT="5 per 5 minutes")
    client = f"203.0.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    port = free_port()
    with gunicorn(env, port, workers=3):
        statuses = [Browser(port, client=client).login(user.email, "wrong") for _ in range(8)]
    assert statuses == [401] * 5 + [429] * 3


def test_staff_read_the_limits_and_where_they_are_counted(app, client, make_user):
    user = make_user("recruiter")
    page = client.get("/login")
    client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    )
    health = client.get("/healthz").get_json()
    assert health["limits"]["login_rate_limit"] == app.config["LOGIN_RATE_LIMIT"]
    assert health["limits_counted_in"] == "memory:// (each process alone)"


def test_anonymous_health_checks_learn_nothing_about_limits(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_a_password_in_the_redis_url_is_not_shown(app, client, make_user):
    app.config["REDIS_URL"] = "redis://:s3cret@127.0.0.1:6379/0"
    user = make_user("recruiter")
    page = client.get("/login")
    client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    )
    where = client.get("/healthz").get_json()["limits_counted_in"]
    assert where == "redis://127.0.0.1:6379/0 (shared by every worker)"
