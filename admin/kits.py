"""A job's interview kits: the job's own, and each stage's own where it differs, edited
like the pipeline (admin/stages.py): add, remove and reorder criteria without JS.

The buttons that add, remove or move a row re-display the kit as a draft; only "Save"
writes it, in one call to ``domain.set_kit``. The form carries the job's stamp from when
the kit was loaded, so a save over someone else's meanwhile change is refused (409).
"""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from admin.access import actor
from admin.access import job_or_404
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import KitForm
from admin.stages import edit_draft
from portal import domain
from portal.domain import queries
from portal.domain.kits import kits_of
from portal.domain.kits import MOST
from portal.errors import Conflict
from portal.errors import Invalid


def _rows(criteria) -> list[dict]:
    """A kit's criteria as the form's rows."""
    return [{"name": c.name, "guidance": c.guidance} for c in criteria]


@bp.route("/jobs/<ref>/kit", methods=["GET", "POST"])
@bp.route("/jobs/<ref>/kit/<int:stage_id>", methods=["GET", "POST"])
@staff_required
def kit(ref, stage_id=None):
    """Edit the job's interview kit, or with ``stage_id`` that stage's own."""
    job = job_or_404(ref)
    pipeline = queries.stages(job)
    stage = None
    if stage_id is not None:
        stage = next((s for s in pipeline if s.id == stage_id), None)
        if stage is None:
            abort(404)
    kits = kits_of(job)
    if request.method == "GET":
        own = kits.get(stage.id if stage else None, [])
        start = own or (kits.get(None, []) if stage is not None else [])
        form = KitForm(data={"criteria": _rows(start)})
        return _render(job, stage, pipeline, kits, form, domain.job_stamp(job))
    seen = request.form.get("seen", "")
    form = KitForm()
    rows = [dict(entry.data) for entry in form.criteria]
    action = request.form.get("action", "save")
    if action not in ("save", "same"):
        form = KitForm(formdata=None, data={"criteria": edit_draft(rows, action)})
        return _render(job, stage, pipeline, kits, form, seen, draft=True)
    try:
        domain.set_kit(actor(), job, stage, [] if action == "same" else rows, seen=seen)
    except Conflict as error:
        job = job_or_404(ref)
        current = kits_of(job)
        return _render(
            job, stage, pipeline, current, form, domain.job_stamp(job), True, 409, error.message
        )
    except Invalid as error:
        return _render(job, stage, pipeline, kits, form, seen, True, 400, error.message)
    flash(_saved(job, stage, action), "success")
    return redirect(url_for("admin.kit", ref=job.ref))


def _saved(job, stage, action) -> str:
    """What the flash says a save did."""
    if stage is None:
        return f"Saved the interview kit of {job.title}."
    if action == "same" or _follows(job, stage):
        return f"The {stage.name} stage scores the job's kit."
    return f"Saved the kit of the {stage.name} stage."


def _follows(job, stage) -> bool:
    """Whether ``stage`` scores the job's kit (it has none of its own)."""
    return stage.id not in kits_of(job)


def _render(job, stage, pipeline, kits, form, seen, draft=False, status=200, error=None):
    """The editor, and on the job's page each stage's kit: its own or the job's."""
    key = stage.id if stage is not None else None
    return (
        render_template(
            "admin/kit.html",
            job=job,
            stage=stage,
            form=form,
            seen=seen,
            draft=draft,
            error=error,
            own=kits.get(key, []),
            job_kit=kits.get(None, []),
            stages=[s for s in pipeline if s.interview or s.id in kits],
            kits=kits,
            most=MOST,
            conflict=status == 409,
        ),
        status,
    )
