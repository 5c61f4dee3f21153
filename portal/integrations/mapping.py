"""What staff say an ATS's records mean here: which job of ours is which job there, and
what each of its stages (or Lever's archive reasons) means on a job of ours. Recruiters
and admins say it, in the job's ATS page or from a held delivery; every change is
audited."""

from portal.domain.base import clean_text
from portal.domain.base import require_staff
from portal.errors import Invalid
from portal.integrations import inbound
from portal.integrations.changes import VENDORS
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import CLOSED_STATUSES
from portal.store.models import ExternalRecord
from portal.store.models import Job
from portal.store.models import Stage
from portal.store.models import StageMapping


def _vendor(vendor: str) -> str:
    if vendor not in VENDORS:
        raise Invalid(f"{vendor!r} is not an ATS we know: {', '.join(VENDORS)}.")
    return vendor


def link_job(actor, job: Job, vendor: str, external_id: str) -> ExternalRecord:
    """``job`` is ``external_id`` in ``vendor``'s system (one job of ours for each)."""
    require_staff(actor)
    external_id = clean_text(external_id, "The ATS's job id", required=True, limit=100)
    with database.atomic():
        taken = ExternalRecord.get_or_none(
            (ExternalRecord.vendor == _vendor(vendor))
            & (ExternalRecord.kind == "job")
            & (ExternalRecord.external_id == external_id)
        )
        if taken is not None and taken.job_id != job.id:
            raise Invalid(
                f"{vendor.title()}'s job {external_id} is already linked to {taken.job.ref}."
            )
        # One id there for each job here: linking anew replaces the job's old link.
        ExternalRecord.delete().where(
            (ExternalRecord.vendor == vendor)
            & (ExternalRecord.kind == "job")
            & (ExternalRecord.job == job.id)
            & (ExternalRecord.external_id != external_id)
        ).execute()
        record = inbound.link(vendor, "job", external_id, job)
        audit(actor, "ats_job_linked", job.ref, vendor=vendor, external_id=external_id)
    return record


def map_stage(actor, mapping: StageMapping, stage: Stage | None, outcome="", message="") -> None:
    """Say what ``mapping``'s stage of the ATS means: ``stage`` of its job, or closing
    as ``outcome``, or (neither) nothing yet; ``message``: what a move there tells."""
    require_staff(actor)
    if stage is not None and stage.job_id != mapping.job_id:
        raise Invalid(f"Stage {stage.name!r} is not part of job {mapping.job.ref}.")
    if stage is not None and outcome:
        raise Invalid("Choose a stage or an outcome, not both.")
    if outcome and outcome not in CLOSED_STATUSES:
        raise Invalid(f"{outcome!r} is not an outcome: {', '.join(CLOSED_STATUSES)}.")
    with database.atomic():
        StageMapping.update(
            stage=stage, outcome=outcome, message=clean_text(message, "Message", limit=5000)
        ).where(StageMapping.id == mapping.id).execute()
        audit(
            actor,
            "ats_stage_mapped",
            mapping.job.ref,
            vendor=mapping.vendor,
            external_stage=mapping.external_stage,
            stage=stage.name if stage else None,
            outcome=outcome or None,
        )


def mappings(job: Job) -> list[StageMapping]:
    """The ATS stages seen or mapped on ``job``, unmapped ones first."""
    return list(
        StageMapping.select()
        .where(StageMapping.job == job.id)
        .order_by(
            StageMapping.stage.is_null(False),
            StageMapping.outcome != "",
            StageMapping.vendor,
            StageMapping.external_name,
        )
    )


def linked_ids(job: Job) -> dict[str, str]:
    """The ATS's ids of ``job``, by vendor."""
    return {
        r.vendor: r.external_id
        for r in ExternalRecord.select().where(
            (ExternalRecord.kind == "job") & (ExternalRecord.job == job.id)
        )
    }


def add_mapping(
    actor, job: Job, vendor: str, external_stage: str, external_name=""
) -> StageMapping:
    """Note a stage of ``vendor`` (or, for Lever, ``archive:<reason id>``) on ``job`` by
    hand, before any delivery names it: unmapped until someone says what it means."""
    require_staff(actor)
    external_stage = clean_text(external_stage, "The ATS's stage id", required=True, limit=100)
    external_name = clean_text(external_name, "The ATS's name for it", limit=200)
    with database.atomic():
        row, created = StageMapping.get_or_create(
            job=job,
            vendor=_vendor(vendor),
            external_stage=external_stage,
            defaults={"external_name": external_name},
        )
        if not created:
            raise Invalid(
                f"{vendor.title()}'s stage {external_stage} is already listed on job {job.ref}: "
                "say what it means in its row."
            )
        audit(actor, "ats_stage_added", job.ref, vendor=vendor, external_stage=external_stage)
    return row
