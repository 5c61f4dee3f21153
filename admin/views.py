"""Admin screens."""

from flask import render_template
from flask_login import login_required

from admin import bp
from portal.models import Job


@bp.route("/")
@login_required
def home():
    """The admin home page."""
    return render_template("admin/home.html", jobs=Job.select().order_by(Job.title))
