"""A job's pipeline editor: edit, add, remove and reorder stages, all without JS.

The buttons that add, remove or move a row re-display the edited pipeline as a draft;
only "Save pipeline" writes it, in one call to ``domain.set_stages``. The form carries the
job's stamp from when the pipeline was loaded, through every draft, so a save over
someone else's meanwhile change is refused (409) instead of silently undoing it.

A draft says what saving does to each stage it leaves out: deleted, kept out of sight
for the history of its closed applications, or refused while active ones sit there.
"""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from admin.access import actor
from admin.access import job_or_404
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import PipelineForm
from portal import domain
from portal.domain import queries
from portal.errors import Conflict
from portal.errors import Invalid

BLANK = {
    "id": "",
    "name": "",
    "candidate_label": "",
    "description": "",
    "next_steps": "",
    "follow_up_days": 3,
}


def _rows(pipeline) -> list[dict]:
    return [
        {
            "id": str(s.id),
            "name": s.name,
            "candidate_label": s.candidate_label,
            "description": s.description,
            "next_steps": s.next_steps,
            "follow_up_days": s.follow_up_days,
            "interview": s.interview,
        }
        for s in pipeline
    ]


def edit_draft(rows: list[dict], action: str) -> list[dict]:
    """Apply 'add', 'remove-N', 'up-N' or 'down-N' to the rows of a draft pipeline."""
    verb, _, index = action.partition("-")
    n = int(index) if index.isdecimal() else -1
    if verb == "add":
        return [*rows, dict(BLANK)]
    if not 0 <= n < len(rows):
        return rows
    rows = list(rows)
    if verb == "remove":
        del rows[n]
    elif verb == "up" and n > 0:
        rows[n - 1], rows[n] = rows[n], rows[n - 1]
    elif verb == "down" and n < len(rows) - 1:
        rows[n], rows[n + 1] = rows[n + 1], rows[n]
    return rows


@bp.route("/jobs/<ref>/stages", methods=["GET", "POST"])
@staff_required
def stages(ref):
    """Edit a job's ordered pipeline."""
    job = job_or_404(ref)
    pipeline = queries.stages(job)
    counts = queries.stage_counts(job)
    if request.method == "GET":
        form = PipelineForm(data={"stages": _rows(pipeline)})
        return _render(job, form, counts, domain.job_stamp(job))
    seen = request.form.get("seen", "")
    form = PipelineForm()
    rows = [dict(entry.data) for entry in form.stages]
    action = request.form.get("action", "save")
    if action != "save":
        form = PipelineForm(formdata=None, data={"stages": edit_draft(rows, action)})
        return _render(job, form, counts, seen, draft=True)
    if not form.validate():
        return _render(job, form, counts, seen, draft=True, status=400)
    try:
        domain.set_stages(actor(), job, rows, seen=seen)
    except Conflict as error:
        return _conflict(job, rows, error.message)
    except Invalid as error:
        return _render(job, form, counts, seen, draft=True, status=400, error=error.message)
    kept = [s for s in _left_out(pipeline, rows) if counts.get(s.id)]
    flash(f"Saved the pipeline of {job.title}.{_kept_words(kept, counts)}", "success")
    return redirect(url_for("admin.board", ref=job.ref))


def _left_out(pipeline, rows: list[dict]) -> list:
    """The stages of ``pipeline`` that the draft ``rows`` no longer holds."""
    drafted = {str(row.get("id") or "") for row in rows}
    return [s for s in pipeline if str(s.id) not in drafted]


def _kept_words(kept, counts) -> str:
    """What became of the stages taken out that closed applications still name."""
    if not kept:
        return ""
    names = ", ".join(f"{s.name} ({counts[s.id].closed} closed)" for s in kept)
    return (
        f" Taken out of the pipeline but kept for the history of their closed applications: "
        f"{names}. Nobody sees them in the pipeline, on the board or on a candidate's page."
    )


def _conflict(job, rows: list[dict], message: str):
    """The draft as the user typed it, beside the pipeline as it is now, stamped now.

    Rows of stages deleted meanwhile become new rows, and the stages the draft would
    remove are named, so that saving again is a decision made on what is there.
    """
    job = job_or_404(job.ref)
    pipeline = queries.stages(job)
    drafted = {row["id"] for row in rows if row["id"]}
    current = {str(s.id) for s in pipeline}
    revived = [row["name"] for row in rows if row["id"] and row["id"] not in current]
    rows = [row if row["id"] in current else {**row, "id": ""} for row in rows]
    form = PipelineForm(formdata=None, data={"stages": rows})
    return _render(
        job,
        form,
        queries.stage_counts(job),
        domain.job_stamp(job),
        draft=True,
        status=409,
        error=message,
        pipeline=pipeline,
        dropped=[s for s in pipeline if str(s.id) not in drafted],
        revived=revived,
    )


def _render(job, form, counts, seen, draft=False, status=200, error=None, **conflict):
    """The editor; a draft lists what saving would do to the stages it leaves out."""
    rows = [{"id": entry.form.id.data} for entry in form.stages]
    return (
        render_template(
            "admin/stages.html",
            job=job,
            form=form,
            counts=counts,
            seen=seen,
            draft=draft,
            error=error,
            leaving=_left_out(queries.stages(job), rows) if draft else [],
            removed=queries.removed_stages(job),
            **conflict,
        ),
        status,
    )
