"""The closing words: the closure-note templates, per outcome and per point of the
process, and the company's list of closure reasons (admin/reasons.py changes it)."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from admin.access import actor
from admin.access import can_manage_users
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import PointTemplateForm
from admin.forms import ReasonForm
from admin.forms import TemplateForm
from portal import domain
from portal.domain import closing
from portal.domain import reasons
from portal.errors import Invalid
from portal.store.models import CLOSED_STATUSES
from portal.store.models import CLOSING_POINTS

#: The outcomes whose note differs by point of the process: a hire comes at the end.
BY_POINT = ("rejected", "withdrawn")


def keys() -> list[tuple[str, str]]:
    """Every (outcome, point) the page offers a template for, in page order."""
    return [
        (status, point)
        for status in CLOSED_STATUSES
        for point in ("", *(CLOSING_POINTS if status in BY_POINT else ()))
    ]


def _prefix(status: str, point: str) -> str:
    """The form prefix (and page anchor) of one outcome's template at one point."""
    return f"{status}-{point}" if point else status


def _forms(submitted=None, key=None) -> dict:
    """A form per (outcome, point), each holding the template that point uses now."""
    saved = closing.saved_templates()
    forms = {}
    for status, point in keys():
        form_class = PointTemplateForm if point else TemplateForm
        text = closing.closure_template(status, point, saved)
        forms[(status, point)] = form_class(
            prefix=_prefix(status, point), formdata=None, data={"body": text}
        )
    if submitted is not None:
        forms[key] = submitted
    return forms


#: How the page says where a point's template comes from (``closing.template_source``).
SOURCE_WORDS = {
    closing.OWN: "its own",
    closing.ANY_POINT: "the {status} template for any point",
    closing.PORTAL: "the portal's words",
}


def _sources() -> dict:
    """Where each point's template comes from: (in words, the source)."""
    saved = closing.saved_templates()
    sources = {}
    for status, point in keys():
        source = closing.template_source(status, point, saved)
        sources[(status, point)] = (SOURCE_WORDS[source].format(status=status), source)
    return sources


#: What each reset button of a point asks for: the template for any point (an empty
#: body), or the portal's words for the point (None).
RESETS = {"yes": "", "portal": None}


def page(status=200, forms=None, error=None, reason_form=None):
    """The templates and reasons page; ``reason_form``: a new reason as typed, refused."""
    return render_template(
        "admin/closure_templates.html",
        forms=forms or _forms(),
        sources=_sources(),
        portal_words=closing.POINT_NOTES,
        labels=closing.POINT_LABELS,
        reasons=reasons.company_list(),
        system_reasons=reasons.SYSTEM_REASONS,
        may_change_reasons=can_manage_users(current_user),
        reason_form=reason_form or ReasonForm(prefix="new", formdata=None),
        adding=reason_form is not None,
        error=error,
    ), status


@bp.route("/templates", methods=["GET", "POST"])
@staff_required
def closure_templates():
    """Edit the closure notes that closing an application starts from."""
    if request.method == "GET":
        return page()
    key = (request.form.get("status", ""), request.form.get("point", ""))
    if key not in keys():
        return page(400)
    status, point = key
    form = (PointTemplateForm if point else TemplateForm)(prefix=_prefix(status, point))
    reset = request.form.get("reset")
    if point and reset in RESETS:
        form.body.data = RESETS[reset]
    if point or form.validate():
        try:
            domain.set_closure_template(actor(), status, form.body.data, point)
        except Invalid as refusal:
            return page(400, _forms(form, key), refusal.message)
        which = f"{status} template" + (f" {closing.POINT_LABELS[point].lower()}" if point else "")
        flash(f"Saved the {which}.", "success")
        return redirect(url_for("admin.closure_templates", _anchor=_prefix(status, point)))
    return page(400, _forms(form, key))
