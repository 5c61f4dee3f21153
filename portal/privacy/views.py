"""The candidate's erasure request from their page: POST /c/<token>/erase.

Like the page's other forms it carries the form token derived from the link (no
session) and needs the confirmation box ticked. The request withdraws what is open and
emails the candidate's address, so the person learns of it if a forwarded link was
misused; a recruiter carries it out from Admin › Privacy, or `portal purge` does once
it is ``ERASURE_DAYS`` old (at once when that is 0). See portal.domain.privacy.
"""

from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import request
from flask import Response

from portal import dates
from portal.candidates import views as candidate
from portal.clock import local_date
from portal.errors import DomainError
from portal.privacy import actions as privacy
from portal.web.views import csrf

bp = Blueprint("candidate_privacy", __name__)


def init_app(app: Flask) -> None:
    """Register the route; like every candidate form it has no CSRF session."""
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.post("/c/<token>/erase")
def erase(token: str):
    """Record the candidate's confirmed request to erase their data."""
    application = candidate.form_target(token)
    if isinstance(application, Response):
        return application
    back = candidate.page_address(token)
    if request.form.get("confirm") != "yes":
        return candidate.message_page(
            400,
            "Please confirm",
            "Tick the box to confirm that you want us to delete your data, then press "
            "Delete my data.",
            back,
        )
    already = privacy.pending_request(application)
    try:
        erasure = privacy.request_erasure(application)
    except DomainError as error:
        return candidate.message_page(error.status, "That did not work", error.message, back)
    if not current_app.config["ERASURE_DAYS"]:
        return candidate.message_page(
            200,
            "Your data is deleted",
            "We have deleted this application and everything written about it (and your "
            "name and email address, if it was your only application with us). This page "
            "no longer works. Thank you for your interest in working with us.",
        )
    deleted = (
        f"this application and everything written about it by {_day(erasure.due)} at the latest"
    )
    if already is not None:
        message = f"We already had your request: we will delete {deleted}."
    else:
        done = "withdrawn it and emailed you" if erasure.withdrew else "emailed you"
        message = f"We will delete {deleted}. We have {done} to confirm."
    return candidate.message_page(
        200,
        "We have your request",
        message,
        back,
    )


def _day(moment) -> str:
    return dates.in_words(local_date(moment))
