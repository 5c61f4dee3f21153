"""The admin home: the follow-up queue for those who give candidates word (admins and
recruiters); for a hiring manager, what they owe (portal.followup.managers, the list
their digest sends too)."""

from flask import render_template
from flask_login import current_user
from flask_login import login_required

from admin.access import actor
from admin.blueprint import bp
from admin.followup import followup_queue
from portal.clock import today
from portal.followup import managers


@bp.route("/")
@login_required
def home():
    """Who is owed word; a manager, who gives none, gets what they owe."""
    if current_user.role == "manager":
        return manager_home()
    return followup_queue()


def manager_home():
    """A manager's scorecards owed, candidates waiting for a decision, recent decisions."""
    manager = actor()
    owed = managers.owed_feedback(manager, today())
    return render_template(
        "admin/manager_home.html",
        owed=owed,
        owing={(row.application.id, row.stage.id) for row in owed},
        waiting=managers.awaiting_decision(manager),
        decided=managers.decided_recently(manager),
        feedback_days=managers.FEEDBACK_DAYS,
        decided_days=managers.DECIDED_DAYS,
    )
