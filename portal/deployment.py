"""Production safety: the startup checks, the reverse proxy, HSTS and shared rate limits.

The documented setup is gunicorn (deploy/gunicorn.conf.py) behind nginx
(deploy/nginx.conf), which ends TLS and passes X-Forwarded-* headers: with
``PROXY_COUNT`` = 1 the app trusts them one hop deep (werkzeug's ProxyFix), so it knows
the client's address (rate limits) and that the request came over https (HSTS).
"""

import ipaddress
from urllib.parse import urlsplit

from flask import Flask
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

#: One year, the value browsers' preload lists ask for.
HSTS = "max-age=31536000; includeSubDomains"

REDIS_SCHEMES = ("redis", "rediss", "unix")


def relaxed(app: Flask) -> bool:
    """Debug, demo and test runs may use a development key and plain http."""
    return bool(app.debug or app.testing or app.config["DEMO"])


def problems(app: Flask) -> list[str]:
    """Every unsafe setting, each with what to do about it; empty when all is well."""
    from portal import DEMO_SECRET

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
    if mail.scheme == "smtp" and mail.password and not _loopback(mail.hostname):
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
    return parts.scheme == "http" and _loopback(parts.hostname)


def _loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine, where no one else can listen in."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_settings(app: Flask) -> None:
    """Refuse to start with unsafe settings, naming each and what to change."""
    from portal import UnsafeSettings

    found = problems(app)
    if found:
        raise UnsafeSettings(" ".join(found))


def init_app(app: Flask) -> None:
    """The proxy headers, HSTS, and Redis for the rate limits; before portal.web."""
    count = app.config["PROXY_COUNT"]
    if count:
        # No x_port: ProxyFix would append ":443" to the host, and Flask-WTF's https
        # Referer check would then refuse every form (deploy/nginx.conf sends none).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    if app.config["REDIS_URL"]:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
        # If Redis goes away, each worker counts in memory until it is back, instead of
        # failing the requests (Flask-Limiter checks the storage again by itself).
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        import redis

        app.register_error_handler(redis.RedisError, _redis_down)
    if not relaxed(app):
        app.after_request(_hsts)


def _hsts(response):
    # Only over TLS (browsers ignore it on http, and a laptop on http must not be told
    # to insist on https). Behind nginx, PROXY_COUNT makes request.is_secure see it.
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _redis_down(error):
    """Redis failed under a limit counted by hand (the candidate pages count dead links
    themselves): switch the limiter to its in-memory fallback, as Flask-Limiter does for
    its own limits, and ask for a retry. Flask-Limiter returns to Redis once it answers."""
    from flask import current_app

    from portal.web import error_page
    from portal.web import limiter

    current_app.logger.error("rate-limit storage unreachable, counting in memory: %s", error)
    limiter._storage_dead = True  # Flask-Limiter's own switch (no public one)
    return error_page(503, "Temporarily unavailable", "Please try again in a moment.")
