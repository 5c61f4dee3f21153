"""The staff admin's blueprint: every screen module registers its routes on ``bp``."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
