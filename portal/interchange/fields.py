"""Reading an import file: its fields typed and checked, errors naming file and record."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import UTC
from pathlib import Path

from portal.errors import DomainError
from portal.errors import Invalid

SECTIONS = ("users", "jobs", "applications", "closure_reasons")
USER_FIELDS = ("email", "name", "role", "active", "password")
JOB_FIELDS = ("ref", "title", "team", "location", "open", "stale_days", "recruiter", "managers")
STAGE_FIELDS = (
    "name",
    "candidate_label",
    "description",
    "next_steps",
    "follow_up_days",
    "interview",
)
APPLICATION_FIELDS = (
    *("ref", "job", "candidate", "stage", "status", "created", "reply_by", "next_steps"),
    *("closure_note", "closed_reason", "closed", "timezone", "interviews", "events", "feedback"),
    "closure_reason",
)
EVENT_FIELDS = (
    *("at", "kind", "actor", "visible", "message", "next_steps", "reply_by"),
    *("from_stage", "to_stage", "interview", "via"),
)
INTERVIEW_FIELDS = (
    *("uid", "stage", "sequence", "starts", "ends", "timezone", "format", "place"),
    *("meeting", "prepare", "cancelled", "feedback_asked", "created"),
)
FEEDBACK_FIELDS = (
    *("at", "author", "stage", "rating", "recommendation", "strengths", "concerns"),
    *("share_strengths", "share_concerns", "ratings", "edited"),
)
#: A job's interview kit, a criterion a row: ``stage`` null for the job's own kit.
KIT_FIELDS = ("stage", "name", "guidance")
#: One criterion rated on a scorecard, matched to the kit by its name.
RATING_FIELDS = ("name", "score", "note")
#: The years a date of the file may fall in: anything outside is a typo or garbage (and
#: year 1 or 9999 with an offset does not even convert to UTC).
YEARS = range(1970, 2201)
JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "text",
    bool: "true or false",
    int: "a whole number",
    float: "a decimal number",
}


class ImportFailed(Invalid):
    """A record of the file cannot be imported; the message names the file and the record."""


@dataclass
class Counts:
    """What an import created, and what it found already there and left alone."""

    created: dict = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    present: dict = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    #: ``--sync``: records already there that the file changed.
    updated: dict = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    #: Users created without a password: they cannot sign in until one is set.
    passwordless: list = field(default_factory=list)


# --- reading fields -----------------------------------------------------------------


def json_kind(value) -> str:
    """How JSON names the type of ``value``."""
    return "null" if value is None else JSON_TYPES.get(type(value), type(value).__name__)


def as_object(value, allowed) -> dict:
    """``value`` as an object with only ``allowed`` fields."""
    if not isinstance(value, dict):
        raise Invalid(f"expected an object, found {json_kind(value)}")
    for name in value:
        if name not in allowed:
            raise Invalid(f"unknown field {name!r} (expected {', '.join(allowed)})")
    return value


def typed(data: dict, key: str, types, default=None, required=False):
    """``data[key]`` checked against ``types`` (bool never counts as a number)."""
    value = data.get(key)
    if value is None:
        if required:
            raise Invalid(f"{key} is required")
        return default
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise Invalid(f"{key} must be {JSON_TYPES[types[0]]}, not {json_kind(value)}")
    return value


def text(data: dict, key: str, required=False) -> str:
    """``data[key]`` as text; empty when absent unless ``required``."""
    value = typed(data, key, (str,), "", required)
    if required and not value.strip():
        raise Invalid(f"{key} is required")
    return value


def as_date(data: dict, key: str) -> date | None:
    """``data[key]`` as a date (YYYY-MM-DD), or None when absent."""
    value = typed(data, key, (str,))
    try:
        day = value and date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from None
    return day and _in_range(day, key, value)


def as_moment(data: dict, key: str, required=False) -> datetime | None:
    """A date and time; with an offset it is converted to UTC, without one it is UTC."""
    value = typed(data, key, (str,), required=required)
    try:
        moment = value and datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(
            f"{key}: {value!r} is not a date and time (e.g. 2026-03-02T09:30:00Z)"
        ) from None
    if moment:
        _in_range(moment, key, value)
    if moment and moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _in_range(moment, key: str, value: str):
    """``moment`` if its year is one of YEARS, else Invalid."""
    if moment.year not in YEARS:
        raise Invalid(f"{key}: {value!r} is out of range (years {YEARS[0]} to {YEARS[-1]})")
    return moment


@contextmanager
def naming(source: str, where: str) -> Iterator[None]:
    """Name the file and the record in any error raised inside."""
    try:
        yield
    except ImportFailed:
        raise
    except DomainError as error:
        raise ImportFailed(f"{source}: {where}: {error.message}") from None


def label(section: str, index: int, data, key: str) -> str:
    """How an error names a record: ``applications[12] (ref A-17)``."""
    label = data.get(key) if isinstance(data, dict) else None
    return f"{section}[{index}]" + (f" ({key} {label})" if isinstance(label, str) else "")


# --- reading files ------------------------------------------------------------------


def read_text(path: str) -> str:
    """The file's text, or ImportFailed saying why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError as error:
        raise ImportFailed(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise ImportFailed(f"{path}: cannot be read: {error.strerror}") from None


def read_document(path: str) -> dict:
    """The JSON document of ``path``, its shape checked."""
    try:
        document = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise ImportFailed(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except ValueError as error:  # a number of more digits than int() converts
        raise ImportFailed(f"{path}: not valid JSON: {str(error).partition(':')[0]}") from None
    except RecursionError:
        raise ImportFailed(f"{path}: not valid JSON: lists or objects nested too deeply") from None
    with naming(path, "top level"):
        as_object(document, SECTIONS)
        for section in SECTIONS:
            typed(document, section, (list,))
    return document
