"""docs/security.md, row L13: no full candidate token in any log line, in the
development server's access log, gunicorn's access log, or SQL debug logging."""

import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from portal.candidates import links
from portal.candidates.actions import reissue_link
from portal.candidates.redact import redact

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection.request(method, path, body=urlencode(body) if body else None, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


def exercise(port: int, token: str, other_token: str) -> None:
    """Good, bad and hostile requests, and every action, as in L1-L12."""
    status, html = request(port, "GET", f"/c/{token}/")
    assert status == 200
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    for bad in (token[:-1], token + "x", token.replace(".", "!"), "A" * 500):
        assert request(port, "GET", f"/c/{bad}/")[0] == 404
    assert request(port, "GET", f"/c/{token}/withdraw")[0] == 404
    assert request(port, "POST", f"/c/{token}/withdraw", {"form_token": "x"})[0] == 400
    assert request(port, "POST", "/c/fresh-link", {"email": "ada@example.org"})[0] == 200
    assert request(port, "GET", f"/c/{other_token}/?utm=1")[0] == 200
    withdraw = {"form_token": form_token, "confirm": "yes"}
    assert request(port, "POST", f"/c/{token}/withdraw", withdraw)[0] == 303


def test_redact():
    token = "IjRZa0tfcndyd2dDendYUGlWNGl4SVEi.aweM1w.MQyvr865P6fgU_EK95pGzqIO8dA"
    assert redact(f'"GET /c/{token}/ HTTP/1.1" 200') == '"GET /c/[token]/ HTTP/1.1" 200'
    assert redact(f"('INSERT', ['{token}'])") == "('INSERT', ['[token]'])"
    assert redact("POST /c/fresh-link HTTP/1.1") == "POST /c/fresh-link HTTP/1.1"


def test_l13_development_server_and_sql_logs(app, caplog, make_application):
    caplog.set_level(logging.DEBUG)  # everything, SQL parameters included
    one = make_application(email="ada@example.org")
    two = make_application()
    reissue_link(None, two)
    tokens = [links.live(one).token, links.live(two).token]
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        exercise(server.server_port, *tokens)
    finally:
        server.shutdown()
        thread.join()
    messages = [record.getMessage() for record in caplog.records]
    assert any("/c/[token]/" in m for m in messages), "the access log was not captured"
    assert any("INSERT" in m for m in messages), "SQL debug logging was not captured"
    for token in tokens:
        for part in (token, token.split(".")[0] + "." + token.split(".")[1]):
            assert part not in caplog.text
            assert not any(part in m for m in messages)


@pytest.mark.slow
def test_l13_gunicorn_access_log(app, database_url, make_application, tmp_path):
    one, two = make_application(email="ada@example.org"), make_application()
    tokens = [links.live(one).token, links.live(two).token]
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
        "PORTAL_BASE_URL": app.config["BASE_URL"],
        "PORTAL_MAIL_URL": "outbox",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers=1",
                f"--bind=127.0.0.1:{port}",
                "--access-logfile=-",
                "--error-logfile=-",
                f"--chdir={tmp_path}",
                "portal:create_app()",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            exercise(port, *tokens)
        finally:
            server.terminate()
            server.wait(timeout=20)
    text = log.read_text()
    assert '"GET /c/[token]/ HTTP/1.1" 200' in text
    assert '"POST /c/fresh-link HTTP/1.1" 200' in text
    for token in tokens:
        assert token not in text
        assert token.split(".")[0] not in text
