"""Privacy: candidates' erasure requests (carry out or cancel) and the audit log of every
export and erasure. The operations are portal.privacy.actions's.

Erasing cannot be undone, so "Erase now" first shows a page that says what goes (GET,
changing nothing); only the form on that page erases.
"""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from admin import sending
from admin.access import actor
from admin.access import staff_required
from admin.blueprint import bp
from portal.domain import queries
from portal.errors import NotFound
from portal.privacy import actions as privacy
from portal.store.models import Application
from portal.store.models import ErasureRequest


@bp.get("/privacy/")
@staff_required
def privacy_page():
    """Pending erasure requests, and the latest audit entries."""
    return render_template(
        "admin/privacy.html",
        requests=list(privacy.pending_requests()),
        entries=queries.privacy_audit(),
    )


@bp.route("/privacy/<int:request_id>/erase", methods=["GET", "POST"])
@staff_required
def erase_now(request_id):
    """Carry out a candidate's erasure request now; GET asks first, saying what goes."""
    if request.method == "GET":
        return _confirm_erase(request_id)
    counts = privacy.carry_out(actor(), request_id)
    flash(
        f"Erased: {counts['events']} text(s) in the history, {counts['mail']} email(s); "
        "their links no longer work.",
        "success",
    )
    return redirect(url_for("admin.privacy_page"))


@bp.post("/privacy/<int:request_id>/cancel")
@staff_required
def cancel(request_id):
    """Drop a request the candidate did not make, or took back; when asking withdrew the
    application, calling it off reopens it and tells them, so that is checked first."""
    pending = privacy.pending_requests().where(ErasureRequest.id == request_id).first()
    if pending is None:
        raise NotFound("That request was already carried out or cancelled.")
    if sending.editing():
        return redirect(url_for("admin.privacy_page"))
    decision = sending.decide(
        lambda: privacy.cancel_request(actor(), request_id),
        [pending.application_id] if pending.application_id else [],
        f"Call off {pending.candidate.name}'s erasure request",
    )
    if decision.page is not None:
        return decision.page
    flash(f"Request cancelled. Nothing was erased. {decision.told}", "success")
    return redirect(url_for("admin.privacy_page"))


def _confirm_erase(request_id: int):
    """The page that asks before erasing: which applications go, and whether the person
    (their name and email address) goes with them."""
    pending = privacy.pending_requests().where(ErasureRequest.id == request_id).first()
    if pending is None:
        raise NotFound("That request was already carried out or cancelled.")
    theirs = list(
        Application.select()
        .where(Application.candidate == pending.candidate_id)
        .order_by(Application.id)
    )
    asked = [a for a in theirs if a.id == pending.application_id]
    kept = [a for a in theirs if a.id != pending.application_id] if asked else []
    return render_template(
        "admin/confirm_erase.html",
        pending=pending,
        erased=asked or theirs,
        kept=kept,
        person=not kept,
    )
