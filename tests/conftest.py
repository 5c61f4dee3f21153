"""Fixtures: an app on a fresh database (SQLite file, or PostgreSQL when
PORTAL_TEST_DATABASE=postgres), a client, a CLI runner, factories, a login helper, a live
server and a headless Chromium."""

import functools
import itertools
import os
import threading

import psycopg
import pytest
from flask import g
from helpers import smtp
from helpers.database import BACKEND
from helpers.database import PG_DSN
from helpers.factories import PASSWORD
from helpers.http import Auth
from helpers.ports import free_port
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from portal import create_app
from portal import domain
from portal.store import db
from portal.store import schema
from portal.store.models import Application
from portal.store.models import DbInfo
from portal.store.models import Job
from portal.store.models import MODELS
from portal.store.models import User


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "unchecked_email(reason): the test makes a bad candidate email on purpose; the "
        "every-email check leaves it alone and the summary prints the reason",
    )


#: What the every-email check did this session, for the terminal summary.
EMAIL_CHECK = {"emails": 0, "tests": 0, "left alone": []}


@pytest.fixture(autouse=True)
def every_candidate_email(request):
    """After every test with a database, before it goes: each email to a candidate (about
    a change, or their link) passes ``smtp.check_candidate_mail``: a Reply-To, the words
    of its change in text and HTML, the page's link, nothing internal."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")  # so that this teardown runs before the app's
    yield
    marker = request.node.get_closest_marker("unchecked_email")
    if marker is not None:
        reason = marker.kwargs.get("reason") or next(iter(marker.args), "")
        if not reason:
            pytest.fail("@pytest.mark.unchecked_email needs its reason")
        EMAIL_CHECK["left alone"].append(f"{request.node.nodeid}: {reason}")
        return
    with app.app_context(), db.database.connection_context():
        EMAIL_CHECK["emails"] += smtp.check_every_candidate_mail(app.config["REPLY_TO_RECRUITER"])
    EMAIL_CHECK["tests"] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """How many candidate emails the every-email check read, so that it cannot check
    nothing unnoticed."""
    if not EMAIL_CHECK["tests"] and not EMAIL_CHECK["left alone"]:
        return
    terminalreporter.write_sep("-", "every candidate email")
    terminalreporter.write_line(
        f"{EMAIL_CHECK['emails']} candidate emails checked after {EMAIL_CHECK['tests']} tests"
    )
    for line in EMAIL_CHECK["left alone"]:
        terminalreporter.write_line(f"not checked: {line}")


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL database for this run, dropped at the end."""
    name = f"portal_test_{os.getpid()}"
    try:
        admin = psycopg.connect(PG_DSN + "/postgres", connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but is not reachable: {error}")
        pytest.exit(
            f"PostgreSQL not reachable at {PG_DSN} ({error}); skipping the PostgreSQL run.", 0
        )
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    yield f"{PG_DSN}/{name}"
    if db.database.obj:
        db.database.close_all()
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def database_url(request, tmp_path):
    if BACKEND == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'portal.sqlite3'}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-key-Gq4Vx8Rm2Lp6Tz0Wb3Ny7Hc5Kd9Fs1Je8Ua",
            "DATABASE_URL": database_url,
            "MAIL_URL": "outbox",
            "BASE_URL": "https://jobs.example.com",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SITE_DIR": "",
            "HOLIDAY_COUNTRY": "GB-ENG",
        }
    )
    app.instance_path = str(tmp_path / "instance")
    schema.create_schema()
    app.teardown_request(_forget_request_state)
    if BACKEND == "postgres":
        _truncate()
    with app.app_context():
        yield app
    db.database.close_all()


def _forget_request_state(exc):
    """Test requests reuse the test's app context, so ``g`` would carry one client's
    signed-in user and CSRF token into another client's request; in production every
    request gets a fresh ``g``."""
    for name in ("_login_user", "csrf_token", "csrf_valid"):
        g.pop(name, None)


def _truncate():
    tables = ", ".join(f'"{m._meta.table_name}"' for m in MODELS if m._meta.table_name != "db_info")
    with db.database.connection_context():
        db.database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        # db_info keeps the schema version; the rest (facts' basis, the worker's days) goes.
        DbInfo.delete().where(DbInfo.key != "schema_version").execute()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@functools.cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD)


_serial = itertools.count(1)


@pytest.fixture
def make_user(app):
    """Create a member of staff: make_user("manager", name="Mo")."""

    def make(role="recruiter", email=None, name=None, active=True) -> User:
        n = next(_serial)
        return User.create(
            email=email or f"{role}{n}@example.com",
            name=name or f"{role.title()} {n}",
            role=role,
            password_hash=_password_hash(),
            active=active,
        )

    return make


@pytest.fixture
def make_job(make_user):
    """Create a job with the default pipeline through the domain."""

    def make(title="Backend Engineer", recruiter=None, managers=(), **fields) -> Job:
        return domain.save_job(
            None,
            title=title,
            recruiter=recruiter or make_user("recruiter"),
            managers=managers,
            **fields,
        )

    return make


@pytest.fixture
def make_application(make_job):
    """Add a candidate to a job through the domain."""

    def make(job=None, name="Ada Lovelace", email=None, **fields) -> Application:
        job = job or make_job()
        return domain.add_application(
            None, job, name, email or f"cand{next(_serial)}@example.org", **fields
        )

    return make


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def sql_statements(app, monkeypatch):
    """Every SQL statement the app runs from here on, in order (to count queries)."""
    statements: list[str] = []
    real = db.database.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return real(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.database.obj, "execute_sql", counting)
    return statements


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (tests/helpers/chromium.py), one a
    module."""
    from helpers.chromium import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def server(app):
    """The app served on loopback by werkzeug's threaded server: its base URL. In this
    process (pytest-flask's ``live_server`` starts another), so the test's app is served."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1 (aiosmtpd), with the app's PORTAL_MAIL_URL pointing
    at it. ``smtp_server.messages`` holds what it received; ``.stop()`` takes it down and
    ``.start()`` brings it back on the same port."""
    inbox = smtp.SmtpInbox()
    inbox.port = free_port()
    inbox.url = f"smtp://127.0.0.1:{inbox.port}"
    inbox.controller = None
    inbox.start = functools.partial(smtp.start, inbox)
    inbox.stop = functools.partial(smtp.stop, inbox)
    app.config["MAIL_URL"] = inbox.url
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def umask_022(monkeypatch):
    """The usual umask (022) whatever the run's own, and no chmod: a private file must get
    its mode when it is created, or others could open it before the chmod."""
    previous = os.umask(0o022)

    def chmod(*args, **kwargs):
        raise AssertionError(f"chmod{args}: the mode must be given when the file is created")

    monkeypatch.setattr(os, "chmod", chmod)
    monkeypatch.setattr(os, "fchmod", chmod)
    yield
    os.umask(previous)
