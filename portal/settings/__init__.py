"""Every setting, declared once: its name, default and one line of help.

Each comes from ``PORTAL_<NAME>`` in the environment, else from ``config.py`` in the
instance folder (without the prefix), else the default here. The README's table of
settings is this list (tests/test_docs.py checks it text for text, and prints it
when they differ). ``portal.settings.checks`` says which values are wrong, or would run
the portal unsafely, one line each with what to change.
"""

import os
from typing import NamedTuple

#: The published development key: accepted only in demo, debug and test runs.
DEMO_SECRET = "demo-only-secret-not-for-production"

#: The roles of staff, strongest first (the store's users have one; single sign-on maps
#: a provider's groups to them).
STAFF_ROLES = ("admin", "recruiter", "manager")

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

#: The levels ``PORTAL_LOG_LEVEL`` may name (in any case), quietest last.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: What ``PORTAL_LOG_FORMAT`` may be: a line of text, or one JSON object per line.
LOG_FORMATS = ("text", "json")


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
        "REPLY_DOMAIN",
        "",
        (
            "candidate emails carry `Reply-To` `reply+<key>@` this domain instead, one address "
            "per application, which the company's mail server hands to `portal inbox` "
            "(docs/inbox.md); empty: PORTAL_REPLY_TO_RECRUITER decides"
        ),
        kind="domain",
    ),
    Setting(
        "INBOX_MAX_BYTES",
        1_048_576,
        "largest reply `portal inbox` takes, in bytes, attachments included (larger: refused, 552)",
        shown="`1048576` (1 MiB)",
        least=10_240,
        most=52_428_800,
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
        "LOG_LEVEL",
        "INFO",
        (
            "least important log lines written (`DEBUG`, `INFO`, `WARNING`, `ERROR`, "
            "`CRITICAL`), by the app, `portal worker` and every `portal` command"
        ),
        kind="level",
    ),
    Setting(
        "LOG_FORMAT",
        "text",
        (
            "log lines to standard error as `text` or `json` (one object a line), each with "
            "its request id (`X-Request-ID`); candidate tokens redacted, tracebacks included"
        ),
        kind="log_format",
    ),
    Setting(
        "METRICS_TOKEN",
        "",
        (
            "bearer token a Prometheus scraper sends to read `/metrics` "
            "(`Authorization: Bearer ...`, 128 bits or more); empty: signed-in admins only"
        ),
        kind="secret",
    ),
    Setting(
        "OIDC_ISSUER",
        "",
        (
            "the OpenID Connect provider staff sign in with (its issuer URL: Google "
            "Workspace, Entra ID, Okta, Keycloak...); empty: no single sign-on"
        ),
        kind="issuer",
    ),
    Setting("OIDC_CLIENT_ID", "", "the portal's client id at that provider"),
    Setting("OIDC_CLIENT_SECRET", "", "the portal's client secret at that provider"),
    Setting(
        "OIDC_ROLE_CLAIM",
        "groups",
        "the ID token's claim that lists a person's groups (or roles) at the provider",
    ),
    Setting(
        "OIDC_ROLES",
        [],
        (
            "which group gives which role, comma-separated `group=role` (e.g. "
            "`portal-admins=admin,recruiting=recruiter,hiring=manager`); the strongest "
            "wins, and someone in none of them cannot sign in"
        ),
    ),
    Setting(
        "OIDC_CREATE_DOMAINS",
        [],
        (
            "email domains whose people may have their account made at their first "
            "single sign-on, comma-separated; empty: only people already added here"
        ),
    ),
    Setting(
        "PASSWORD_SIGN_IN",
        True,
        (
            "staff may sign in with a password; off once single sign-on works (an admin "
            "can still get in with `portal sign-in-link EMAIL`)"
        ),
    ),
    Setting(
        "TWO_FACTOR_ADMINS",
        False,
        (
            "admins who sign in with a password must set up two-factor sign-in (an "
            "authenticator app) before anything else; single sign-on leaves it to the provider"
        ),
    ),
    Setting(
        "GREENHOUSE_SECRETS",
        [],
        (
            "secret keys of the Greenhouse web hooks that post to `/hooks/greenhouse`, "
            "comma-separated (several while rotating); empty: the receiver is off "
            "(docs/integrations.md)"
        ),
    ),
    Setting(
        "LEVER_SIGNATURE_TOKENS",
        [],
        (
            "signature tokens of the Lever webhooks that post to `/hooks/lever`, "
            "comma-separated (Lever gives each webhook its own); empty: the receiver is off"
        ),
    ),
    Setting(
        "DEMO",
        False,
        "allows the built-in development key; `make demo` sets it",
    ),
)


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
