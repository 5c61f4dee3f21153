"""The follow-up queue: who is owed word, with quick actions and bulk closure.

Every POST parses its form, checks its operation (portal.domain, or portal.followup.actions
for the bulk ones, which wrap the domain's in one transaction) on the check page of
admin/sending.py, and once confirmed carries it out, flashes what was emailed and
redirects back to the queue with its filters. Only staff who act (admins, recruiters)
see it.
"""

from datetime import date

from flask import abort
from flask import current_app
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
from admin.forms import number_arg
from admin.forms import page_number
from portal import domain
from portal.clock import today
from portal.domain import queries
from portal.domain import reasons
from portal.domain import STAFF
from portal.errors import Conflict
from portal.errors import Invalid
from portal.errors import NotFound
from portal.followup import actions
from portal.followup import answers
from portal.followup import queries as followup
from portal.store.models import CLOSED_STATUSES
from portal.store.models import Stage

#: What a failed action can raise; anything else is a bug and gets the 500 page.
REFUSALS = (Conflict, Invalid, NotFound)


def filters() -> dict:
    """The queue's filters from the query string (ids, or absent)."""
    chosen = {}
    for name in ("job", "recruiter"):
        value = number_arg(name)
        if value:
            chosen[name] = value
    return chosen


def back():
    """Redirect to the queue with the filters it was seen with."""
    return redirect(url_for("admin.followup", **filters()))


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{value!r} is not a date (YYYY-MM-DD).")


def tell(name: str = "tell") -> bool:
    """Whether the form's "Email the candidate" box ``name`` is ticked."""
    return request.form.get(name) == "y"


def decided(operation, application_ids, title, done, ticked: bool | None = None):
    """The check page of ``operation``, or, once confirmed, the operation carried out,
    ``done(result)`` and what was emailed flashed, and the way back to the queue;
    ``ticked``: the form's own "Email" box, when it is not the one named "tell"."""
    if sending.editing():  # the queue again, with what they typed in its forms
        return followup_queue(typed=request.form)
    try:
        decision = sending.decide(
            operation, application_ids, title, tell=tell() if ticked is None else ticked
        )
    except REFUSALS as error:
        flash(f"Nothing was changed: {error.message}", "error")
        return back()
    if decision.page is not None:
        return decision.page
    flash(f"{done(decision.result)} {decision.told}", "success")
    return back()


def _holding(rows, day: date, typed) -> dict:
    """Each row's holding update and promise; the typed ones for the row posted back."""
    holding = {a.id: actions.holding_update(a, day) for a in rows}
    if typed and request.endpoint == "admin.followup_update":
        for application in rows:
            if application.ref == request.view_args["ref"]:
                promise = _date(typed.get("reply_by")) or holding[application.id][1]
                holding[application.id] = (typed.get("message", ""), promise)
    return holding


def _picked(field: str = "pick") -> list[tuple[int, int]]:
    """The (id, version) pairs of the ticked rows: values are "id:version"."""
    pairs = []
    for value in request.form.getlist(field):
        id_, _, version = value.partition(":")
        if not (id_.isdecimal() and version.isdecimal()):
            abort(400, "The form is incomplete: reload the page.")
        pairs.append((int(id_), int(version)))
    return pairs


@bp.route("/followup/", endpoint="followup")
@staff_required
def followup_queue(typed=None):
    """Active applications overdue or due within one business day, most overdue first;
    ``typed``: a form posted back from the check page, shown again as it was typed."""
    day, chosen = today(), filters()
    job_id, recruiter_id = chosen.get("job"), chosen.get("recruiter")
    size = current_app.config["PAGE_SIZE"]
    total = followup.count_owed(day, job_id, recruiter_id)
    number = min(page_number(), max(1, -(-total // size)))
    rows = followup.owed_page(day, job_id, recruiter_id, number, size)
    proposed = followup.proposals_page(day, job_id, recruiter_id, size + 1)
    asking = list(answers.owed_answer(job_id, recruiter_id).limit(size + 1))
    note = domain.closure_template("rejected")
    on_page = {a.job_id for a in rows}
    pipelines: dict[int, list] = {}
    live = Stage.job.in_(on_page) & Stage.removed.is_null()
    for stage in Stage.select().where(live).order_by(Stage.position):
        pipelines.setdefault(stage.job_id, []).append(stage)
    return render_template(
        "admin/followup.html",
        page=queries.Page(rows, total, number, size),
        lateness=followup.lateness(rows + proposed, day),
        holding=_holding(rows, day, typed),
        typed=typed or {},
        picked=set((typed or {}).getlist("pick")) if typed else set(),
        pipelines=pipelines,
        proposed=proposed[:size],
        asking=asking[:size],
        more_asking=len(asking) > size,
        answer_lateness=answers.answer_lateness(asking[:size], day),
        asked_words=answers.waiting_words([a.id for a in asking[:size]]),
        more_proposed=len(proposed) > size,
        stale_note=note,
        templates={s: domain.closure_template(s) for s in CLOSED_STATUSES},
        closure_reasons=reasons.offered(),
        preview=domain.fill(note, proposed[0]) if proposed else "",
        stage_names=actions.stage_names(on_page or None),
        jobs=queries.job_choices(open_first=False),
        recruiters=queries.staff(STAFF),
        filters=chosen,
        due_by=followup.due_by(day),
        day=day,
    )


@bp.post("/followup/<ref>/update")
@staff_required
def followup_update(ref):
    """Send the (edited) holding update: word for the candidate, a new reply-by date."""
    application = application_or_404(ref)
    return decided(
        lambda: domain.post_update(
            actor(),
            application,
            request.form.get("version", type=int) or 0,
            request.form.get("message", ""),
            reply_by=_date(request.form.get("reply_by")),
            tell=tell(),
        ),
        [application.id],
        f"Give {application.candidate.name} word",
        lambda _: f"Update posted for {application.candidate.name}.",
    )


@bp.post("/followup/<ref>/move")
@staff_required
def followup_move(ref):
    """Move one application to another stage of its job."""
    application = application_or_404(ref)
    stage = Stage.get_or_none(
        (Stage.id == request.form.get("stage", type=int))
        & (Stage.job == application.job)
        & Stage.removed.is_null()
    )
    if stage is None:
        abort(400, "Choose a stage of this job.")
    return decided(
        lambda: domain.move(
            actor(),
            application,
            stage,
            request.form.get("version", type=int) or 0,
            request.form.get("message", ""),
            tell=tell(),
        ),
        [application.id],
        f"Move {application.candidate.name} to {stage.name}",
        lambda _: f"{application.candidate.name} moved to {stage.name}.",
    )


@bp.post("/followup/bulk")
@staff_required
def followup_bulk():
    """Close or move every ticked application, all or none."""
    action, form = request.form.get("action"), request.form
    try:
        items = actions.chosen(_picked())
    except REFUSALS as error:
        flash(f"Nothing was changed: {error.message}", "error")
        return back()
    ids = [application.id for application, _ in items]
    count = f"{len(items)} application{'s' * (len(items) != 1)}"
    if action == "close":
        status = form.get("status", "")
        return decided(
            lambda: actions.close_many(
                actor(),
                items,
                status,
                form.get("note", ""),
                tell=tell("close-tell"),
                closure_reason=form.get("closure_reason", ""),
            ),
            ids,
            f"Close {count} as {status}",
            lambda n: f"Closed {count} as {status}.",
            tell("close-tell"),
        )
    if action == "move":
        stage = form.get("stage", "")
        return decided(
            lambda: actions.move_many(
                actor(), items, stage, form.get("message", ""), tell=tell("move-tell")
            ),
            ids,
            f"Move {count} to {stage}",
            lambda n: f"Moved {count} to {stage}.",
            tell("move-tell"),
        )
    abort(400, "Choose to close or to move.")


@bp.post("/followup/proposed")
@staff_required
def followup_close_proposed():
    """Confirm the proposed closures with one note (placeholders filled per candidate)."""
    status = request.form.get("status", "rejected")
    try:
        items = actions.chosen(_picked())
    except REFUSALS as error:
        flash(f"Nothing was changed: {error.message}", "error")
        return back()
    count = f"{len(items)} application{'s' * (len(items) != 1)}"
    return decided(
        lambda: actions.close_many(
            actor(),
            items,
            status,
            request.form.get("note", ""),
            tell=tell(),
            closure_reason=request.form.get("closure_reason", ""),
        ),
        [application.id for application, _ in items],
        f"Close {count} as {status}",
        lambda n: f"Closed {count} as {status}.",
    )
