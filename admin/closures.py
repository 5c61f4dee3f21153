"""The editable closure-note templates, one per outcome."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from admin.access import actor
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import TemplateForm
from portal import domain
from portal.errors import Invalid
from portal.store.models import CLOSED_STATUSES


def _forms(submitted=None, status=None) -> dict:
    forms = {
        status: TemplateForm(
            prefix=status, formdata=None, data={"body": domain.closure_template(status)}
        )
        for status in CLOSED_STATUSES
    }
    if submitted is not None:
        forms[status] = submitted
    return forms


@bp.route("/templates", methods=["GET", "POST"])
@staff_required
def closure_templates():
    """Edit the closure notes that closing an application starts from."""
    if request.method == "GET":
        return render_template("admin/closure_templates.html", forms=_forms())
    status = request.form.get("status", "")
    if status not in CLOSED_STATUSES:
        return render_template("admin/closure_templates.html", forms=_forms()), 400
    form = TemplateForm(prefix=status)
    error = None
    if form.validate():
        try:
            domain.set_closure_template(actor(), status, form.body.data)
        except Invalid as refusal:
            error = refusal.message
        else:
            flash(f"Saved the {status} template.", "success")
            return redirect(url_for("admin.closure_templates", _anchor=status))
    return render_template(
        "admin/closure_templates.html", forms=_forms(form, status), error=error
    ), 400
