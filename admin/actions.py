"""The application page's actions, one POST each: move, update, note, close, reopen, feedback.

Each parses its form, calls one domain operation and redirects back to the page. When
the domain refuses (someone changed the application meanwhile, or the input cannot be
used) the page is shown again with the current state, the reason, and the form as typed.
"""

from flask import abort
from flask import flash
from flask import redirect
from flask import url_for
from flask_login import login_required

from admin import bp
from admin.access import actor
from admin.access import application_or_404
from admin.access import can_give_feedback
from admin.access import staff_required
from admin.applications import application_page
from admin.forms import CloseForm
from admin.forms import FeedbackForm
from admin.forms import MoveForm
from admin.forms import NoteForm
from admin.forms import ReopenForm
from admin.forms import stage_options
from admin.forms import UpdateForm
from portal import domain
from portal import queries
from portal.errors import Conflict
from portal.errors import Invalid


def _refused(ref, name, form, error):
    """The page again, in its current state, with the user's form as they typed it."""
    application = application_or_404(ref)
    if "version" in form and isinstance(error, Conflict):
        form.version.data = application.version  # their next submit applies to what they now see
    return application_page(application, (name, form), error.status, error.message)


def _invalid(ref, name, form):
    application = application_or_404(ref)
    return application_page(application, (name, form), 400, "Please correct the form below.")


def _stage(application, stage_id):
    return next((s for s in queries.stages(application.job) if s.id == stage_id), None)


def _done(application, message):
    flash(message, "success")
    return redirect(url_for("admin.application", ref=application.ref))


def _with_choices(form, application):
    if "stage" in form:
        form.stage.choices = stage_options(queries.stages(application.job))
    return form


@bp.post("/applications/<ref>/move")
@staff_required
def move(ref):
    """Move the application to another stage, with optional word for the candidate."""
    application = application_or_404(ref)
    form = _with_choices(MoveForm(prefix="move"), application)
    if not form.validate():
        return _invalid(ref, "move", form)
    stage = _stage(application, form.stage.data)
    try:
        domain.move(
            actor(),
            application,
            stage,
            form.version.data,
            form.message.data,
            form.next_steps.data,
            form.reply_by.data,
        )
    except (Conflict, Invalid) as error:
        return _refused(ref, "move", form, error)
    return _done(application, f"Moved to {stage.name}.")


@bp.post("/applications/<ref>/update")
@staff_required
def update(ref):
    """Post a candidate-facing update without changing stage."""
    application = application_or_404(ref)
    form = UpdateForm(prefix="update")
    if not form.validate():
        return _invalid(ref, "update", form)
    try:
        domain.post_update(
            actor(),
            application,
            form.version.data,
            form.message.data,
            form.next_steps.data,
            form.reply_by.data,
        )
    except (Conflict, Invalid) as error:
        return _refused(ref, "update", form, error)
    return _done(application, "Update posted for the candidate.")


@bp.post("/applications/<ref>/note")
@staff_required
def note(ref):
    """Add an internal note."""
    application = application_or_404(ref)
    form = NoteForm(prefix="note")
    if not form.validate():
        return _invalid(ref, "note", form)
    try:
        domain.add_note(actor(), application, form.message.data)
    except Invalid as error:
        return _refused(ref, "note", form, error)
    return _done(application, "Note added.")


@bp.post("/applications/<ref>/close")
@staff_required
def close(ref):
    """Close as hired, rejected or withdrawn."""
    application = application_or_404(ref)
    form = CloseForm(prefix="close")
    if not form.validate():
        return _invalid(ref, "close", form)
    try:
        domain.close(
            actor(),
            application,
            form.version.data,
            form.status.data,
            form.closure_note.data,
            form.reason.data,
        )
    except (Conflict, Invalid) as error:
        return _refused(ref, "close", form, error)
    return _done(application, f"Closed as {form.status.data}.")


@bp.post("/applications/<ref>/reopen")
@staff_required
def reopen(ref):
    """Put a closed application back in the pipeline."""
    application = application_or_404(ref)
    form = _with_choices(ReopenForm(prefix="reopen"), application)
    if not form.validate():
        return _invalid(ref, "reopen", form)
    stage = _stage(application, form.stage.data)
    try:
        domain.reopen(actor(), application, form.version.data, stage)
    except (Conflict, Invalid) as error:
        return _refused(ref, "reopen", form, error)
    return _done(application, f"Reopened at {stage.name}.")


@bp.post("/applications/<ref>/feedback")
@login_required
def feedback(ref):
    """Submit a scorecard for the application at a stage."""
    application = application_or_404(ref)
    if not can_give_feedback(actor(), application):
        abort(403)
    form = _with_choices(FeedbackForm(prefix="feedback"), application)
    if not form.validate():
        return _invalid(ref, "feedback", form)
    try:
        domain.submit_feedback(
            actor(),
            application,
            _stage(application, form.stage.data),
            form.rating.data,
            form.recommendation.data,
            form.strengths.data,
            form.concerns.data,
        )
    except Invalid as error:
        return _refused(ref, "feedback", form, error)
    return _done(application, "Thank you: your feedback is saved.")
