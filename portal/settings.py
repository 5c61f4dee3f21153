"""Every setting, declared once: its name, default and one line of help.

Each comes from ``PORTAL_<NAME>`` in the environment, else from ``config.py`` in the
instance folder (without the prefix), else the default here. The README's table of
settings is this list (tests/test_docs.py checks it text for text, and prints it
when they differ). ``problems`` lists the values that would run the portal
unsafely, each with what to change.
"""

import ipaddress
import os
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import Flask

#: The published development key: accepted only in demo, debug and test runs.
DEMO_SECRET = "demo-only-secret-not-for-production"

REDIS_SCHEMES = ("redis", "rediss", "unix")


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
            "or `outbox` (.eml files in `instance/outbox/`); a password needs TLS (plain "
            "`smtp://` only on loopback)"
        ),
    ),
    Setting(
        "MAIL_FROM",
        "Hiring team <hiring@example.com>",
        "From address of every email",
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
        "LOGIN_RATE_LIMIT",
        "10 per 5 minutes",
        "failed sign-ins allowed per client address and per account",
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
    scheme = urlsplit(config["REDIS_URL"]).scheme
    if config["REDIS_URL"] and scheme not in REDIS_SCHEMES:
        found.append(
            f"PORTAL_REDIS_URL must start with redis://, rediss:// or unix://, not {scheme!r}."
        )
    return found


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
