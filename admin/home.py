"""The admin home: the follow-up queue for those who give candidates word (admins and
recruiters), the jobs they are on for hiring managers."""

from flask import redirect
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from admin.blueprint import bp
from admin.followup import followup_queue


@bp.route("/")
@login_required
def home():
    """Who is owed word; a manager, who gives none, lands on their jobs."""
    if current_user.role == "manager":
        return redirect(url_for("admin.jobs"))
    return followup_queue()
