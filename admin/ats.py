"""A job's ATS page (recruiters and admins): which Greenhouse job it is, what each stage
the ATS names (or Lever's archive reason) means here, one form per row, a stage noted by
hand, and the held deliveries about the job, to apply again once mapped. Every change is
portal.integrations.mapping's or .inbound's, and audited."""

import re

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from peewee import JOIN
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice

from admin.access import actor
from admin.access import job_or_404
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import Form
from admin.forms import options
from portal.domain import queries
from portal.errors import Invalid
from portal.integrations import inbound
from portal.integrations import mapping
from portal.integrations.changes import Change
from portal.integrations.changes import VENDORS
from portal.store.models import Application
from portal.store.models import CLOSED_STATUSES
from portal.store.models import ExternalRecord
from portal.store.models import InboundDelivery
from portal.store.models import Job
from portal.store.models import StageMapping

VENDOR_LABELS = {"greenhouse": "Greenhouse", "lever": "Lever"}
#: What a mapping to an outcome does, in the admin's words.
OUTCOME_LABELS = {
    "hired": "Close as hired",
    "rejected": "Close as rejected",
    "withdrawn": "Close as withdrawn",
}
# a vendor or an outcome the domain adds without words here fails at import, not on the page
VENDOR_CHOICES = options((v, VENDOR_LABELS[v]) for v in VENDORS)
OUTCOME_CHOICES = [SelectChoice(s, OUTCOME_LABELS[s], optgroup="Or") for s in CLOSED_STATUSES]
NOT_MAPPED = SelectChoice("", "Not mapped yet: hold what arrives")

#: The job a held delivery's reason names (inbound's words: "... on job J-1: map it there.").
NAMED_JOB = re.compile(r"\bon job (\S+?):")


class LinkForm(Form):
    external_id = StringField("Greenhouse job id")


class MappingForm(Form):
    """What one of the ATS's stages means here; the choices are the job's."""

    means = SelectField("Means here")
    message = TextAreaField("Message")


class StageForm(Form):
    vendor = SelectField("ATS", choices=VENDOR_CHOICES)
    external_stage = StringField("Its stage id")
    external_name = StringField("Its name for the stage")


def _means(row: StageMapping) -> str:
    return str(row.stage_id) if row.stage_id else row.outcome


def _row_form(row: StageMapping, choices, posted=False) -> MappingForm:
    """The form of one row: as stored, or (``posted``) as typed."""
    prefix = f"mapping-{row.id}"
    if posted:
        form = MappingForm(prefix=prefix)
    else:
        data = {"means": _means(row), "message": row.message}
        form = MappingForm(prefix=prefix, formdata=None, data=data)
    form.means.choices = choices
    form.row_id = row.id
    return form


def _choices(pipeline, removed, row: StageMapping) -> list[SelectChoice]:
    """Not mapped, the job's live stages, the row's own stage if since removed, closing."""
    stages = [SelectChoice(str(s.id), s.name, optgroup="Move to the stage") for s in pipeline]
    gone = removed.get(row.stage_id)
    if gone is not None:
        label = f"{gone.name} (removed from the pipeline)"
        stages.append(SelectChoice(str(gone.id), label, optgroup="Move to the stage"))
    return [NOT_MAPPED, *stages, *OUTCOME_CHOICES]


def _theirs(delivery: InboundDelivery) -> list[tuple[str, str, str]]:
    """The records of the ATS a held delivery names: its job, its application."""
    try:
        change = inbound.change_of(delivery)
    except ValueError:  # a body that no longer reads: nothing to tell
        return []
    if not isinstance(change, Change):
        return []
    keys = [(delivery.vendor, "job", change.job_id)] if change.job_id else []
    if change.application_id:
        keys.append((delivery.vendor, "application", change.application_id))
    return keys


def held_about(deliveries: list[InboundDelivery]) -> dict[int, Job]:
    """The job of ours each held delivery is about, where it can be told: the job its
    reason names, or the one linked to the job or application it names (three reads at
    most, whatever the number of deliveries)."""
    named, theirs = {}, {}
    for delivery in deliveries:
        found = NAMED_JOB.search(delivery.reason)
        if found:
            named[delivery.id] = found.group(1)
        else:
            theirs[delivery.id] = _theirs(delivery)
    linked = {}
    ids = {key[2] for keys in theirs.values() for key in keys}
    if ids:
        records = (
            ExternalRecord.select(ExternalRecord, Application.id, Application.job)
            .join(Application, JOIN.LEFT_OUTER)
            .where(ExternalRecord.external_id.in_(ids))
        )
        for r in records:
            job_id = r.job_id or (r.application.job_id if r.application_id else None)
            linked[(r.vendor, r.kind, r.external_id)] = job_id
    job_ids = {}
    for delivery_id, keys in theirs.items():
        found = [linked[key] for key in keys if linked.get(key)]
        if found:
            job_ids[delivery_id] = found[0]
    if not (named or job_ids):
        return {}
    jobs = list(
        Job.select().where(
            Job.ref.in_(list(named.values()) or [""]) | Job.id.in_(list(job_ids.values()) or [0])
        )
    )
    by_ref, by_id = {j.ref: j for j in jobs}, {j.id: j for j in jobs}
    about = {d: by_ref[ref] for d, ref in named.items() if ref in by_ref}
    about.update({d: by_id[i] for d, i in job_ids.items() if i in by_id})
    return about


def _held_for(job: Job) -> list[InboundDelivery]:
    """The held deliveries about ``job``, oldest first."""
    every = inbound.held()
    about = held_about(every)
    return [d for d in every if d.id in about and about[d.id].id == job.id]


def _render(job, status=200, error=None, link=None, stage=None, posted=None):
    """The page; ``posted``, the row's form that was refused, as typed."""
    pipeline = queries.stages(job)
    removed = {s.id: s for s in queries.removed_stages(job)}
    rows = mapping.mappings(job)
    forms = {row.id: _row_form(row, _choices(pipeline, removed, row)) for row in rows}
    if posted is not None:
        forms[posted.row_id] = posted
    page = render_template(
        "admin/job_ats.html",
        job=job,
        linked=mapping.linked_ids(job),
        rows=rows,
        forms=forms,
        removed=removed,
        held=_held_for(job),
        link_form=link or LinkForm(prefix="link", formdata=None),
        stage_form=stage or StageForm(prefix="stage", formdata=None),
        vendors=VENDOR_LABELS,
        error=error,
        # the form the error is about: the link, the new stage, or a row's id
        error_in="link" if link else "stage" if stage else posted.row_id if posted else None,
    )
    return page, status


def _back(job, anchor=None):
    return redirect(url_for("admin.job_ats", ref=job.ref, _anchor=anchor))


@bp.get("/jobs/<ref>/ats", endpoint="job_ats")
@staff_required
def job_ats(ref):
    """The job's links to the ATS and what its stages mean here."""
    return _render(job_or_404(ref))


@bp.post("/jobs/<ref>/ats/link", endpoint="link_ats_job")
@staff_required
def link_ats_job(ref):
    """Link the job to its Greenhouse job id."""
    job = job_or_404(ref)
    form = LinkForm(prefix="link")
    try:
        mapping.link_job(actor(), job, "greenhouse", form.external_id.data)
    except Invalid as refusal:
        return _render(job, 400, refusal.message, link=form)
    flash(f"Linked to Greenhouse's job {form.external_id.data.strip()}.", "success")
    return _back(job)


@bp.post("/jobs/<ref>/ats/stages/<int:mapping_id>", endpoint="map_ats_stage")
@staff_required
def map_ats_stage(ref, mapping_id):
    """Say what one of the ATS's stages means on the job."""
    job = job_or_404(ref)
    row = StageMapping.get_or_none(
        (StageMapping.id == mapping_id) & (StageMapping.job == job.id)
    ) or abort(404)
    pipeline = queries.stages(job)
    removed = {s.id: s for s in queries.removed_stages(job)}
    form = _row_form(row, _choices(pipeline, removed, row), posted=True)
    if not form.validate():
        return _render(job, 400, "Choose what the stage means from the list.", posted=form)
    means = form.means.data
    stage = next((s for s in [*pipeline, *removed.values()] if str(s.id) == means), None)
    outcome = means if means in CLOSED_STATUSES else ""
    try:
        mapping.map_stage(actor(), row, stage, outcome, form.message.data)
    except Invalid as refusal:
        return _render(job, 400, refusal.message, posted=form)
    theirs = f"{VENDOR_LABELS[row.vendor]}'s “{row.external_name or row.external_stage}”"
    if stage is not None:
        flash(f"Saved: {theirs} moves applications to {stage.name}.", "success")
    elif outcome:
        flash(f"Saved: {theirs} closes applications as {outcome}.", "success")
    else:
        flash(f"Saved: {theirs} is not mapped; what arrives there is held.", "success")
    return _back(job, f"mapping-{row.id}")


@bp.post("/jobs/<ref>/ats/stages", endpoint="add_ats_stage")
@staff_required
def add_ats_stage(ref):
    """Note a stage of the ATS by hand, before a delivery names it."""
    job = job_or_404(ref)
    form = StageForm(prefix="stage")
    if not form.validate():
        return _render(job, 400, "Choose Greenhouse or Lever.", stage=form)
    try:
        row = mapping.add_mapping(
            actor(), job, form.vendor.data, form.external_stage.data, form.external_name.data
        )
    except Invalid as refusal:
        return _render(job, 400, refusal.message, stage=form)
    flash(f"Added {VENDOR_LABELS[row.vendor]}'s stage {row.external_stage}: map it.", "success")
    return _back(job, f"mapping-{row.id}")


@bp.post("/jobs/<ref>/ats/held/<int:delivery_id>/apply", endpoint="apply_held_for_job")
@staff_required
def apply_held_for_job(ref, delivery_id):
    """Carry out a held delivery about the job again (its stage mapped since, say)."""
    job = job_or_404(ref)
    delivery = next((d for d in _held_for(job) if d.id == delivery_id), None)
    if delivery is None:
        flash("That delivery no longer waits on this job.", "info")
        return _back(job)
    outcome = inbound.apply_again(actor(), delivery)
    flash_outcome(outcome, InboundDelivery.get_by_id(delivery.id).reason)
    return _back(job)


def flash_outcome(outcome: str, reason: str) -> None:
    """What applying a held delivery again did, flashed."""
    if outcome == inbound.APPLIED:
        flash(f"Applied: {reason}", "success")
    elif outcome == inbound.HELD:
        flash(f"Still held: {reason}", "error")
    else:
        flash(f"Nothing to do, it leaves the list: {reason}", "info")
