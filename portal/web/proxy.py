"""Production serving: the reverse proxy, HSTS and shared rate limits.

The documented setup is gunicorn (deploy/gunicorn.conf.py) behind nginx
(deploy/nginx.conf), which ends TLS and passes X-Forwarded-* headers: with
``PROXY_COUNT`` = 1 the app trusts them one hop deep (werkzeug's ProxyFix), so it knows
the client's address (rate limits) and that the request came over https (HSTS).
"""

from flask import current_app
from flask import Flask
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

try:  # the `redis` extra: only for PORTAL_REDIS_URL (checks.py says so when it is missing)
    from redis import RedisError
except ImportError:  # pragma: no cover - the suite installs it
    RedisError = None

from portal.settings import checks
from portal.web.views import error_page
from portal.web.views import limiter

#: One year, the value browsers' preload lists ask for.
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """The proxy headers, HSTS, and Redis for the rate limits; before portal.web.views."""
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
        app.register_error_handler(RedisError, _redis_down)
    if not checks.relaxed(app):
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
    current_app.logger.error("rate-limit storage unreachable, counting in memory: %s", error)
    limiter._storage_dead = True  # Flask-Limiter's own switch (no public one)
    return error_page(503, "Temporarily unavailable", "Please try again in a moment.")
