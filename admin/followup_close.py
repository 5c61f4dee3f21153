"""Closing one application well: the final note, edited by the recruiter, with what the
interviewers chose to share; and the page where an interviewer chooses what to share."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import login_required

from admin import sending
from admin.access import actor
from admin.access import application_or_404
from admin.access import staff_required
from admin.blueprint import bp
from admin.followup import back
from admin.followup import filters
from admin.followup import REFUSALS
from portal import domain
from portal.domain import reasons
from portal.domain.closing import POINT_LABELS
from portal.errors import Forbidden
from portal.followup import actions
from portal.store.models import CLOSED_STATUSES
from portal.store.models import Feedback
from portal.store.models import Stage


@bp.route("/followup/<ref>/close", methods=["GET", "POST"])
@staff_required
def followup_close(ref):
    """Close one application: the note starts from the outcome's template, the recruiter
    edits the final text, and may insert what the managers chose to share."""
    application = application_or_404(ref)
    status = request.values.get("status", "rejected")
    if status not in CLOSED_STATUSES:
        abort(400, "Choose hired, rejected or withdrawn.")
    parts = actions.shareable(application)
    note = request.form.get("note")
    if note is None:
        note = domain.closure_note_draft(application, status)
    insert = request.form.get("insert")
    if request.method == "POST" and insert is None and not sending.editing():
        try:
            decision = sending.decide(
                lambda: domain.close(
                    actor(),
                    application,
                    request.form.get("version", type=int) or 0,
                    status,
                    note,
                    request.form.get("reason", ""),
                    tell=request.form.get("tell") == "y",
                    closure_reason=request.form.get("closure_reason", ""),
                ),
                [application.id],
                f"Close {application.candidate.name}'s application as {status}",
                tell=request.form.get("tell") == "y",
            )
        except REFUSALS as error:
            flash(error.message, "error")
            application = application_or_404(ref)  # show what it is now
        else:
            if decision.page is not None:
                return decision.page
            flash(f"{application.candidate.name}: closed as {status}. {decision.told}", "success")
            return back()
    elif insert is not None:
        text = {part.key: part.text for part in parts}.get(insert)
        if text is None:
            abort(400, "That feedback is not shared.")
        note = note.rstrip() + "\n\n" + text
    return render_template(
        "admin/followup_close.html",
        application=application,
        status=status,
        note=note,
        reason=request.form.get("reason", ""),
        closure_reason=request.values.get("closure_reason", ""),
        closure_reasons=reasons.offered(status),
        point=POINT_LABELS[domain.closing_point(application)],
        parts=parts,
        filters=filters(),
        statuses=CLOSED_STATUSES,
    )


@bp.route("/feedback/<int:feedback_id>/share", methods=["GET", "POST"])
@login_required
def feedback_share(feedback_id):
    """The author of a scorecard chooses which parts the candidate may read."""
    feedback = (
        Feedback.select(Feedback, Stage)
        .join(Stage, on=(Feedback.stage == Stage.id))
        .where(Feedback.id == feedback_id)
        .first()
    )
    if feedback is None:
        abort(404)
    application = application_or_404(feedback.application.ref)
    if request.method == "POST":
        try:
            domain.share_feedback(
                actor(),
                feedback,
                request.form.get("strengths") == "y",
                request.form.get("concerns") == "y",
            )
        except Forbidden:
            abort(403)
        flash("Saved what the candidate may read.", "success")
        return redirect(url_for("admin.application", ref=application.ref))
    if not (actor().is_admin or feedback.author_id == actor().id):
        abort(403)
    return render_template("admin/followup_share.html", feedback=feedback, application=application)
