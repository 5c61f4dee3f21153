"""What every page shares: CSRF, rate limits, error pages, headers, template helpers, and
the NUL check: no text we store or search may hold NUL (PostgreSQL refuses it, and the
query raises), so a NUL in a query or form value is a 400 and one in a path segment
matches no route (a 404, before any view runs)."""

from collections.abc import Callable
from urllib.parse import urlsplit

import peewee
from flask import abort
from flask import current_app
from flask import Flask
from flask import g
from flask import render_template
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from limits import parse as parse_limit
from markupsafe import escape
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.routing import UnicodeConverter

from portal import clock
from portal import dates
from portal.errors import DomainError
from portal.settings import checks
from portal.store.db import database

csrf = CSRFProtect()
limiter = Limiter(get_remote_address, headers_enabled=True)

#: Staff pages: no third-party anything, no framing, no caching of personal data.
STAFF_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class Segment(UnicodeConverter):
    """A route's ``<name>`` (the default converter), except that a segment holding a NUL
    matches nothing: such a path names nothing that exists, so it is the 404 of an
    unknown address before any view runs, for every route, staff or candidate. Under
    /c/ the candidates' catch-all route (a ``path``) still answers it with the one
    dead-link page."""

    def __init__(self, map: Map, minlength: int = 1, maxlength=None, length=None) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = "[^/\\x00]" + self.regex.removeprefix("[^/]")


def init_app(app: Flask) -> None:
    """Install the shared machinery on ``app`` (before any other part adds its routes:
    a rule takes its converters when it is added)."""
    app.url_map.converters.update(default=Segment, string=Segment)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["RATE_LIMIT_STORAGE"])
    app.config.setdefault("RATELIMIT_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["in_words"] = dates.in_words
    app.jinja_env.filters["local"] = local_time
    app.jinja_env.globals["this_year"] = lambda: clock.today().year  # as in_words reads it
    app.jinja_env.globals["company"] = lambda: current_app.config["COMPANY_NAME"]
    app.before_request(_refuse_nul)
    app.after_request(_staff_headers)
    for error, handler in (
        (DomainError, _domain_error),
        (CSRFError, _csrf_error),
        (HTTPException, _http_error),
        (peewee.OperationalError, _database_down),
        (peewee.InterfaceError, _database_down),
        (OverflowError, _number_too_large),
    ):
        app.register_error_handler(error, _in_its_format(handler))
    app.add_url_rule("/healthz", "healthz", healthz)


#: Parts of the site that answer every error in a format of their own, by path prefix:
#: the API's problem documents (portal.api). Each takes the error and gives a response.
ERROR_FORMATS: dict[str, Callable] = {}


def _in_its_format(handler: Callable) -> Callable:
    """``handler`` for pages; the error format of the part of the site asked, if it has one."""

    def handle(error):
        for prefix, answer in ERROR_FORMATS.items():
            if request.path.startswith(prefix):
                return answer(error)
        return handler(error)

    return handle


def allow(setting: str, scope: str, key: str) -> bool:
    """Count one hit against the limit named by ``setting`` for ``key`` (limits counted
    by hand, outside a view's decorator); False once it is over."""
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(parse_limit(current_app.config[setting]), scope, key)


def paragraphs(text: str) -> Markup:
    """Free text as escaped HTML paragraphs: blank lines split, newlines break."""
    # Escaped once as a whole (escaping never touches whitespace), then split: the
    # candidate page renders many of these, and per-line Markup work was its main cost.
    html = str(escape((text or "").replace("\r\n", "\n")))
    blocks = (block.strip() for block in html.split("\n\n"))
    return Markup("".join(f"<p>{b.replace(chr(10), '<br>')}</p>" for b in blocks if b))


def local_time(moment, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A stored UTC time in the company's zone."""
    return clock.local(moment).strftime(fmt) if moment else ""


def _refuse_nul():
    # No text we store or search may hold NUL: PostgreSQL refuses it (a 500 otherwise).
    values = request.args.lists() if request.method == "GET" else request.values.lists()
    if any("\x00" in value for _, items in values for value in items):
        abort(400, "The form contained a NUL character. Remove it and try again.")


def _staff_headers(response):
    response.headers.setdefault("Content-Security-Policy", STAFF_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_page(status: int, title: str, message: str):
    """The shared error page."""
    return render_template("errors/error.html", title=title, message=message), status


def _domain_error(error: DomainError):
    return error_page(error.status, "That did not work", error.message)


def _csrf_error(error: CSRFError):
    return error_page(
        400,
        "Please try again",
        "The form had expired or did not come from this site. Reload the page and submit it again.",
    )


def _http_error(error: HTTPException):
    if error.code == 429:
        return error_page(429, "Too many attempts", "Please wait a few minutes and try again.")
    if error.code in STAFF_ERRORS and not request.path.startswith("/c/"):
        return _staff_error(error)
    return error_page(error.code or 500, error.name, error.description or "")


#: The statuses whose staff page has words of its own, in templates/errors/<status>.html.
#: Candidate addresses keep their own pages (portal/candidates/views.py).
STAFF_ERRORS = (400, 403, 404, 500)


def _staff_error(error: HTTPException):
    """A staff error page in the house layout and words, with the request's own reason
    when it gave one (``abort(400, "...")``); never Werkzeug's stock text, and for a 500
    nothing of the failure (it is in the log)."""
    given = error.description != type(error).description and error.code != 500
    if error.code == 500:
        try:
            _ = current_user.is_authenticated  # loads the user here, where a failure is caught
        except peewee.PeeweeException:
            # The database failed with the request: the page is drawn for nobody in
            # particular rather than fail again into Werkzeug's bare page.
            g._login_user = current_app.login_manager.anonymous_user()
    page = render_template(
        f"errors/{error.code}.html",
        status=error.code,
        detail=error.description if given else "",
        moment=local_time(clock.now()),
    )
    return page, error.code


def _number_too_large(error: OverflowError):
    # An id, version or page number beyond 64 bits reaches SQLite's parameter binding
    # (PostgreSQL compares it as a numeric): a bad request, never a 500.
    return error_page(400, "Bad request", "A number in the request is too large.")


def _database_down(error):
    current_app.logger.error("database unavailable: %s", error)
    if request.endpoint == "healthz":  # the connection failed before the view ran
        return {"status": "error", "database": "unreachable"}, 503
    # The page's header shows who is signed in, which would ask the database again (and
    # fail into a 500): this one page is drawn for nobody in particular.
    g._login_user = current_app.login_manager.anonymous_user()
    return error_page(
        503,
        "Temporarily unavailable",
        "We cannot reach our database just now. Please try again in a minute.",
    )


def healthz():
    """Liveness and database state, for the load balancer; for signed-in staff also the
    rate limits in force and where they are counted."""
    try:
        database.execute_sql("SELECT 1")
    except (peewee.OperationalError, peewee.InterfaceError):
        return {"status": "error", "database": "unreachable"}, 503
    answer = {"status": "ok", "database": "ok"}
    if current_user.is_authenticated:
        answer["limits"] = {name.lower(): current_app.config[name] for name in LIMITS}
        answer["limits_counted_in"] = _storage_for_people(current_app)
    return answer


#: The rate limits a member of staff can read on /healthz.
LIMITS = (
    "LOGIN_RATE_LIMIT",
    "DEAD_LINK_RATE_LIMIT",
    "FRESH_LINK_RATE_LIMIT",
    "FRESH_LINK_ADDRESS_LIMIT",
)


def _storage_for_people(app: Flask) -> str:
    """Where limits are counted, without any password in the URL."""
    where = checks.limits_storage(app)
    parts = urlsplit(where)
    if "@" in parts.netloc:
        where = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    alone = "shared by every worker" if checks.limits_shared(app) else "each process alone"
    return f"{where} ({alone})"
