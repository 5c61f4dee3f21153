"""Applications: the searchable list, adding a candidate, and the application page."""

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from admin import scorecards
from admin import sending
from admin.access import actor
from admin.access import application_or_404
from admin.access import can_act
from admin.access import can_give_feedback
from admin.access import job_or_404
from admin.access import restricted_to
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import AnswerForm
from admin.forms import ApplicationForm
from admin.forms import CloseForm
from admin.forms import DecidingForm
from admin.forms import MoveForm
from admin.forms import NoteForm
from admin.forms import number_arg
from admin.forms import page_number
from admin.forms import ReopenForm
from admin.forms import SettleForm
from admin.forms import stage_options
from admin.forms import UpdateForm
from portal import domain
from portal.conversation import actions as conversation
from portal.conversation.actions import CONVERSATION_KINDS
from portal.domain import queries
from portal.domain import reasons
from portal.domain.closing import POINT_LABELS
from portal.errors import Invalid
from portal.store.models import CLOSED_STATUSES
from portal.store.models import STATUSES


@bp.route("/applications/")
@login_required
def applications():
    """Applications, searched by name, email or reference and filtered by job, stage, status."""
    manager = restricted_to(current_user)
    text = request.args.get("q", "").strip()[:200]
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    job = queries.job(request.args["job"], manager) if request.args.get("job") else None
    pipeline = queries.stages(job) if job is not None else []
    stage_id = number_arg("stage")
    stage_id = stage_id if any(s.id == stage_id for s in pipeline) else None
    page = queries.applications(
        manager,
        text=text,
        job=job,
        stage_id=stage_id,
        status=status,
        number=page_number(),
        size=current_app.config["PAGE_SIZE"],
    )
    filters = {"q": text, "job": job.ref if job else "", "stage": stage_id or "", "status": status}
    return render_template(
        "admin/applications.html",
        page=page,
        filters={k: v for k, v in filters.items() if v},
        job=job,
        pipeline=pipeline,
        jobs=queries.job_choices(manager),
        statuses=STATUSES,
    )


@bp.route("/jobs/<ref>/applications/new", methods=["GET", "POST"])
@staff_required
def new_application(ref):
    """Add a candidate to a job's pipeline."""
    job = job_or_404(ref)
    pipeline = queries.stages(job)
    form = ApplicationForm(data={"stage": pipeline[0].id if pipeline else None})
    form.stage.choices = stage_options(pipeline)
    if form.validate_on_submit() and not sending.editing():
        stage = next(s for s in pipeline if s.id == form.stage.data)

        def add():
            return domain.add_application(
                actor(), job, form.name.data, form.email.data, stage=stage, tell=form.tell.data
            )

        try:
            if form.tell.data:  # their link goes: the email is checked first
                decision = sending.decide(add, None, f"Add {form.name.data} to {job.title}")
                if decision.page is not None:
                    return decision.page
                application, told = decision.result, decision.told
            else:
                application = add()
                told = "Their link is not sent yet: send it from the Link panel when ready."
        except Invalid as error:
            flash(error.message, "error")
        else:
            flash(f"Added {application.candidate.name} to {job.title}. {told}", "success")
            return redirect(url_for("admin.application", ref=application.ref))
    status = 400 if request.method == "POST" and not sending.editing() else 200
    return render_template("admin/application_new.html", form=form, job=job), status


@bp.route("/applications/<ref>/")
@login_required
def application(ref):
    """One application: where it stands, its whole history, and a form per action."""
    return application_page(application_or_404(ref))


@bp.route("/applications/<ref>/close")
@staff_required
def close_form(ref):
    """The application page with the close form started from ``status``'s template."""
    status = request.args.get("status", "")
    if status not in CLOSED_STATUSES:
        return redirect(url_for("admin.application", ref=ref, _anchor="close"))
    return application_page(application_or_404(ref), close_status=status)


#: The conversation card: what was said, and what a reply by email lost on the way.
ON_THE_CARD = (*CONVERSATION_KINDS, "reply_note")


def _reply_by_choices(pipeline):
    return {s.id: domain.reply_by_default(s) for s in pipeline}


def _forms(application, pipeline, close_status=None) -> dict:
    """Fresh forms for every action the signed-in user may take."""
    forms = {}
    if can_act(current_user):
        version = application.version
        ids = [s.id for s in pipeline]
        here = ids.index(application.stage_id) if application.stage_id in ids else 0
        after = pipeline[min(here + 1, len(ids) - 1)] if pipeline else application.stage
        forms["move"] = MoveForm(
            prefix="move",
            formdata=None,
            data={
                "version": version,
                "stage": after.id,
                "next_steps": domain.fill(after.next_steps, application),
            },
        )
        forms["update"] = UpdateForm(
            prefix="update",
            formdata=None,
            data={"version": version, "reply_by": domain.reply_by_default(application.stage)},
        )
        if application.stage.interview:
            reply_by = domain.reply_by_default(application.stage)
            forms["deciding"] = DecidingForm(
                prefix="deciding",
                formdata=None,
                data={
                    "version": version,
                    "reply_by": reply_by,
                    "message": domain.deciding_message(application),
                },
            )
        forms["answer"] = AnswerForm(prefix="answer", formdata=None, data={"version": version})
        forms["settle"] = SettleForm(prefix="settle", formdata=None, data={"version": version})
        forms["note"] = NoteForm(prefix="note", formdata=None)
        note = domain.closure_note_draft(application, close_status) if close_status else ""
        forms["close"] = CloseForm(
            prefix="close",
            formdata=None,
            data={"version": version, "status": close_status, "closure_note": note},
        )
        forms["reopen"] = ReopenForm(
            prefix="reopen",
            formdata=None,
            data={
                "version": version,
                "stage": application.stage_id,
                "message": domain.reopen_message(application),
            },
        )
    if can_give_feedback(current_user, application):
        scorecard = scorecards.new_form(application, pipeline, current_user)
        if scorecard is not None:  # None: theirs at that stage is given (they may edit it)
            forms["feedback"] = scorecard
    return forms


def application_page(application, submitted=None, status=200, error=None, close_status=None):
    """Render the application page; ``submitted`` is (name, form) to re-display as typed."""
    pipeline = queries.stages(application.job)
    forms = _forms(application, pipeline, close_status)
    if submitted is not None:
        name, form = submitted
        forms[name] = form
    defaults = _reply_by_choices(pipeline)
    for name in ("move", "reopen"):
        if name in forms:
            forms[name].stage.choices = stage_options(pipeline)
    cards = queries.feedback(application)
    shown = domain.visible_feedback(actor(), application, cards)
    readable = {card.id for card in shown}
    hidden = [card for card in cards if card.id not in readable]
    events = queries.history(application)
    templates, point = {}, None
    if "close" in forms and application.is_active:
        templates = {s: domain.closure_note_draft(application, s) for s in CLOSED_STATUSES}
        point = POINT_LABELS[domain.closing_point(application)]
    return (
        render_template(
            "admin/application.html",
            application=application,
            pipeline=pipeline,
            events=events,
            conversation=[e for e in reversed(events) if e.kind in ON_THE_CARD],
            answer_due=conversation.answer_due(application),
            forms=forms,
            reply_by_defaults=defaults,
            feedback=shown,
            hidden_feedback=len(hidden),
            hidden_stages=list(dict.fromkeys(card.stage.name for card in hidden)),
            **scorecards.panel(application, shown, forms.get("feedback"), pipeline),
            closure_templates=templates,
            closing_point=point,
            closure_reasons=reasons.offered() if templates else [],
            next_steps_defaults={s.id: domain.fill(s.next_steps, application) for s in pipeline},
            scheduled=domain.scheduled_closure(application),
            send_at=domain.SEND_AT,
            reachable=domain.reachable(application),  # not an erased stand-in
            error=error,
            open_action=submitted[0] if submitted else ("close" if close_status else None),
        ),
        status,
    )
