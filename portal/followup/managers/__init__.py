"""What a hiring manager owes, defined once: the scorecards for interviews on their jobs
that are over (``owed``), the candidates waiting for the team's decision and what was
decided lately (``deciding``). Their home page (admin/home.py) and their daily digest
(portal.followup.remind) read the same lists, so the page and the email always agree.

Each list is one or two joined queries, whatever the number of jobs and candidates.
"""

from portal.followup.managers.deciding import awaiting_decision
from portal.followup.managers.deciding import AwaitingDecision
from portal.followup.managers.deciding import DECIDED_DAYS
from portal.followup.managers.deciding import decided_recently
from portal.followup.managers.deciding import Decision
from portal.followup.managers.owed import FEEDBACK_DAYS
from portal.followup.managers.owed import owed_by_manager
from portal.followup.managers.owed import owed_feedback
from portal.followup.managers.owed import OwedScorecard
from portal.followup.managers.owed import Owes
from portal.followup.managers.owed import waited_words

__all__ = [
    "DECIDED_DAYS",
    "FEEDBACK_DAYS",
    "AwaitingDecision",
    "Decision",
    "OwedScorecard",
    "Owes",
    "awaiting_decision",
    "decided_recently",
    "owed_by_manager",
    "owed_feedback",
    "waited_words",
]
