"""Every setting, declared once: its name, default and one line of help.

Each comes from ``PORTAL_<NAME>`` in the environment, else from ``config.py`` in the
instance folder (without the prefix), else the default here. The README's table of
settings is this list (tests/test_docs.py checks it text for text, and prints it
when they differ). ``problems`` lists the values that would run the portal
unsafely, each with what to change.
"""

import ipaddress
import math
import os
from collections import Counter
from datetime import time
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import Flask

#: The published development key: accepted only in demo, debug and test runs.
DEMO_SECRET = "demo-only-secret-not-for-production"

REDIS_SCHEMES = ("redis", "rediss", "unix")

#: The least a secret key must carry: 128 bits, what 32 random bytes comfortably give.
KEY_BITS = 128


class Setting(NamedTuple):
    """One setting: ``name`` without the ``PORTAL_`` prefix, its default, and its help."""

    name: str
    default: object
    help: str
    #: How the README shows the default, when the value alone would not say it.
    shown: str = ""

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
    ),
    Setting(
        "MAIL_FROM",
        "Hiring team <hiring@example.com>",
        "From address of every email",
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
    ),
    Setting(
        "CLOSED_DAYS",
        60,
        "days a candidate page stays readable after the process closes",
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
    ),
    Setting(
        "HOLIDAY_COUNTRY",
        "GB",
        (
            "public holidays skipped in business days (`GB`, `GB-SCT`, `US`, `DE`...; "
            "empty: weekends only)"
        ),
    ),
    Setting(
        "EXTRA_HOLIDAYS",
        [],
        "extra company holidays, ISO dates, comma-separated",
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
    ),
    Setting(
        "LOGIN_SLOWDOWN_SECONDS",
        1.0,
        (
            "once an account has had `PORTAL_LOGIN_RATE_LIMIT` failed sign-ins from anywhere, "
            "each further failure on it is answered this much later (the account is never "
            "locked)"
        ),
    ),
    Setting(
        "LOGIN_RATE_LIMIT",
        "10 per 5 minutes",
        "failed sign-ins allowed per client address (then 429) and per account (then slowed)",
    ),
    Setting(
        "RATE_LIMIT_STORAGE",
        "memory://",
        "rate-limit counters: `memory://` (one process) or `redis://host:6379` (shared by workers)",
    ),
    Setting(
        "PAGE_SIZE",
        50,
        "rows per page in admin lists",
    ),
    Setting(
        "DEAD_LINK_RATE_LIMIT",
        "30 per 10 minutes",
        "dead candidate links one client may open before it gets 429 (good links never count)",
    ),
    Setting(
        "FRESH_LINK_RATE_LIMIT",
        "5 per hour",
        '"email me a fresh link" requests per client address',
    ),
    Setting(
        "FRESH_LINK_ADDRESS_LIMIT",
        "3 per day",
        "fresh links emailed per address; more are silently dropped (the answer never changes)",
    ),
    Setting(
        "MAIL_TIMEOUT",
        10,
        "seconds to wait for the mail server before keeping a mail queued for later",
    ),
    Setting(
        "MAIL_MAX_ATTEMPTS",
        8,
        "failed attempts after which a mail is no longer retried automatically",
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
    ),
    Setting(
        "REMIND_AT",
        "08:00",
        "time of day (company time zone) at which `portal worker` sends the daily reminders",
    ),
    Setting(
        "PURGE_AT",
        "02:30",
        "time of day (company time zone) at which `portal worker` applies the retention policy",
    ),
    Setting(
        "STALE_DAYS",
        10,
        (
            "business days overdue after which the follow-up queue proposes closing an "
            "application (a job's own limit wins)"
        ),
    ),
    Setting(
        "AUTO_CLOSE_DAYS",
        0,
        (
            "business days overdue after which `portal remind` closes an application itself "
            "with the default note"
        ),
        shown="`0` (off)",
    ),
    Setting(
        "RETENTION_DAYS",
        365,
        "days after closure after which `portal purge` erases an application's personal data",
    ),
    Setting(
        "ERASURE_DAYS",
        7,
        (
            "days a candidate's own erasure request waits for a recruiter before `portal purge` "
            "carries it out (0: at once)"
        ),
    ),
    Setting(
        "REDIS_URL",
        "",
        "Redis for rate-limit counters shared by every worker, e.g. `redis://127.0.0.1:6379/0`",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        "reverse proxies in front of the app whose `X-Forwarded-*` headers are trusted (nginx: 1)",
    ),
    Setting(
        "DEMO",
        False,
        "allows the built-in development key; `make demo` sets it",
    ),
)


class UnsafeSettings(RuntimeError):
    """The settings would run the portal unsafely; the message says what to change."""


def defaults() -> dict:
    """Every setting at its default (lists copied, so no app shares one)."""
    return {s.name: list(s.default) if isinstance(s.default, list) else s.default for s in SETTINGS}


def from_environment(name: str, default):
    """``PORTAL_<name>`` parsed as the type of ``default``; ``default`` when unset."""
    raw = os.environ.get(f"PORTAL_{name}")
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise UnsafeSettings(f"PORTAL_{name} must be a whole number, not {raw!r}.") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise UnsafeSettings(f"PORTAL_{name} must be a number, not {raw!r}.") from None
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
    """Every unsafe setting, each with what to do about it; empty when all is well."""
    config = app.config
    found = []
    if not config["SECRET_KEY"] and not (config["DEMO"] or app.testing):
        found.append(
            "PORTAL_SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
            "and set it in the environment (or PORTAL_DEMO=1 for a local demo)."
        )
    if config["SECRET_KEY"] == DEMO_SECRET and not relaxed(app):
        found.append("PORTAL_SECRET_KEY is the published demo key; generate a secret one.")
    elif config["SECRET_KEY"] and not relaxed(app) and key_bits(config["SECRET_KEY"]) < KEY_BITS:
        found.append(
            f"PORTAL_SECRET_KEY is too short or too regular to be secret (about "
            f"{key_bits(config['SECRET_KEY']):.0f} bits; it needs {KEY_BITS}): it signs "
            "sessions, CSRF tokens and candidate links. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    if not relaxed(app) and not _safe_base_url(config["BASE_URL"]):
        found.append(
            f"PORTAL_BASE_URL is {config['BASE_URL']!r}: candidate links and emails are built "
            "from it and each link is the key to a person's page, so it must be the public "
            "https:// address (TLS at nginx, see deploy/nginx.conf). Plain http is allowed "
            "only on this machine (127.0.0.1, localhost) or with FLASK_DEBUG=1 or PORTAL_DEMO=1."
        )
    mail = urlsplit(config["MAIL_URL"])
    if mail.scheme == "smtp" and mail.password and not loopback(mail.hostname):
        found.append(
            "PORTAL_MAIL_URL sends a password over plain smtp://, readable on the network: "
            "use smtp+starttls:// or smtps://."
        )
    if config["PROXY_COUNT"] < 0:
        found.append("PORTAL_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front.")
    for name in ("REMIND_AT", "PURGE_AT"):
        try:
            time.fromisoformat(str(config[name]))
        except ValueError:
            found.append(f"PORTAL_{name} must be a time of day like 08:00, not {config[name]!r}.")
    scheme = urlsplit(config["REDIS_URL"]).scheme
    if config["REDIS_URL"] and scheme not in REDIS_SCHEMES:
        found.append(
            f"PORTAL_REDIS_URL must start with redis://, rediss:// or unix://, not {scheme!r}."
        )
    return found


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
    """Refuse to start with unsafe settings, naming each and what to change."""
    found = problems(app)
    if found:
        raise UnsafeSettings(" ".join(found))
