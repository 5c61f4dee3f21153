"""The staff admin: one blueprint, one module per screen.

Importing a screen registers its routes on ``bp``: the imports below are the screens.
"""

from admin import actions
from admin import applications
from admin import ats
from admin import audit
from admin import closing
from admin import closures
from admin import conversation
from admin import followup
from admin import followup_close
from admin import home
from admin import integrations
from admin import interviews
from admin import jobs
from admin import kits
from admin import links
from admin import metrics
from admin import people
from admin import privacy
from admin import reasons
from admin import scorecards
from admin import second_factor
from admin import stages
from admin import users
from admin.blueprint import bp

SCREENS = (
    home, jobs, stages, applications, actions, closing, closures, users,
    followup, followup_close, metrics, privacy, reasons, links, people, conversation,
    interviews, kits, scorecards, integrations, ats, second_factor, audit,
)  # fmt: skip

__all__ = ["SCREENS", "bp"]
