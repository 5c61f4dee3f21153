"""The staff admin: one blueprint, one module per screen."""

import importlib

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: The modules that register routes on ``bp``; ``links`` (the candidate-link panel)
#: is optional so the admin works while that part is not there yet.
SCREENS = ("home", "jobs", "stages", "applications", "actions", "closures", "users")
SCREENS += ("followup", "followup_close", "metrics")  # follow-up queue and health (issue 5)
SCREENS += ("privacy",)  # erasure requests and the audit log (issue 6)

for _name in SCREENS:
    importlib.import_module(f"admin.{_name}")
try:
    importlib.import_module("admin.links")
except ModuleNotFoundError as error:
    if error.name != "admin.links":
        raise
