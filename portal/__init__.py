"""The candidate status portal: ``create_app`` builds the Flask application."""

from pathlib import Path

from flask import Flask

from portal import settings
from portal.settings import checks

HERE = Path(__file__).parent
# In a checkout, templates/ and static/ sit beside the package; in a wheel, inside it.
ROOT = HERE if (HERE / "templates").is_dir() else HERE.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance config.py, then PORTAL_* variables, then tests."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    app.config.from_mapping(settings.defaults())
    app.config.from_pyfile("config.py", silent=True)
    for setting in settings.SETTINGS:
        app.config[setting.name] = settings.from_environment(setting, app.config[setting.name])
    if test_config:
        app.config.update(test_config)

    # The one place that imports inside a function: every ``portal.*`` import runs this
    # file first, and the app's modules import portal's packages back.
    from portal import commands

    commands.init_app(app)
    if commands.only_help():
        return app  # `flask --app portal --help` lists the commands, and nothing more
    with commands.settings_refused_in_one_line():
        _secure(app)

    from admin import bp as admin_bp
    from portal.api import views as api_views
    from portal.candidates import views as candidate_views
    from portal.identity import accounts
    from portal.identity import second_factor
    from portal.identity import sso
    from portal.integrations import views as hook_views
    from portal.mail import queue as mail_queue
    from portal.privacy import views as privacy_views
    from portal.store import db
    from portal.web import auth
    from portal.web import logs
    from portal.web import metrics
    from portal.web import proxy
    from portal.web import views as web_views

    logs.init_app(app)  # first: what the parts below log goes through it
    db.init_app(app)
    mail_queue.init_app(app)  # a request's mail is sent by the worker, never by it
    proxy.init_app(app)  # proxy headers, HSTS, Redis: before web sets up the limiter
    web_views.init_app(app)
    auth.init_app(app)
    sso.init_app(app)  # /login/sso: the company's OpenID Connect provider, when configured
    accounts.init_app(app)  # invitations, password resets and changes, break-glass links
    second_factor.init_app(app)  # /login/code and /account/two-factor
    candidate_views.init_app(app)
    privacy_views.init_app(app)  # the candidate's erasure request
    metrics.init_app(app)  # /metrics, for admins and a scraper with PORTAL_METRICS_TOKEN
    api_views.init_app(app)  # /api/v1: integration tokens, JSON, problem documents
    hook_views.init_app(app)  # /hooks/greenhouse, /hooks/lever
    app.register_blueprint(admin_bp)
    return app


def _secure(app: Flask) -> None:
    """Refuse wrong or unsafe settings (portal.settings.checks says which, one line
    each), then harden cookies."""
    checks.check(app)
    if not app.config["SECRET_KEY"]:  # demo and test only: checks.check refused otherwise
        app.config["SECRET_KEY"] = settings.DEMO_SECRET
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not (app.debug or app.testing or app.config["DEMO"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
    )
