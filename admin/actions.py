"""The application page's actions, one POST each: move, update, deciding, note,
reopen, feedback (closing is admin/closing.py's).

Each is a small function handed to `perform`, which parses the form, calls it and
redirects back to the page, or shows the page again when the form or the domain refuses.
An action that can reach the candidate is checked first (admin/sending.py): the user
sees the email and the page it would give, and confirms.
"""

from flask import abort
from flask import flash
from flask import redirect
from flask import url_for
from flask_login import login_required

from admin import scorecards
from admin import sending
from admin.access import actor
from admin.access import application_or_404
from admin.access import can_give_feedback
from admin.access import staff_required
from admin.applications import application_page
from admin.blueprint import bp
from admin.forms import DecidingForm
from admin.forms import FeedbackForm
from admin.forms import MoveForm
from admin.forms import NoteForm
from admin.forms import ReopenForm
from admin.forms import stage_options
from admin.forms import UpdateForm
from portal import domain
from portal.domain import queries
from portal.errors import Conflict
from portal.errors import Invalid


def _with_choices(form, application):
    if "stage" in form:
        form.stage.choices = stage_options(queries.stages(application.job))
    return form


def _stage(application, stage_id):
    return next((s for s in queries.stages(application.job) if s.id == stage_id), None)


def perform(
    ref,
    name,
    form_class,
    operation,
    allowed=lambda application: True,
    title=None,
    preview=None,
    later=lambda form: "",
):
    """Parse the form, run one domain operation, redirect back with its message.

    When the form does not validate, or the domain refuses (someone changed the
    application meanwhile, or the input cannot be used), the page is shown again in its
    current state with the reason and the form as the user typed it. With a ``title``
    the operation can reach the candidate: it is checked first, then confirmed; when
    ``later(form)`` says it only schedules, ``preview`` gives what it will do then.
    """
    application = application_or_404(ref)
    if not allowed(application):
        abort(403)
    form = _with_choices(form_class(prefix=name), application)
    if not form.validate():
        return application_page(application, (name, form), 400, "Please correct the form below.")
    if sending.editing():
        return application_page(application, (name, form))
    try:
        if title is None:
            message = operation(application, form)
        else:
            when = later(form)
            decision = sending.decide(
                lambda: operation(application, form),
                [application.id],
                title(application, form),
                tell=form.tell.data or bool(when),
                preview=preview(application, form) if when else None,
                later=when,
            )
            if decision.page is not None:
                return decision.page
            message = f"{decision.result} {decision.told}".strip()
    except (Conflict, Invalid) as error:
        application = application_or_404(ref)
        if "version" in form and isinstance(error, Conflict):
            # their next submit applies to what they now see
            form.version.data = application.version
        return application_page(application, (name, form), error.status, error.message)
    flash(message, "success")
    return redirect(url_for("admin.application", ref=application.ref))


@bp.post("/applications/<ref>/move")
@staff_required
def move(ref):
    """Move the application to another stage, with optional word for the candidate."""

    def operation(application, form):
        stage = _stage(application, form.stage.data)
        domain.move(
            actor(),
            application,
            stage,
            form.version.data,
            form.message.data,
            form.next_steps.data,
            form.reply_by.data,
            tell=form.tell.data,
        )
        return f"Moved to {stage.name}."

    def title(application, form):
        stage = _stage(application, form.stage.data)
        return f"Move {application.candidate.name} to {stage.name if stage else 'another stage'}"

    return perform(ref, "move", MoveForm, operation, title=title)


@bp.post("/applications/<ref>/update")
@staff_required
def update(ref):
    """Post a candidate-facing update without changing stage."""

    def operation(application, form):
        domain.post_update(
            actor(),
            application,
            form.version.data,
            form.message.data,
            form.next_steps.data,
            form.reply_by.data,
            tell=form.tell.data,
        )
        return "Update posted for the candidate."

    return perform(
        ref,
        "update",
        UpdateForm,
        operation,
        title=lambda application, form: f"Give {application.candidate.name} word",
    )


@bp.post("/applications/<ref>/deciding")
@staff_required
def deciding(ref):
    """The interview is over: tell the candidate the team is deciding, and by when."""

    def operation(application, form):
        domain.mark_deciding(
            actor(),
            application,
            form.version.data,
            form.message.data,
            form.reply_by.data,
            tell=form.tell.data,
        )
        return "The candidate's page now says the team is deciding."

    return perform(
        ref,
        "deciding",
        DecidingForm,
        operation,
        title=lambda application, form: f"Tell {application.candidate.name} the team is deciding",
    )


@bp.post("/applications/<ref>/note")
@staff_required
def note(ref):
    """Add an internal note."""

    def operation(application, form):
        domain.add_note(actor(), application, form.message.data)
        return "Note added."

    return perform(ref, "note", NoteForm, operation)


@bp.post("/applications/<ref>/reopen")
@staff_required
def reopen(ref):
    """Put a closed application back in the pipeline."""

    def operation(application, form):
        stage = _stage(application, form.stage.data)
        domain.reopen(
            actor(),
            application,
            form.version.data,
            stage,
            form.message.data or None,
            form.reply_by.data,
            tell=form.tell.data,
        )
        return f"Reopened at {stage.name}."

    return perform(
        ref,
        "reopen",
        ReopenForm,
        operation,
        title=lambda application, form: f"Reopen {application.candidate.name}'s application",
    )


@bp.post("/applications/<ref>/feedback")
@login_required
def feedback(ref):
    """Submit a scorecard for the application at a stage."""

    def operation(application, form):
        domain.submit_feedback(
            actor(),
            application,
            _stage(application, form.stage.data),
            form.rating.data,
            form.recommendation.data,
            form.strengths.data,
            form.concerns.data,
            scorecards.ratings_of(form),
        )
        return "Thank you: your feedback is saved."

    return perform(
        ref,
        "feedback",
        FeedbackForm,
        operation,
        allowed=lambda application: can_give_feedback(actor(), application),
    )
