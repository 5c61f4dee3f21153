"""The company's list of closure reasons, as admins change it: add, edit, retire (after
a page that says what retiring does) and offer again. The list itself shows on the
templates page (admin/closures.py); every change is the domain's, and audited."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from admin import closures
from admin.access import actor
from admin.access import admin_required
from admin.blueprint import bp
from admin.forms import ReasonForm
from portal.domain import reasons
from portal.errors import Invalid
from portal.errors import NotFound
from portal.store.models import Application
from portal.store.models import ClosureReason


def _reason(code: str, stored: bool) -> ClosureReason:
    """The reason ``code`` (``stored``: as a change refers to it, the list seeded first;
    else as the list reads), or a 404; the one a candidate's own withdrawal sets is not
    staff's to edit or retire, nor any other that only the system sets."""
    try:
        reason = reasons.reason_or_404(code) if stored else reasons.find(code)
    except NotFound:
        abort(404)
    if reason is None or reason.code in reasons.SYSTEM_REASONS:
        abort(404)
    return reason


def _back(reason: ClosureReason):
    """Back to the reason on the templates and reasons page."""
    return redirect(url_for("admin.closure_templates", _anchor=f"reason-{reason.code}"))


@bp.post("/reasons/", endpoint="add_reason")
@admin_required
def add_reason():
    """Add a reason to the company's list."""
    form = ReasonForm(prefix="new")
    if form.validate():
        try:
            reason = reasons.save_reason(
                actor(),
                status=form.status.data,
                label=form.label.data,
                tellable=form.tellable.data,
                candidate_text=form.candidate_text.data,
                next_steps=form.next_steps.data,
            )
        except Invalid as refusal:
            return closures.page(400, error=refusal.message, reason_form=form)
        flash(f"Added “{reason.label}” to the reasons for {reason.status} applications.", "success")
        return _back(reason)
    return closures.page(400, error="Please correct the new reason.", reason_form=form)


@bp.route("/reasons/<code>/edit", methods=["GET", "POST"], endpoint="edit_reason")
@admin_required
def edit_reason(code):
    """Change a reason's label, whether the candidate is told it, and its words."""
    reason = _reason(code, stored=request.method == "POST")
    if request.method == "GET":
        form = ReasonForm(prefix="reason", formdata=None, obj=reason)
        return render_template("admin/closure_reason.html", reason=reason, form=form)
    form = ReasonForm(prefix="reason")
    del form.status  # fixed once made: closures and counts go by it
    error = None
    if form.validate():
        try:
            reasons.save_reason(
                actor(),
                reason,
                label=form.label.data,
                tellable=form.tellable.data,
                candidate_text=form.candidate_text.data,
                next_steps=form.next_steps.data,
            )
        except Invalid as refusal:
            error = refusal.message
        else:
            flash(f"Saved “{reason.label}”.", "success")
            return _back(reason)
    page = render_template("admin/closure_reason.html", reason=reason, form=form, error=error)
    return page, 400


@bp.route("/reasons/<code>/retire", methods=["GET", "POST"], endpoint="retire_reason")
@admin_required
def retire_reason(code):
    """Stop offering a reason; GET asks first, saying what retiring does."""
    reason = _reason(code, stored=request.method == "POST")
    if request.method == "GET":
        given = 0
        if reason.id is not None:
            given = Application.select().where(Application.closure_reason == reason.id).count()
        return render_template("admin/confirm_retire_reason.html", reason=reason, given=given)
    try:
        reasons.retire_reason(actor(), reason)
    except Invalid as refusal:
        flash(refusal.message, "info")
    else:
        flash(f"Retired “{reason.label}”: it is no longer offered when closing.", "success")
    return _back(reason)


@bp.post("/reasons/<code>/offer", endpoint="offer_reason")
@admin_required
def offer_reason(code):
    """Offer a retired reason again."""
    reason = _reason(code, stored=True)
    try:
        reasons.retire_reason(actor(), reason, retired=False)
    except Invalid as refusal:
        flash(refusal.message, "info")
    else:
        flash(f"“{reason.label}” is offered again when closing.", "success")
    return _back(reason)
