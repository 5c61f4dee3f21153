"""Interviews on the application page: the panel, arranging one, changing it, calling it
off, and the candidate's own time zone.

Recruiters and admins act; the job's managers see the panel only. Arranging, changing
and cancelling can reach the candidate, so each is checked first (admin/sending.py):
the email with its calendar file and the page it would give, then confirmed. Cancelling
starts from a page of its own, which says what it does: the confirmation.
"""

from datetime import datetime

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from admin import sending
from admin.access import actor
from admin.access import application_or_404
from admin.access import can_act
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import CancelInterviewForm
from admin.forms import InterviewForm
from admin.forms import options
from admin.forms import TimezoneForm
from portal.candidates.interviews import FORMAT_LABELS
from portal.candidates.interviews import local_time
from portal.candidates.interviews import times
from portal.clock import now
from portal.errors import Conflict
from portal.errors import Invalid
from portal.interviews import actions
from portal.interviews import checks
from portal.interviews import queries
from portal.store.models import Application
from portal.store.models import Interview


@bp.app_template_global("interview_panel")
def interview_panel(application: Application) -> dict:
    """What the application page's Interviews panel shows: each interview in words,
    to come first, and what the signed-in user may do."""
    company = current_app.config["TIMEZONE"]
    moment = now()
    items = [
        {
            "interview": interview,
            "label": FORMAT_LABELS.get(interview.format, interview.format),
            "times": times(interview.starts, interview.ends, company, application.timezone),
            "arranged_in": interview.timezone,
            "upcoming": interview.ends > moment,
            "meeting": [line for line in interview.meeting.splitlines() if line.strip()],
        }
        for interview in queries.of_application(application)
    ]
    upcoming = [item for item in items if item["upcoming"]]
    return {
        "items": upcoming + [item for item in reversed(items) if not item["upcoming"]],
        "can_act": can_act(current_user),
        "company_zone": company,
        "still_arranged": sum(1 for item in upcoming if item["interview"].cancelled is None),
        "timezone_form": _timezone_form(application),
    }


def _timezone_form(application: Application) -> TimezoneForm:
    """The panel's form for the candidate's own time zone, at its current value."""
    form = TimezoneForm(formdata=None, data={"timezone": application.timezone})
    form.timezone.choices = options([("", "Not known"), *_zones()])
    return form


def _zones():
    """The time zones to choose from, as (value, label) pairs."""
    return ((zone, zone) for zone in checks.zone_choices())


def _interview_or_404(application: Application, uid: str) -> Interview:
    """The interview ``uid`` of ``application``, or a 404."""
    interview = queries.by_uid(application, uid)
    if interview is None:
        abort(404)
    return interview


def _back(application: Application):
    """Back to the application page's Interviews panel."""
    return redirect(url_for("admin.application", ref=application.ref, _anchor="interviews"))


def _moments(form: InterviewForm) -> tuple[datetime, datetime]:
    """The start and end as typed: wall-clock times in the form's time zone."""
    day = form.day.data
    return datetime.combine(day, form.starts.data), datetime.combine(day, form.ends.data)


def _details(form: InterviewForm) -> dict:
    """The form's interview, as the domain's operations take it."""
    starts, ends = _moments(form)
    return {
        "starts": starts,
        "ends": ends,
        "timezone": form.timezone.data,
        "format": form.format.data,
        "place": form.place.data,
        "meeting": form.meeting.data,
        "prepare": form.prepare.data,
        "message": form.message.data,
        "tell": form.tell.data,
    }


def _form_page(application, form, interview=None, status=200, error=None):
    """The interview form, new or for ``interview``, as typed."""
    return (
        render_template(
            "admin/interview_form.html",
            application=application,
            form=form,
            interview=interview,
            error=error,
            place_labels=checks.PLACE_LABELS,
        ),
        status,
    )


def _stale(form, interview) -> str:
    """The warning a quiet change of an interview the candidate was sent deserves."""
    if form.tell.data or interview is None:
        return ""
    return (
        "Their calendar keeps the time they were sent: without the email, the entry in "
        "it does not change. Their page shows the change."
    )


def _decide(application, operation, title, form, page, interview=None):
    """Check, then carry out ``operation``; the check page, the redirect, or ``page``
    again with the domain's refusal."""
    try:
        decision = sending.decide(
            operation, [application.id], title, tell=form.tell.data, warning=_stale(form, interview)
        )
    except (Conflict, Invalid) as error:
        return page(error.status, error.message)
    if decision.page is not None:
        return decision.page
    flash(f"{decision.result} {decision.told}".strip(), "success")
    return _back(application)


def _submitted(application, form, interview, operation, title):
    """The interview form posted: the check of ``operation`` once the form is valid, else
    the form again (as typed, with its errors)."""
    form.timezone.choices = options(_zones())
    if request.method == "POST" and form.validate() and not sending.editing():
        return _decide(
            application,
            operation,
            title,
            form,
            lambda status, error: _form_page(application, form, interview, status, error),
            interview,
        )
    status = 400 if request.method == "POST" and not sending.editing() else 200
    return _form_page(application, form, interview, status)


@bp.route("/applications/<ref>/interviews/new", methods=["GET", "POST"])
@staff_required
def new_interview(ref):
    """Arrange an interview: the form, then the check of what goes to the candidate."""
    application = application_or_404(ref)
    if request.method == "GET":
        form = InterviewForm(formdata=None, data={"timezone": current_app.config["TIMEZONE"]})
    else:
        form = InterviewForm()

    def operation():
        """Arrange it as typed."""
        actions.schedule(actor(), application, **_details(form))
        return "Interview arranged."

    title = f"Arrange an interview with {application.candidate.name}"
    return _submitted(application, form, None, operation, title)


@bp.route("/applications/<ref>/interviews/<uid>/edit", methods=["GET", "POST"])
@staff_required
def edit_interview(ref, uid):
    """Change an interview's time or details: the form, then the check."""
    application = application_or_404(ref)
    interview = _interview_or_404(application, uid)
    if interview.cancelled is not None:
        flash("That interview is cancelled: arrange a new one instead.", "error")
        return _back(application)
    if request.method == "GET":
        starts = local_time(interview.starts, interview.timezone)
        ends = local_time(interview.ends, interview.timezone)
        form = InterviewForm(
            formdata=None,
            data={
                "day": starts.date(),
                "starts": starts.time(),
                "ends": ends.time(),
                "timezone": interview.timezone,
                "format": interview.format,
                "place": interview.place,
                "meeting": interview.meeting,
                "prepare": interview.prepare,
                "sequence": interview.sequence,
            },
        )
    else:
        form = InterviewForm()

    def operation():
        """Change it as typed."""
        actions.reschedule(
            actor(), interview, **_details(form), sequence=form.sequence.data or None
        )
        return "Interview changed."

    title = f"Change {application.candidate.name}'s interview"
    return _submitted(application, form, interview, operation, title)


@bp.route("/applications/<ref>/interviews/<uid>/cancel", methods=["GET", "POST"])
@staff_required
def cancel_interview(ref, uid):
    """Call an interview off: first a page saying what that does, then the check."""
    application = application_or_404(ref)
    interview = _interview_or_404(application, uid)
    if request.method == "GET":
        form = CancelInterviewForm(formdata=None, data={"sequence": interview.sequence})
    else:
        form = CancelInterviewForm()

    def page(status=200, error=None):
        """The confirmation page, with the domain's refusal when there is one."""
        company = current_app.config["TIMEZONE"]
        return (
            render_template(
                "admin/interview_cancel.html",
                application=application,
                interview=interview,
                label=FORMAT_LABELS.get(interview.format, interview.format),
                times=times(interview.starts, interview.ends, company),
                form=form,
                error=error,
            ),
            status,
        )

    if interview.cancelled is not None:
        flash("That interview is already cancelled.", "info")
        return _back(application)
    if request.method == "POST" and form.validate() and not sending.editing():

        def operation():
            """Call it off."""
            actions.cancel(
                actor(),
                interview,
                form.message.data,
                tell=form.tell.data,
                sequence=form.sequence.data or None,
            )
            return "Interview cancelled."

        title = f"Cancel {application.candidate.name}'s interview"
        return _decide(application, operation, title, form, page, interview)
    return page(400 if request.method == "POST" and not sending.editing() else 200)


@bp.post("/applications/<ref>/timezone")
@staff_required
def set_timezone(ref):
    """Set the candidate's own time zone: their page and emails give times in it too."""
    application = application_or_404(ref)
    form = TimezoneForm()
    try:
        changed = actions.set_timezone(actor(), application, form.timezone.data)
    except Invalid as error:
        flash(error.message, "error")
    else:
        zone = application.timezone or "not known"
        words = f"Their time zone is now {zone}." if changed else "Their time zone is unchanged."
        flash(words, "success" if changed else "info")
    return _back(application)
