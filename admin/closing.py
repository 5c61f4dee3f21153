"""Closing from the application page: the outcome, the reason from the company's list,
the note for the candidate (its reason's words filled in, shown on the check page before
it goes), the internal note, and a day to send it on; and calling off a scheduled one."""

from flask import flash
from flask import redirect
from flask import url_for

from admin.access import actor
from admin.access import application_or_404
from admin.access import staff_required
from admin.actions import perform
from admin.blueprint import bp
from admin.forms import CloseForm
from portal import dates
from portal import domain
from portal.errors import Invalid


@bp.post("/applications/<ref>/close")
@staff_required
def close(ref):
    """Close as hired, rejected or withdrawn, for a reason from the list."""

    def operation(application, form):
        if form.send_on.data:
            domain.schedule_close(
                actor(),
                application,
                form.version.data,
                form.status.data,
                form.closure_note.data,
                form.reason.data,
                form.send_on.data,
                closure_reason=form.closure_reason.data,
            )
            return (
                f"To be closed as {form.status.data} on {dates.in_words(form.send_on.data)} "
                f"at {domain.SEND_AT:%H:%M}, with its email; until then nothing is sent "
                "and you can cancel it here."
            )
        now(application, form, form.tell.data)
        return f"Closed as {form.status.data}."

    def now(application, form, tell):
        return domain.close(
            actor(),
            application,
            form.version.data,
            form.status.data,
            form.closure_note.data,
            form.reason.data,
            tell=tell,
            closure_reason=form.closure_reason.data,
        )

    def title(application, form):
        when = f" on {dates.in_words(form.send_on.data)}" if form.send_on.data else ""
        return f"Close {application.candidate.name}'s application as {form.status.data}{when}"

    def on_the_day(application, form):  # what a scheduled closure will do then: it emails
        return lambda: now(application, form, True)

    def later(form):
        if form.send_on.data:
            return f"on {dates.in_words(form.send_on.data)} at {domain.SEND_AT:%H:%M}"
        return ""

    return perform(ref, "close", CloseForm, operation, title=title, preview=on_the_day, later=later)


@bp.post("/applications/<ref>/close/cancel")
@staff_required
def cancel_close(ref):
    """Call off a scheduled closure before its email goes."""
    application = application_or_404(ref)
    try:
        domain.cancel_scheduled_close(actor(), application)
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash("The scheduled closure is off: nothing was sent.", "success")
    return redirect(url_for("admin.application", ref=application.ref))
