"""The startup checks: every setting whose value is wrong (in every run) or would run
the portal unsafely (outside demo, debug and test runs), one line each saying what to
change. ``create_app`` refuses to start on any; ``deploy/gunicorn.conf.py`` adds what
only the server knows (its number of workers)."""

import difflib
import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from datetime import time
from email.utils import parseaddr
from importlib.util import find_spec
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import available_timezones
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

import holidays
import limits
from flask import Flask
from limits.storage import SCHEMES as LIMITS_SCHEMES

from portal.settings import DATABASE_SCHEMES
from portal.settings import DEMO_SECRET
from portal.settings import KEY_BITS
from portal.settings import LOG_FORMATS
from portal.settings import LOG_LEVELS
from portal.settings import MAIL_SCHEMES
from portal.settings import REDIS_SCHEMES
from portal.settings import Setting
from portal.settings import SETTINGS
from portal.settings import STAFF_ROLES

#: A mail domain: two or more dot-separated DNS labels (``xn--`` for international ones).
MAIL_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?",
    re.IGNORECASE,
)


class UnsafeSettings(RuntimeError):
    """The settings are wrong or would run the portal unsafely; the message says what to
    change, one line per problem."""


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
    """Settings right alone but wrong together, or with what is installed."""
    if config["REDIS_URL"] and "REDIS_URL" not in wrong and not find_spec("redis"):
        return [
            "PORTAL_REDIS_URL is set but the Redis client is not installed: "
            "pip install 'candidate-portal[redis]'"
        ]
    found = _sign_in_mismatches(config)
    days, stale = config["AUTO_CLOSE_DAYS"], config["STALE_DAYS"]
    if {"AUTO_CLOSE_DAYS", "STALE_DAYS"} & wrong.keys() or not days or days > stale:
        return found
    return [
        *found,
        f"PORTAL_AUTO_CLOSE_DAYS: {days} is not longer than PORTAL_STALE_DAYS ({stale}); "
        f"use more than {stale}, or 0 to turn automatic closure off",
    ]


def _sign_in_mismatches(config) -> list[str]:
    """Single sign-on settings that do not make a way in together."""
    found = []
    if config["OIDC_ISSUER"] and not (config["OIDC_CLIENT_ID"] and config["OIDC_CLIENT_SECRET"]):
        found.append(
            "PORTAL_OIDC_ISSUER is set without PORTAL_OIDC_CLIENT_ID and "
            "PORTAL_OIDC_CLIENT_SECRET: register the portal with the provider and set both."
        )
    for pair in config["OIDC_ROLES"]:
        group, _, role = pair.partition("=")
        if not group.strip() or role.strip() not in STAFF_ROLES:
            found.append(
                f"PORTAL_OIDC_ROLES: {pair!r} is not `group=role` with a role of "
                f"{', '.join(STAFF_ROLES)}."
            )
    if not config["PASSWORD_SIGN_IN"] and not config["OIDC_ISSUER"]:
        found.append(
            "PORTAL_PASSWORD_SIGN_IN is off but there is no single sign-on "
            "(PORTAL_OIDC_ISSUER): nobody could sign in."
        )
    return found


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


def _wrong_domain(setting: Setting, value: str) -> str:
    """A mail domain alone (empty: off): the part after the @ of the addresses it makes."""
    if not value or MAIL_DOMAIN.fullmatch(value):
        return ""
    return (
        f"PORTAL_{setting.name}: {value!r} is not a mail domain; use the domain alone, "
        "without reply+ or @, such as hiring.example.com"
    )


def _wrong_level(setting: Setting, value: str) -> str:
    if value.upper() in LOG_LEVELS:
        return ""
    return (
        f"PORTAL_{setting.name}: {value!r} is not a log level; use one of "
        f"{', '.join(LOG_LEVELS)}, such as {setting.default}"
    )


def _wrong_log_format(setting: Setting, value: str) -> str:
    if value.lower() in LOG_FORMATS:
        return ""
    return (
        f"PORTAL_{setting.name}: {value!r} is not a log format; use text (lines for "
        "people) or json (one object a line, for a log shipper)"
    )


def _wrong_secret(setting: Setting, value: str) -> str:
    """A token that opens something when presented: empty (off), or secret enough. The
    line never shows the value, which would put the secret in a log."""
    if not value:
        return ""
    if key_bits(value) >= KEY_BITS and value.isprintable() and not any(c.isspace() for c in value):
        return ""
    return (
        f"PORTAL_{setting.name} is too short or too regular to be secret (it needs about "
        f"{KEY_BITS} bits, and no spaces); generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, or leave it empty"
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
    "issuer": Address(
        ("http", "https"),
        True,
        ("",),
        "an OpenID Connect issuer",
        "the provider's issuer URL, such as https://login.example.com/realms/staff",
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
    "domain": _wrong_domain,
    "level": _wrong_level,
    "log_format": _wrong_log_format,
    "rate": _wrong_rate,
    "secret": _wrong_secret,
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
