"""The staff admin: one blueprint, views split by screen."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from admin import views  # noqa: E402,F401  (registers the routes)
