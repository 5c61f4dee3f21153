"""The admin home: who is owed word, most overdue first."""

from flask import current_app
from flask import render_template
from flask import request
from flask_login import current_user
from flask_login import login_required

from admin import bp
from admin.access import restricted_to
from portal import dates
from portal import queries
from portal.clock import today


def page_number() -> int:
    """The ``page`` query argument, 1 when absent or nonsense."""
    return max(1, request.args.get("page", 1, type=int) or 1)


def owed_in_words(reply_by, now) -> tuple[str, str]:
    """How late word is ('Overdue by 3 business days', 'Due today'...) and its tone."""
    late = dates.business_days_between(reply_by, now)
    if late > 0:
        return f"Overdue by {late} business day{'s' if late != 1 else ''}", "late"
    if reply_by < now:  # passed over a weekend or a holiday only
        return "Overdue", "late"
    if reply_by == now:
        return "Due today", "due"
    return "Due next business day", "soon"


@bp.route("/")
@login_required
def home():
    """Active applications whose reply-by date has passed or falls within a business day."""
    now = today()
    until = dates.add_business_days(now, 1)
    page = queries.owed_word(
        restricted_to(current_user), until, page_number(), current_app.config["PAGE_SIZE"]
    )
    rows = [(application, *owed_in_words(application.reply_by, now)) for application in page.items]
    return render_template("admin/home.html", page=page, rows=rows, until=until)
