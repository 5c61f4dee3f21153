"""Candidate tokens never reach a log: every record is redacted as it is made.

A token is the key to a person's page; werkzeug's and gunicorn's access logs, Flask's
error log, SQL parameters and tracebacks would otherwise carry it.
"""

import logging
import re

#: A candidate token in a log line: a /c/ path segment (whatever it holds), or anything
#: shaped like a signed link token (payload.timestamp.signature), e.g. in SQL parameters.
TOKEN_IN_TEXT = re.compile(r"/c/(?!fresh-link\b)[^/\s\"'?#]+|[\w-]{16,}\.[\w-]{4,8}\.[\w-]{20,}")

#: Formats a record's exception as every ``logging.Formatter`` does by default.
_TRACEBACKS = logging.Formatter()


def redact(text: str) -> str:
    """``text`` with every candidate token replaced by a placeholder."""
    return TOKEN_IN_TEXT.sub(_placeholder, text)


def _placeholder(match: re.Match) -> str:
    return "/c/[token]" if match.group().startswith("/c/") else "[token]"


def install() -> None:
    """Make every log record (werkzeug's and gunicorn's access logs, Flask's error log)
    say /c/[token] instead of a candidate's token: a token is the key to their page."""
    global _previous_factory
    if logging.getLogRecordFactory() is not _make_record:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_make_record)


_previous_factory = logging.getLogRecordFactory()


def _make_record(*args, **kwargs) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    redact_record(record)
    return record


def redact_record(record: logging.LogRecord) -> None:
    """Redact ``record`` in place: its message, its traceback and its stack.

    The traceback is formatted here, once, and kept as ``exc_text``, which every
    ``logging.Formatter`` (text, JSON, gunicorn's) prints instead of formatting
    ``exc_info`` again: an exception's message, a repr in it, a note or a chained
    cause would otherwise print a token in full."""
    try:
        text = record.getMessage()
    except (TypeError, ValueError, KeyError):
        text = None  # logging reports the broken format itself when it emits
    if text is not None and (redacted := redact(text)) != text:
        record.msg, record.args = redacted, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
