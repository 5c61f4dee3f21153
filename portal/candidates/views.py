"""The candidate blueprint: the page at /c/<token>/, its actions, and the dead-link page.

Candidates have no session: this blueprint never reads or writes one, so the page's bytes
are the same for every visitor (and for the static build). Its forms carry a token
derived from the link; GET never changes the application.
"""

from urllib.parse import quote

import peewee
from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import redirect
from flask import request
from flask import Response
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from portal import domain
from portal.candidates import assets
from portal.candidates import links
from portal.candidates import page as pages
from portal.candidates import redact
from portal.candidates.actions import acknowledge_closure
from portal.candidates.actions import rate_experience
from portal.candidates.actions import withdraw_by_candidate
from portal.conversation.actions import ask
from portal.errors import DomainError
from portal.errors import Invalid
from portal.store.models import Application
from portal.store.models import Interview
from portal.store.models import Task
from portal.web.views import allow
from portal.web.views import csrf
from portal.web.views import limiter

bp = Blueprint("candidate", __name__)

ACTIONS = ("withdraw", "acknowledge", "rate", "ask", "move-interview")


def init_app(app: Flask) -> None:
    """Register the blueprint, its headers on every /c/ response, and log redaction."""
    csrf.exempt(bp)  # candidates have no session; their forms carry the link's token
    limiter.exempt(bp)  # bad tokens are counted by hand, good links never are
    global _filter_installed
    if not _filter_installed:
        _filter_installed = True
        # Exempt still costs the limiter a tenth of the page's time; a filter is
        # asked first and skips all of it.
        limiter.request_filter(_not_limited)
    app.register_blueprint(bp)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = _NoCandidateSession()
    if assets.bp.name not in app.blueprints:  # the pages' hashed stylesheet
        assets.init_app(app)
    app.after_request(_candidate_headers)
    redact.install()


_filter_installed = False  # the limiter is one object for every app of the process


class _NoCandidateSession(SecureCookieSessionInterface):
    """Staff sessions as usual; candidate addresses get none, never read nor set, so a
    page cannot depend on one (and no cookie is parsed on the hot path)."""

    def open_session(self, app: Flask, request):
        if request.path.startswith("/c/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def _not_limited() -> bool:
    return request.blueprint == bp.name


def _candidate_headers(response: Response) -> Response:
    """Strict headers on every response under /c/, error pages included (the views'
    own responses carry them from the start)."""
    if request.path.startswith("/c/") and "X-Robots-Tag" not in response.headers:
        response.headers.update(pages.headers())
    return response


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status, pages.headers(), content_type="text/html; charset=utf-8")


def message_page(status: int, title: str, message: str, back: str = "") -> Response:
    """A short candidate-facing page: what happened, and a way back to their page."""
    body = current_app.jinja_env.get_template("candidate/message.html").render(
        company=current_app.config["COMPANY_NAME"],
        stylesheet=pages.stylesheet_url(),
        title=title,
        message=message,
        back=back,
    )
    return _html(body, status)


# --- the page ------------------------------------------------------------------------


@bp.get("/c/<token>/")
def page(token: str):
    """The candidate's page, or the one dead-link page whatever went wrong."""
    found = pages.find(token)
    if found is None:
        return _dead()
    body = pages.render(pages.model(found))
    if request.method == "GET":  # HEAD is what link checkers send: not a visit
        links.viewed(found.link_id, found.last_viewed)
    return _html(body)


@bp.get("/c/<token>")
def page_without_slash(token: str):
    """The page's address as typed without its last slash: the one with it, whatever
    the token. The Location is a path under ``BASE_URL``'s, never built from the
    request's Host header (Werkzeug's own slash redirect names that host)."""
    return redirect(f"{pages.base_path()}/c/{quote(token, safe='')}/", 308)


@bp.route("/c/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def anything_else(anything: str):
    """Any other address under /c/: the same dead-link page, never a hint."""
    return _dead()


def _dead() -> Response:
    """The one answer for every bad, tampered, expired, revoked or erased link."""
    if not allow("DEAD_LINK_RATE_LIMIT", "dead-link", _client()):
        return _too_many()
    return _html(pages.render_dead(), 404)


def _too_many() -> Response:
    return message_page(429, "Too many attempts", "Please wait a few minutes and try again.")


# --- actions -------------------------------------------------------------------------


def form_target(token: str) -> Application | Response:
    """The application a form posted from the page at ``token`` acts on; or the answer
    when there is none (the dead-link page) or the form token does not match (400)."""
    found = pages.find(token)
    if found is None:
        return _dead()
    if not links.check_form_token(found.link_id, request.form.get("form_token")):
        return message_page(
            400,
            "Please try again",
            "That form did not come from your page. Reload it and try again.",
            page_address(token),
        )
    application = Application.get_or_none(Application.id == found.application_id)
    return _dead() if application is None else application


def page_address(token: str) -> str:
    """Where the candidate's page is, for "back" links and redirects."""
    return f"{request.script_root}/c/{token}/"


@bp.post("/c/<token>/<action>")
def act(token: str, action: str):
    """Withdraw, acknowledge the closure, or rate the experience: POST with the form token."""
    application = form_target(token) if action in ACTIONS else _dead()
    if isinstance(application, Response):
        return application
    back = page_address(token)
    try:
        if action == "ask":
            ask(application, request.form.get("question", ""))
            return redirect(back + "#conversation", 303)
        if action == "move-interview":
            ask(application, request.form.get("reason", ""), interview=_interview(application))
            return redirect(back + "#conversation", 303)
        if action == "withdraw":
            if request.form.get("confirm") != "yes":
                return message_page(
                    400,
                    "Please confirm",
                    "Tick the box to confirm that you want to withdraw, then press Withdraw.",
                    back,
                )
            withdraw_by_candidate(application, application.version, request.form.get("reason", ""))
        elif action == "acknowledge":
            acknowledge_closure(application)
        else:
            rate_experience(application, request.form.get("score"))
    except DomainError as error:
        return message_page(error.status, "That did not work", error.message, back)
    return redirect(back, 303)


def _interview(application: Application) -> Interview:
    """The interview of ``application`` the form names (by its calendar UID)."""
    interview = Interview.get_or_none(
        (Interview.uid == request.form.get("interview", ""))
        & (Interview.application == application.id)
    )
    if interview is None or interview.cancelled is not None:
        raise Invalid("That interview is no longer arranged: reload your page to see the latest.")
    return interview


# --- "email me a fresh link" -----------------------------------------------------------


@bp.post("/c/fresh-link")
def fresh_link():
    """Send fresh links to an address; the same answer whether or not it is known."""
    if not allow("FRESH_LINK_RATE_LIMIT", "fresh-link", _client()):
        return _too_many()
    try:  # counted as the address it reaches: "ｅxample.org" is example.org
        email = domain.normalise_email(request.form.get("email", "")[:320])
    except Invalid:
        email = ""
    response = message_page(
        200,
        "Check your inbox",
        "If we have an application with that address, we have just emailed it a fresh "
        "link. It can take a few minutes to arrive; check your spam folder too.",
    )
    if email and allow("FRESH_LINK_ADDRESS_LIMIT", "fresh-link-address", email):
        # The lookup and the email are the worker's (portal.worker.tasks): this request
        # writes one row whether or not the address is known, so both cost the same,
        # up to the connection's close.
        Task.enqueue("fresh_links", email=email)
    return response


# --- rate limits -----------------------------------------------------------------------


def _client() -> str:
    return request.remote_addr or "unknown"


# --- errors under /c/ ------------------------------------------------------------------


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if error.code == 429:
        return _too_many()
    if error.code == 413:
        return message_page(
            413, "That was too long", "Please shorten what you wrote and try again."
        )
    return message_page(error.code or 500, "Something went wrong", "Please try again in a minute.")


@bp.errorhandler(peewee.OperationalError)
@bp.errorhandler(peewee.InterfaceError)
def _database_down(error):
    current_app.logger.error("database unavailable: %s", error)
    return message_page(
        503,
        "Temporarily unavailable",
        "We cannot show your page just now. Please try again in a minute.",
    )
