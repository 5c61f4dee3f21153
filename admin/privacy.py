"""Privacy: candidates' erasure requests (carry out or cancel) and the audit log of every
export and erasure. The operations are portal.privacy.actions's."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from admin.access import actor
from admin.access import staff_required
from admin.blueprint import bp
from portal.domain import queries
from portal.privacy import actions as privacy


@bp.get("/privacy/")
@staff_required
def privacy_page():
    """Pending erasure requests, and the latest audit entries."""
    return render_template(
        "admin/privacy.html",
        requests=list(privacy.pending_requests()),
        entries=queries.privacy_audit(),
    )


@bp.post("/privacy/<int:request_id>/erase")
@staff_required
def erase_now(request_id):
    """Carry out a candidate's erasure request now."""
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
    """Drop a request the candidate did not make, or took back."""
    privacy.cancel_request(actor(), request_id)
    flash("Request cancelled. Nothing was erased.", "success")
    return redirect(url_for("admin.privacy_page"))
