"""Every setting, declared once: its name, default and one line of help.

Each comes from ``PORTAL_<NAME>`` in the environment, else from ``config.py`` in the
instance folder (without the prefix), else the default here. The README's table of
settings is this list (tests/test_docs.py checks it text for text, and prints it
when they differ). ``problems`` lists the values that are wrong (in every run) or
would run the portal unsafely, one line each with what to change.
"""

import difflib
import ipaddress
import math
import os
from collections import Counter
from collections.abc import Callable
from datetime import date
from datetime import time
from email.utils import parseaddr
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import available_timezones
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

import holidays
import limits
from flask import Flask
from limits.storage import SCHEMES as LIMITS_SCHEMES

#: The published development key: accepted only in demo, debug and test runs.
DEMO_SECRET = "demo-only-secret-not-for-production"

#: What Redis addresses the rate limiter (the ``limits`` library) can count in.
REDIS_SCHEMES = ("redis", "rediss", "redis+unix")

#: What portal/mail/transport.py delivers over (besides ``outbox``).
MAIL_SCHEMES = ("smtp", "smtp+starttls", "smtps")
#: What portal/store/db.py opens.
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")

#: The words a switch may be set with, in the environment.
ON = ("1", "true", "yes", "on")
OFF = ("0", "false", "no", "off", "")

#: The longest a count of days may be: a century (far more overflows the dates).
CENTURY = 36_500

#: The least a secret key must carry: 128 bits, what 32 random bytes comfortably give.
KEY_BITS = 128


class Setting(NamedTuple):
    """One setting: ``name`` without the ``PORTAL_`` prefix, its default, and its help."""

    name: str
    default: object
    help: str
    #: How the README shows the default, when the value alone would not say it.
    shown: str = ""
    #: The range a number must be in, both ends included.
    least: float | None = None
    most: float | None = None
    #: What a text value must be, beyond text: a key of ``KINDS`` ("zone", "rate"...).
    kind: str = ""

    @property
    def shown_default(self) -> str:
        """The default as the README shows it."""
        if self.shown:
            return self.shown
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        return f"`{self.default}`" if self.default not in ("", []) else "empty"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "",
        "`sqlite:///path` or `postgresql://user@host:port/db`",
        shown="SQLite file `instance/portal.sqlite3`",
        kind="database",
    ),
    Setting(
        "SECRET_KEY",
        "",
        "signs sessions, CSRF tokens and candidate links",
        shown="none (required outside demo/test)",
    ),
    Setting(
        "SECRET_KEY_FALLBACKS",
        [],
        "earlier keys, comma-separated, still accepted for candidate links while rotating",
    ),
    Setting(
        "BASE_URL",
        "http://127.0.0.1:5000",
        "public address of candidate pages; links and emails use it, never the Host header",
        kind="web",
    ),
    Setting(
        "MAIL_URL",
        "outbox",
        (
            "`smtp://host:port`, `smtp+starttls://user:pass@host:587`, `smtps://host:465`, "
            "or `outbox` (owner-only .eml files beside the database: `portal.outbox/` "
            "next to `portal.sqlite3`, `instance/outbox-<database>/` for PostgreSQL); a "
            "password needs TLS (plain `smtp://` only on loopback)"
        ),
        kind="mail",
    ),
    Setting(
        "MAIL_FROM",
        "Hiring team <hiring@example.com>",
        "From address of every email",
        kind="address",
    ),
    Setting(
        "REPLY_TO_RECRUITER",
        True,
        "candidate emails carry `Reply-To` the job's recruiter (off: answers go to MAIL_FROM)",
    ),
    Setting(
        "LINK_DAYS",
        180,
        "days a candidate link lives",
        least=1,
        most=CENTURY,
    ),
    Setting(
        "CLOSED_DAYS",
        60,
        "days a candidate page stays readable after the process closes",
        least=0,
        most=CENTURY,
    ),
    Setting(
        "COMPANY_NAME",
        "Example Ltd",
        "shown to candidates and in emails",
    ),
    Setting(
        "TIMEZONE",
        "Europe/London",
        "time zone for dates and business days",
        kind="zone",
    ),
    Setting(
        "HOLIDAY_COUNTRY",
        "GB",
        (
            "the working-day calendar of business days: the country's weekend (`IL`: "
            "Friday-Saturday), its make-up working days and public holidays (`GB`, `GB-SCT`, "
            "`US`, `CN`...; empty: Saturday-Sunday, no holidays)"
        ),
        kind="country",
    ),
    Setting(
        "EXTRA_HOLIDAYS",
        [],
        "extra company holidays, ISO dates, comma-separated",
        kind="dates",
    ),
    Setting(
        "SITE_DIR",
        "",
        "published static site; revoking a link deletes its page there at once",
    ),
    Setting(
        "SESSION_HOURS",
        12,
        ("hours a staff sign-in lasts; signing out, a new password or deactivation end it sooner"),
        least=1,
        most=8_760,
    ),
    Setting(
        "LOGIN_SLOWDOWN_SECONDS",
        1.0,
        (
            "once an account has had `PORTAL_LOGIN_RATE_LIMIT` failed sign-ins from anywhere, "
            "each further failure on it is answered this much later (the account is never "
            "locked)"
        ),
        least=0,
        most=10,
    ),
    Setting(
        "LOGIN_RATE_LIMIT",
        "10 per 5 minutes",
        "failed sign-ins allowed per client address (then 429) and per account (then slowed)",
        kind="rate",
    ),
    Setting(
        "RATE_LIMIT_STORAGE",
        "memory://",
        "rate-limit counters: `memory://` (one process) or `redis://host:6379` (shared by workers)",
        kind="storage",
    ),
    Setting(
        "PAGE_SIZE",
        50,
        "rows per page in admin lists",
        least=1,
        most=1_000,
    ),
    Setting(
        "DEAD_LINK_RATE_LIMIT",
        "30 per 10 minutes",
        "dead candidate links one client may open before it gets 429 (good links never count)",
        kind="rate",
    ),
    Setting(
        "FRESH_LINK_RATE_LIMIT",
        "5 per hour",
        '"email me a fresh link" requests per client address',
        kind="rate",
    ),
    Setting(
        "FRESH_LINK_ADDRESS_LIMIT",
        "3 per day",
        "fresh links emailed per address; more are silently dropped (the answer never changes)",
        kind="rate",
    ),
    Setting(
        "MAIL_TIMEOUT",
        10,
        "seconds to wait for the mail server before keeping a mail queued for later",
        least=1,
        most=300,
    ),
    Setting(
        "MAIL_MAX_ATTEMPTS",
        8,
        "failed attempts after which a mail is no longer retried automatically",
        least=1,
        most=100,
    ),
    Setting(
        "STATIC_ONLY",
        False,
        (
            "candidate pages are served only as static files with no app behind `PORTAL_BASE_URL`: "
            "pages carry no forms"
        ),
    ),
    Setting(
        "WORKER_POLL_SECONDS",
        2.0,
        "how often `portal worker` looks for queued tasks and mail",
        least=0.1,
        most=3_600,
    ),
    Setting(
        "REMIND_AT",
        "08:00",
        "time of day (company time zone) at which `portal worker` sends the daily reminders",
        kind="time",
    ),
    Setting(
        "PURGE_AT",
        "02:30",
        "time of day (company time zone) at which `portal worker` applies the retention policy",
        kind="time",
    ),
    Setting(
        "STALE_DAYS",
        10,
        (
            "business days overdue after which the follow-up queue proposes closing an "
            "application (a job's own limit wins)"
        ),
        least=1,
        most=365,  # as a job's own limit
    ),
    Setting(
        "AUTO_CLOSE_DAYS",
        0,
        (
            "business days overdue after which `portal remind` closes an application itself "
            "with the default note"
        ),
        shown="`0` (off)",
        least=0,
        most=CENTURY,
    ),
    Setting(
        "RETENTION_DAYS",
        365,
        "days after closure after which `portal purge` erases an application's personal data",
        least=0,
        most=CENTURY,
    ),
    Setting(
        "ERASURE_DAYS",
        7,
        (
            "days a candidate's own erasure request waits for a recruiter before `portal purge` "
            "carries it out (0: at once)"
        ),
        least=0,
        most=CENTURY,
    ),
    Setting(
        "REDIS_URL",
        "",
        "Redis for rate-limit counters shared by every worker, e.g. `redis://127.0.0.1:6379/0`",
        kind="redis",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        "reverse proxies in front of the app whose `X-Forwarded-*` headers are trusted (nginx: 1)",
        least=0,
        most=10,
    ),
    Setting(
        "DEMO",
        False,
        "allows the built-in development key; `make demo` sets it",
    ),
)


class UnsafeSettings(RuntimeError):
    """The settings are wrong or would run the portal unsafely; the message says what to
    change, one line per problem."""


def defaults() -> dict:
    """Every setting at its default (lists copied, so no app shares one)."""
    return {s.name: list(s.default) if isinstance(s.default, list) else s.default for s in SETTINGS}


def from_environment(setting: Setting, current):
    """``PORTAL_<name>`` parsed as the type of the setting's default; ``current`` (the
    default, or what config.py said) when unset. Text that does not parse stays text,
    for ``problems`` to name with every other mistake."""
    raw = os.environ.get(f"PORTAL_{setting.name}")
    if raw is None:
        return current
    default = setting.default
    if isinstance(default, bool):
        word = raw.strip().lower()
        return True if word in ON else False if word in OFF else raw
    if isinstance(default, int | float):
        try:
            return type(default)(raw)
        except ValueError:
            return raw
    if isinstance(default, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def readme_table() -> str:
    """The README's table of settings, generated from the declarations."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `PORTAL_{s.name}` | {s.shown_default} | {s.help} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"


# --- startup checks ----------------------------------------------------------------


def relaxed(app: Flask) -> bool:
    """Debug, demo and test runs may use a development key and plain http."""
    return bool(app.debug or app.testing or app.config["DEMO"])


def problems(app: Flask) -> list[str]:
    """Every wrong or unsafe setting, one line each saying what to change; empty when all
    is well. A wrong value (a time zone that does not exist, a number out of range) is
    refused in every run; unsafe ones are allowed in demo, debug and test runs."""
    config = app.config
    wrong = {s.name: line for s in SETTINGS if (line := wrong_value(s, config[s.name]))}
    return [*wrong.values(), *_mismatched(config, wrong), *_unsafe(app, wrong)]


def _mismatched(config, wrong: dict[str, str]) -> list[str]:
    """Settings right alone but wrong together."""
    days, stale = config["AUTO_CLOSE_DAYS"], config["STALE_DAYS"]
    if {"AUTO_CLOSE_DAYS", "STALE_DAYS"} & wrong.keys() or not days or days > stale:
        return []
    return [
        f"PORTAL_AUTO_CLOSE_DAYS: {days} is not longer than PORTAL_STALE_DAYS ({stale}); "
        f"use more than {stale}, or 0 to turn automatic closure off"
    ]


def _unsafe(app: Flask, wrong: dict[str, str]) -> list[str]:
    """The settings that would run the portal unsafely (those already wrong aside)."""
    config = app.config
    found = _unsafe_key(app) if "SECRET_KEY" not in wrong else []
    if "BASE_URL" not in wrong and not relaxed(app) and not _safe_base_url(config["BASE_URL"]):
        found.append(
            f"PORTAL_BASE_URL is {config['BASE_URL']!r}: candidate links and emails are built "
            "from it and each link is the key to a person's page, so it must be the public "
            "https:// address (TLS at nginx, see deploy/nginx.conf). Plain http is allowed "
            "only on this machine (127.0.0.1, localhost) or with FLASK_DEBUG=1 or PORTAL_DEMO=1."
        )
    mail = urlsplit(config["MAIL_URL"]) if "MAIL_URL" not in wrong else None
    if mail and mail.scheme == "smtp" and mail.password and not loopback(mail.hostname):
        found.append(
            "PORTAL_MAIL_URL sends a password over plain smtp://, readable on the network: "
            "use smtp+starttls:// or smtps://."
        )
    return found


def _unsafe_key(app: Flask) -> list[str]:
    """What is unsafe about the secret key: missing, published, or guessable."""
    key = app.config["SECRET_KEY"]
    if not key and not (app.config["DEMO"] or app.testing):
        return [
            "PORTAL_SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
            "and set it in the environment (or PORTAL_DEMO=1 for a local demo)."
        ]
    if relaxed(app) or not key:
        return []
    if key == DEMO_SECRET:
        return ["PORTAL_SECRET_KEY is the published demo key; generate a secret one."]
    if key_bits(key) < KEY_BITS:
        return [
            f"PORTAL_SECRET_KEY is too short or too regular to be secret (about "
            f"{key_bits(key):.0f} bits; it needs {KEY_BITS}): it signs "
            "sessions, CSRF tokens and candidate links. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        ]
    return []


# --- wrong values ------------------------------------------------------------------


def wrong_value(setting: Setting, value) -> str:
    """What is wrong with ``value`` for ``setting``, as one line that says what to change;
    empty when it is right. The default's type says what kind of value it must be;
    ``least``, ``most`` and ``kind`` say more."""
    name, default = f"PORTAL_{setting.name}", setting.default
    if isinstance(default, bool):
        if value in (True, False):  # config.py may say 1 or 0
            return ""
        return f"{name}: {value!r} is not on or off; use 1 or 0 (or true/false, yes/no, on/off)"
    if isinstance(default, int | float):
        return _wrong_number(setting, value)
    if isinstance(default, list):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return f"{name}: {value!r} is not a list; use a list of text (comma-separated)"
    elif not isinstance(value, str):
        return f"{name}: {value!r} is not text; use text such as {default!r}"
    return KINDS[setting.kind](setting, value) if setting.kind else ""


def _wrong_number(setting: Setting, value) -> str:
    """A whole or decimal number: not one at all, or out of its range."""
    whole = isinstance(setting.default, int)
    kind = "a whole number" if whole else "a number"
    fits = isinstance(value, int) if whole else isinstance(value, int | float)
    if not fits or isinstance(value, bool) or not math.isfinite(value):
        problem = f"is not {kind}"
    elif setting.least is not None and value < setting.least:
        problem = "is too small"
    elif setting.most is not None and value > setting.most:
        problem = "is too large"
    else:
        return ""
    return (
        f"PORTAL_{setting.name}: {value!r} {problem}; use {kind} from {setting.least} to "
        f"{setting.most}, such as {setting.default}"
    )


def _wrong_zone(setting: Setting, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        near = difflib.get_close_matches(value, available_timezones(), n=1) or [setting.default]
        return (
            f"PORTAL_{setting.name}: {value!r} is not a time zone; use an IANA name such "
            f"as {near[0]}"
        )
    return ""


def _wrong_country(setting: Setting, value: str) -> str:
    """The country (``GB``, or with a subdivision ``GB-SCT``) as portal.dates reads it."""
    if not value:
        return ""
    code, _, subdiv = value.partition("-")
    try:
        holidays.country_holidays(code, subdiv=subdiv or None)
    except NotImplementedError:
        known = holidays.list_supported_countries()
        if code in known:
            return (
                f"PORTAL_{setting.name}: {value!r} is not a subdivision of {code} that the "
                f"holidays library knows; use {code} or one of "
                f"{_few(f'{code}-{s}' for s in known[code])}"
            )
        near = code.upper() if code.upper() in known else "GB, GB-SCT or US"
        return (
            f"PORTAL_{setting.name}: {value!r} is not a country that the holidays library "
            f"knows; use an ISO 3166 code such as {near}, or nothing for a Saturday-Sunday "
            "weekend and no public holidays"
        )
    return ""


def _wrong_dates(setting: Setting, value: list[str]) -> str:
    bad = []
    for text in value:
        try:
            date.fromisoformat(text)
        except ValueError:
            bad.append(repr(text))
    if not bad:
        return ""
    are = "is not an ISO date" if len(bad) == 1 else "are not ISO dates"
    return f"PORTAL_{setting.name}: {_few(bad)} {are}; use dates such as 2026-12-24"


def _wrong_time(setting: Setting, value: str) -> str:
    try:
        moment = time.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is None:
        return ""
    return (
        f"PORTAL_{setting.name}: {value!r} is not a time of day; use hours and minutes in "
        f"PORTAL_TIMEZONE, such as {setting.default}"
    )


def _wrong_rate(setting: Setting, value: str) -> str:
    """One rate limit as the ``limits`` library reads it (one only: some are counted by
    hand, and of several only the first would count)."""
    try:
        count = len(limits.parse_many(value))
    except ValueError:
        count = 0
    if count == 1:
        return ""
    problem = f"holds {count} rate limits" if count else "is not a rate limit"
    return (
        f"PORTAL_{setting.name}: {value!r} {problem}; use one count per period, such as "
        f"{setting.default}"
    )


def _wrong_address(setting: Setting, value: str) -> str:
    if "@" in parseaddr(value)[1] and not any(c in value for c in "\r\n"):
        return ""
    return (
        f"PORTAL_{setting.name}: {value!r} is not an email address; use one such as "
        f"{setting.default}"
    )


class Address(NamedTuple):
    """What a URL setting may hold: its schemes, whether it needs a host, the words it
    may hold instead (an empty one where a default applies), and what to use."""

    schemes: tuple[str, ...]
    host: bool
    words: tuple[str, ...]
    what: str
    use: str


#: The kinds of URL setting.
ADDRESSES = {
    "web": Address(
        ("http", "https"),
        True,
        (),
        "a web address",
        "the public https:// address of the candidate pages, such as https://jobs.example.com",
    ),
    "mail": Address(
        MAIL_SCHEMES,
        True,
        ("outbox",),
        "a mail server",
        "smtp://host:25, smtp+starttls://user:pass@host:587, smtps://host:465 or outbox",
    ),
    "database": Address(
        DATABASE_SCHEMES,
        False,
        ("",),
        "a database address",
        "sqlite:///path/to/portal.sqlite3 or postgresql://user@host:5432/portal",
    ),
    "redis": Address(
        REDIS_SCHEMES,
        False,
        ("",),
        "a Redis address",
        "redis://host:6379/0, rediss:// for TLS, or redis+unix:///path/to/redis.sock",
    ),
    "storage": Address(
        tuple(s for s in LIMITS_SCHEMES if not s.startswith("async+")),
        False,
        (),
        "a rate-limit store",
        "memory:// or redis://host:6379",
    ),
}


def _address_check(address: Address) -> Callable[[Setting, str], str]:
    """The check of a URL setting that holds ``address``."""

    def wrong(setting: Setting, value: str) -> str:
        if value in address.words:
            return ""
        parts = urlsplit(value)
        try:
            _ = parts.port  # reading it checks it
        except ValueError:
            problem = "has a port that is not a number up to 65535"
        else:
            if parts.scheme.lower() not in address.schemes:
                problem = f"is not {address.what}"
            elif address.host and not parts.hostname:
                problem = "names no host"
            elif parts.scheme == "sqlite" and not parts.path.strip("/"):
                problem = "names no file"
            else:
                return ""
        return f"PORTAL_{setting.name}: {shown_url(value)} {problem}; use {address.use}"

    return wrong


def shown_url(url: str) -> str:
    """A URL fit for a log line: quoted, with any password in it masked."""
    parts = urlsplit(url)
    if parts.password:
        user, _, where = parts.netloc.rpartition("@")
        url = parts._replace(netloc=f"{user.partition(':')[0]}:***@{where}").geturl()
    return repr(url)


def _few(items, most: int = 12) -> str:
    """Items joined by commas, the first ``most`` of them."""
    items = list(items)
    return ", ".join(items[:most]) + (", ..." if len(items) > most else "")


#: What each ``Setting.kind`` checks: a function of the setting and its value giving
#: the line that says what is wrong, or nothing.
KINDS: dict[str, Callable[[Setting, object], str]] = {
    "address": _wrong_address,
    "country": _wrong_country,
    "dates": _wrong_dates,
    "rate": _wrong_rate,
    "time": _wrong_time,
    "zone": _wrong_zone,
    **{kind: _address_check(address) for kind, address in ADDRESSES.items()},
}


def key_bits(key: str) -> float:
    """A generous estimate of a key's entropy: its length times the Shannon entropy of
    its characters. Random keys score near their true strength; words, repeats and short
    keys score low."""
    if len(key.encode()) < 32:
        return 0.0
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_char * len(key)


def limits_storage(app: Flask) -> str:
    """Where rate limits are counted, as the limiter was told (Redis when configured)."""
    return app.config["REDIS_URL"] or app.config["RATE_LIMIT_STORAGE"]


def limits_shared(app: Flask) -> bool:
    """Whether every worker (and server) counts against the same limits."""
    return urlsplit(limits_storage(app)).scheme != "memory"


def worker_problems(app: Flask, workers: int) -> list[str]:
    """What is unsafe about serving with ``workers`` processes: with a per-process
    store each counts failed sign-ins and fresh-link requests alone, so every limit
    would hold ``workers`` times over."""
    if workers > 1 and not limits_shared(app) and not relaxed(app):
        return [
            f"{workers} workers would each count rate limits alone ({limits_storage(app)}), "
            f"so every limit would be {workers} times looser: set PORTAL_REDIS_URL "
            "(e.g. redis://127.0.0.1:6379/0) or run one worker (WEB_CONCURRENCY=1)."
        ]
    return []


def _safe_base_url(url: str) -> bool:
    """https anywhere; http only where no one else can listen in (loopback)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and loopback(parts.hostname)


def loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine, where no one else can listen in."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check(app: Flask) -> None:
    """Refuse to start with wrong or unsafe settings, one line for each, with what to change."""
    found = problems(app)
    if found:
        raise UnsafeSettings("\n".join(found))
