"""Logging in one place: one handler on the root logger, writing to standard error at
``PORTAL_LOG_LEVEL`` as text or JSON lines (``PORTAL_LOG_FORMAT``), each line carrying
the id of the request it was logged in.

The app, `portal worker` and every `portal` command log through it, as all of them are
built by ``create_app``. Candidate tokens are redacted from every record, traceback and
stack included, as the record is made (``portal.candidates.redact``), before any
formatter here or gunicorn's sees it.
"""

import json
import logging
import re
import secrets
import sys
import time

from flask import Flask
from flask import has_request_context
from flask import request
from flask.logging import default_handler

#: An incoming ``X-Request-ID`` is kept only when it is this: short, and nothing a log
#: line or a header could be bent by (no spaces, quotes, dots, slashes or newlines, so
#: never a candidate token's shape either). Anything else gets an id of our own.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

#: Where a request keeps its id: in its WSGI environ, so that it is the request's own
#: (tests run many requests in one app context, where ``g`` would be shared).
ENVIRON_KEY = "portal.request_id"

#: What a line logged outside any request (the worker, a command) shows as its id.
NO_REQUEST = "-"

TEXT_FORMAT = "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s [%(request_id)s] %(message)s"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is logged (gunicorn's redirect,
    pytest's capture), not what it was when the app was built."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass  # always sys.stderr, as above


def init_app(app: Flask) -> None:
    """Log as the settings say, and give every response outside /c/ the request's id."""
    configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    # Flask's own handler would print each of the app's lines a second time, and its
    # DEBUG level in debug runs would overrule the setting: the root's level decides.
    app.logger.removeHandler(default_handler)
    app.logger.setLevel(logging.NOTSET)
    app.after_request(_echo_request_id)


def configure(level: str, form: str) -> StderrHandler:
    """Send every log record at ``level`` or above to standard error, as text or JSON
    (``form``), through one handler on the root logger; returns the handler."""
    handler = StderrHandler()
    handler.addFilter(add_request_id)
    handler.setFormatter(JsonFormatter() if form.lower() == "json" else text_formatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)  # an app built again (tests, `portal shell`) replaces it
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler


def request_id() -> str:
    """This request's id: its ``X-Request-ID`` when that is a short safe token (a proxy's
    id, so that its log and ours can be matched), else a random one of our own."""
    environ = request.environ
    if ENVIRON_KEY not in environ:
        given = request.headers.get("X-Request-ID", "")
        environ[ENVIRON_KEY] = given if SAFE_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)
    return environ[ENVIRON_KEY]


def add_request_id(record: logging.LogRecord) -> bool:
    """Give ``record`` the id of the request it is logged in (a handler's filter: it sees
    every line, whichever logger made it)."""
    record.request_id = request_id() if has_request_context() else NO_REQUEST
    return True


def _echo_request_id(response):
    # Candidate responses keep their one fixed set of headers: every dead link must be
    # the same bytes, headers included, whatever failed (docs/security.md).
    if not request.path.startswith("/c/"):
        response.headers["X-Request-ID"] = request_id()
    return response


def text_formatter() -> logging.Formatter:
    """One line for people: UTC time, level, logger, [request id], message; then the
    (already redacted) traceback, if any."""
    formatter = logging.Formatter(TEXT_FORMAT, TIME_FORMAT)
    formatter.converter = time.gmtime
    return formatter


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for a log shipper: time, level, logger, request_id,
    message, and the traceback and stack as text when there are any."""

    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": f"{self.formatTime(record, TIME_FORMAT)}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
