"""A candidate's own details: correcting a mistyped name or email address.

The candidate is a person with one row per address, so a correction made from one
application applies to all of theirs; ``portal.candidates.actions.edit_details`` makes
it, and emails the new and the old address when the address changes.
"""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from admin import sending
from admin.access import actor
from admin.access import application_or_404
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import DetailsForm
from portal.candidates import actions as candidate_actions
from portal.domain.base import normalise_email
from portal.errors import Invalid
from portal.store.models import Application


@bp.route("/applications/<ref>/details", methods=["GET", "POST"])
@staff_required
def edit_details(ref):
    """Correct the candidate's name or email address, saying first what will be emailed."""
    application = application_or_404(ref)
    candidate = application.candidate
    if request.method == "GET":
        form = DetailsForm(data={"name": candidate.name, "email": candidate.email})
    else:
        form = DetailsForm()
    if form.validate_on_submit() and not sending.editing():

        def correct():
            return candidate_actions.edit_details(
                actor(), application, form.name.data, form.email.data
            )

        try:
            if normalised(form.email.data) != candidate.email:  # emails go: check them first
                theirs = [a.id for a in Application.select().where(
                    Application.candidate == candidate.id
                )]  # fmt: skip
                decision = sending.decide(
                    correct, theirs, f"Correct {candidate.name}'s email address"
                )
                if decision.page is not None:
                    return decision.page
                done = decision.result
            else:
                done = correct()
        except Invalid as error:
            return _page(application_or_404(ref), form, 400, error.message)
        flash(_done_words(done, application.candidate), "success" if done.changed else "info")
        return redirect(url_for("admin.application", ref=application.ref))
    return _page(application, form, 400 if request.method == "POST" else 200)


def normalised(email: str) -> str:
    """The address as it would be stored, or as typed when it is no address (the
    correction then refuses it, naming the problem)."""
    try:
        return normalise_email(email)
    except Invalid:
        return email


def _done_words(done: candidate_actions.Corrected, candidate) -> str:
    """The flash after a correction: what changed and what was emailed."""
    if not done.changed:
        return "Nothing changed: the name and email address are as they were."
    words = f"Corrected the {' and '.join(done.changed)} of {candidate.name}."
    if "email" in done.changed:
        sent = (
            f" Emailed {'a new link' if done.sent == 1 else f'{done.sent} new links'} to "
            f"{candidate.email}"
            if done.sent
            else f" No link was sent to {candidate.email}: none of their pages has a live link"
        )
        words += f"{sent}, and a notice to the old address."
    return words


def _page(application, form, status, error=None):
    """The form, with the person's applications and what saving will email."""
    candidate = application.candidate
    theirs = list(
        Application.select().where(Application.candidate == candidate.id).order_by(Application.id)
    )
    return (
        render_template(
            "admin/details.html",
            application=application,
            candidate=candidate,
            form=form,
            theirs=theirs,
            linked=candidate_actions.linked(candidate),
            erased=candidate_actions.erased(candidate),
            error=error,
        ),
        status,
    )
