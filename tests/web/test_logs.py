"""Logging (portal/web/logs.py, portal/candidates/redact.py): every line carries its
request's id, a hostile X-Request-ID is not believed, and no candidate token reaches
the output, tracebacks included, in text or JSON. What is read here is what the real
handler wrote to standard error."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import current_app

from portal import create_app
from portal.candidates import links
from portal.settings.checks import UnsafeSettings
from portal.store.models import Task
from portal.web import logs

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def restore_logging():
    """Put the root logger back as the app fixture left it, whatever a test configured."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def token(make_application):
    return links.live(make_application()).token


@pytest.fixture
def routes(app, token):
    """Two views added for the test: one that logs twice, one that fails with the
    candidate's token in its exception, a note, a repr and a chained cause."""

    def chatty():
        current_app.logger.info("first line")
        logging.getLogger("portal.elsewhere").warning("second line")
        return "ok"

    def failing():
        pages: dict[str, str] = {}
        path = f"/c/{token}/"
        try:
            return pages[token]  # KeyError: the traceback prints the local's repr
        except KeyError as error:
            error.add_note(f"while serving {path!r}")
            raise RuntimeError(f"no page for {token}") from error

    app.add_url_rule("/test/chatty", "chatty", chatty)
    app.add_url_rule("/test/failing", "failing", failing)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # Flask logs the failure, as in production


def lines(capsys) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_every_line_of_a_request_carries_its_id(client, routes, capsys):
    capsys.readouterr()
    response = client.get("/test/chatty")
    given = response.headers["X-Request-ID"]
    assert GENERATED.fullmatch(given)
    logged = [line for line in lines(capsys) if "line" in line]
    assert len(logged) == 2
    assert all(f"[{given}]" in line for line in logged)
    assert " INFO portal " in logged[0] and " WARNING portal.elsewhere " in logged[1]
    again = client.get("/test/chatty").headers["X-Request-ID"]
    assert again != given


def test_a_proxys_safe_request_id_is_kept_and_echoed(client, routes, capsys):
    capsys.readouterr()
    response = client.get("/test/chatty", headers={"X-Request-ID": "nginx-4f2a_9B"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a_9B"
    assert all("[nginx-4f2a_9B]" in line for line in lines(capsys) if "line" in line)


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "x" * 65,
        "two words",
        "id\r\nSet-Cookie: session=stolen",
        "id\nINFO portal [admin] forged line",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "IjRZa0tfcndyd2dDendYUGlWNGl4SVEi.aweM1w.MQyvr865P6fgU_EK95pGzqIO8dA",
        "caf\u00e9",
        "a;b=c",
        "%0d%0a",
    ],
)
def test_a_hostile_request_id_is_replaced_by_our_own(client, routes, capsys, hostile):
    capsys.readouterr()
    # Raw, as a server would hand it over: the test client would refuse a newline.
    response = client.get("/test/chatty", environ_overrides={"HTTP_X_REQUEST_ID": hostile})
    ours = response.headers["X-Request-ID"]
    assert GENERATED.fullmatch(ours)
    output = "\n".join(lines(capsys))
    assert f"[{ours}]" in output
    if hostile:
        assert hostile not in output


def test_a_candidate_response_keeps_its_fixed_headers(client, token):
    """Every dead link is the same bytes, headers included: no per-request id under /c/."""
    assert "X-Request-ID" not in client.get(f"/c/{token}/").headers
    assert "X-Request-ID" not in client.get("/c/not-a-token/").headers


def assert_redacted(text: str, token: str) -> None:
    payload, stamp, _ = token.split(".")
    assert token not in text and payload not in text and f"{payload}.{stamp}" not in text
    assert "[token]" in text


def test_a_token_in_a_traceback_is_redacted_in_text(client, routes, token, capsys):
    capsys.readouterr()
    response = client.get("/test/failing")
    assert response.status_code == 500
    output = capsys.readouterr().err
    assert f"[{response.headers['X-Request-ID']}] Exception on /test/failing [GET]" in output
    assert "Traceback (most recent call last)" in output
    assert "KeyError: '[token]'" in output  # the local's repr
    assert "while serving '/c/[token]/'" in output  # the note
    assert "RuntimeError: no page for [token]" in output  # the message
    assert "The above exception was the direct cause" in output  # the chain
    assert_redacted(output, token)


def test_a_token_in_a_traceback_and_a_message_is_redacted_in_json(
    client, routes, token, capsys, restore_logging
):
    logs.configure("INFO", "json")
    capsys.readouterr()
    response = client.get("/test/failing")
    with current_app.test_request_context("/anything", headers={"X-Request-ID": "req-7"}):
        try:
            raise LookupError(token)
        except LookupError:
            logging.getLogger("portal.test").exception("link %s failed", token)
        logging.getLogger("portal.test").info("where: /c/%s/", token, stack_info=True)
    output = capsys.readouterr().err
    entries = [json.loads(line) for line in output.splitlines()]  # every line parses
    failure = next(e for e in entries if e["message"] == "Exception on /test/failing [GET]")
    assert failure["level"] == "ERROR" and failure["logger"] == "portal"
    assert failure["request_id"] == response.headers["X-Request-ID"]
    assert "KeyError: '[token]'" in failure["exception"]
    assert "RuntimeError: no page for [token]" in failure["exception"]
    logged = next(e for e in entries if e["message"] == "link [token] failed")
    assert logged["request_id"] == "req-7"
    assert "LookupError: [token]" in logged["exception"]
    where = next(e for e in entries if e["message"] == "where: /c/[token]/")
    assert "Stack (most recent call last)" in where["stack"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", where["time"])
    assert_redacted(output, token)


def test_the_worker_logs_through_the_same_configuration(app, database_url):
    """`portal worker`, a process of its own built by create_app, logs as the settings
    say: JSON here, with '-' for the id of a line logged outside any request."""
    Task.enqueue("fresh_links", wrong="payload")  # its handler fails, and says so
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
        "PORTAL_BASE_URL": app.config["BASE_URL"],
        "PORTAL_MAIL_URL": "outbox",
        "PORTAL_LOG_FORMAT": "json",
    }
    worker = subprocess.run(
        [str(Path(sys.executable).parent / "portal"), "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr
    entries = [json.loads(line) for line in worker.stderr.splitlines()]
    failed = [e for e in entries if "task" in e["message"] and "failed" in e["message"]]
    assert failed, worker.stderr
    assert (failed[0]["level"], failed[0]["request_id"]) == ("WARNING", "-")


def test_the_level_setting_drops_quieter_lines(client, routes, capsys, restore_logging):
    logs.configure("warning", "text")
    capsys.readouterr()
    client.get("/test/chatty")
    logged = [line for line in lines(capsys) if "line" in line]
    assert len(logged) == 1 and "second line" in logged[0]


def test_create_app_installs_one_handler_from_the_settings(restore_logging):
    config = {"TESTING": True, "DATABASE_URL": "sqlite:///:memory:"}
    create_app({**config, "LOG_LEVEL": "error", "LOG_FORMAT": "JSON"})
    app = create_app({**config, "LOG_LEVEL": "DEBUG"})
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, logs.StderrHandler)]
    assert len(ours) == 1  # building the app again replaced it
    assert not isinstance(ours[0].formatter, logs.JsonFormatter)
    assert root.level == logging.DEBUG
    assert not app.logger.handlers  # the app's lines go through the root's handler only


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"LOG_LEVEL": "verbose"},
            "PORTAL_LOG_LEVEL: 'verbose' is not a log level; use one of DEBUG, INFO, WARNING, "
            "ERROR, CRITICAL, such as INFO",
        ),
        (
            {"LOG_FORMAT": "xml"},
            "PORTAL_LOG_FORMAT: 'xml' is not a log format; use text (lines for people) or json "
            "(one object a line, for a log shipper)",
        ),
        (
            {"LOG_LEVEL": 10},
            "PORTAL_LOG_LEVEL: 10 is not text; use text such as 'INFO'",
        ),
    ],
)
def test_a_wrong_log_setting_is_refused_at_startup(changes, line):
    with pytest.raises(UnsafeSettings) as refused:
        create_app({"TESTING": True, "DATABASE_URL": "sqlite:///:memory:", **changes})
    assert str(refused.value).splitlines() == [line]
