"""The candidate status portal: ``create_app`` builds the Flask application."""

import os
from pathlib import Path

from flask import Flask

from portal import config as defaults

HERE = Path(__file__).parent
# In a checkout, templates/ and static/ sit beside the package; in a wheel, inside it.
ROOT = HERE if (HERE / "templates").is_dir() else HERE.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"

DEMO_SECRET = "demo-only-secret-not-for-production"


class UnsafeSettings(RuntimeError):
    """The settings would run the portal unsafely; the message says what to change."""


def settings() -> list[str]:
    """The names of every setting, as documented in portal.config."""
    return [name for name in dir(defaults) if name.isupper()]


def _from_environment(name: str, default):
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


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance config.py, then PORTAL_* variables, then tests."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    app.config.from_object(defaults)
    app.config.from_pyfile("config.py", silent=True)
    for name in settings():
        app.config[name] = _from_environment(name, app.config[name])
    if test_config:
        app.config.update(test_config)
    _secure(app)

    from admin import bp as admin_bp
    from portal import auth
    from portal import candidate
    from portal import candidate_privacy
    from portal import db
    from portal import deployment
    from portal import web

    db.init_app(app)
    deployment.init_app(app)  # proxy headers, HSTS, Redis: before web sets up the limiter
    web.init_app(app)
    auth.init_app(app)
    candidate.init_app(app)
    candidate_privacy.init_app(app)  # the candidate's erasure request
    app.register_blueprint(admin_bp)
    return app


def _secure(app: Flask) -> None:
    """Refuse unsafe settings (portal.deployment says which), then harden the cookies."""
    from portal import deployment

    deployment.check_settings(app)
    if not app.config["SECRET_KEY"]:  # demo and test only: check_settings refused otherwise
        app.config["SECRET_KEY"] = DEMO_SECRET
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not (app.debug or app.testing or app.config["DEMO"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
    )
