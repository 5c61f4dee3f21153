"""Carrying out what an applicant tracking system tells us, through the same domain
operations as the admin, and never guessing: a job not linked to one of ours, a stage or
archive reason not mapped, a change the application's state does not allow, are held in
the admin's "needs attention" list with the delivery, to be applied again once someone
has said what they mean. A delivery seen before changes nothing; one older than the last
change applied to its application (by the ATS's own clock) changes nothing either, so
the application never moves backwards."""

import json

import peewee

from portal import domain
from portal.candidates import actions as candidate_actions
from portal.domain.base import require_staff
from portal.errors import DomainError
from portal.errors import Invalid
from portal.integrations import greenhouse
from portal.integrations import lever
from portal.integrations.changes import Change
from portal.integrations.changes import Ignored
from portal.store.audit import acting_for
from portal.store.audit import audit
from portal.store.db import database
from portal.store.db import lock
from portal.store.models import Application
from portal.store.models import CLOSED_STATUSES
from portal.store.models import ExternalRecord
from portal.store.models import InboundDelivery
from portal.store.models import Job
from portal.store.models import StageMapping

APPLIED, DUPLICATE, STALE, IGNORED, HELD = "applied", "duplicate", "stale", "ignored", "held"
RESOLVED, DISMISSED = "resolved", "dismissed"


#: The prefix of the refs of applications an ATS adds.
REF_PREFIXES = {"greenhouse": "GH", "lever": "LV"}


class Held(Exception):
    """The change cannot be carried out until someone looks: ``reason`` says why;
    ``unmapped``, the mapping to note (job, vendor, key, name) for them to fill in."""

    def __init__(self, reason: str, unmapped: tuple | None = None):
        super().__init__(reason)
        self.reason, self.unmapped = reason, unmapped


def receive(
    vendor: str, delivery_id: str, body: bytes, change: Change | Ignored, event: str
) -> str:
    """Take one verified delivery (``event``: its name in the vendor's words): carried
    out, or held, or ignored, once; its outcome."""
    with database.atomic():
        try:
            with database.atomic():
                delivery = InboundDelivery.create(
                    vendor=vendor, delivery_id=delivery_id, event=event[:100], outcome=HELD
                )
        except peewee.IntegrityError:
            return DUPLICATE  # seen before (or being taken by a racing request)
        outcome, reason = _carry_out(change)
        delivery.outcome, delivery.reason = outcome, reason
        delivery.body = body.decode("utf-8", "replace") if outcome == HELD else ""
        delivery.save()
    return outcome


def _carry_out(change: Change | Ignored) -> tuple[str, str]:
    """The outcome of ``change`` and why, its domain operations done (or none)."""
    if isinstance(change, Ignored):
        return IGNORED, change.reason
    try:
        with database.atomic(), acting_for(f"{change.vendor.title()} webhook"):
            return _apply(change)
    except Held as held:
        if held.unmapped:  # noted after the rollback, so that the admin can fill it in
            job, vendor, key, name = held.unmapped
            StageMapping.get_or_create(
                job=job, vendor=vendor, external_stage=key, defaults={"external_name": name}
            )
        return HELD, held.reason
    except DomainError as refused:
        return HELD, f"Refused here: {refused.message}"


def _apply(change: Change) -> tuple[str, str]:
    if change.action == "details":
        return _details(change)
    record = _record(change.vendor, "application", change.application_id)
    if record is None:
        if change.action not in ("created", "moved") or not change.job_id:
            raise Held(
                f"{_their(change)} application {change.application_id} is not linked here: "
                "add it through the API with its ats id, or link it in Admin › Integrations."
            )
        return _create(change)
    lock(Application, record.application_id)  # one delivery at a time per application
    record = ExternalRecord.get_by_id(record.id)
    if change.at and record.changed_at and change.at <= record.changed_at:
        return STALE, "Older than the last change applied: nothing done."
    outcome = {"created": _move, "moved": _move, "closed": _close, "reopened": _reopen}[
        change.action
    ](change, Application.get_by_id(record.application_id))
    if change.at:
        ExternalRecord.update(changed_at=change.at).where(ExternalRecord.id == record.id).execute()
    return outcome


def _their(change: Change) -> str:
    return change.vendor.title() + "'s"


def _record(vendor: str, kind: str, external_id: str) -> ExternalRecord | None:
    return ExternalRecord.get_or_none(
        (ExternalRecord.vendor == vendor)
        & (ExternalRecord.kind == kind)
        & (ExternalRecord.external_id == external_id)
    )


def _job(change: Change) -> Job:
    record = _record(change.vendor, "job", change.job_id) if change.job_id else None
    if record is None:
        raise Held(
            f"{_their(change)} job {change.job_id or '(none)'} “{change.job_name}” is not "
            "linked to a job here: link it on the job's ATS page."
        )
    return Job.get_by_id(record.job_id)


def _mapping(change: Change, job: Job, key: str, name: str) -> StageMapping:
    """What ``key`` means on ``job``, or Held (the mapping noted, unmapped, to fill in)."""
    mapping = StageMapping.get_or_none(
        (StageMapping.job == job.id)
        & (StageMapping.vendor == change.vendor)
        & (StageMapping.external_stage == key)
    )
    if mapping is not None and name and mapping.external_name != name:
        mapping.external_name = name
        mapping.save(only=[StageMapping.external_name])
    if mapping is None or (mapping.stage_id is None and not mapping.outcome):
        shown = f"“{name}” ({key})" if name else key
        raise Held(
            f"{_their(change)} {shown} is not mapped on job {job.ref}: map it there.",
            unmapped=(job, change.vendor, key, name),
        )
    return mapping


def _create(change: Change) -> tuple[str, str]:
    job = _job(change)
    mapping = _mapping(change, job, change.stage_id, change.stage_name)
    if mapping.stage_id is None:
        raise Held(f"A new application cannot start as {mapping.outcome}.")
    if not (change.name and change.email):
        raise Held(f"{_their(change)} application names no candidate with an address.")
    application = domain.add_application(
        None,
        job,
        change.name,
        change.email,
        ref=f"{REF_PREFIXES[change.vendor]}-{change.application_id}",
        stage=mapping.stage,
        tell=True,
    )
    link(change.vendor, "application", change.application_id, application, at=change.at)
    if change.candidate_id:
        link(change.vendor, "candidate", change.candidate_id, application)
    return APPLIED, f"Added as {application.ref}."


def _move(change: Change, application: Application) -> tuple[str, str]:
    mapping = _mapping(change, application.job, change.stage_id, change.stage_name)
    if mapping.outcome:
        return _closed_as(application, mapping.outcome, change.note)
    if not application.is_active:
        raise Held(
            f"{application.ref} is {application.status} here, and {_their(change)} moved it "
            "on: reopen it here (or in the ATS) first."
        )
    if mapping.stage_id == application.stage_id:
        return IGNORED, f"{application.ref} is already at {mapping.stage.name}."
    domain.move(None, application, mapping.stage, application.version, message=mapping.message)
    return APPLIED, f"{application.ref} moved to {mapping.stage.name}."


def _close(change: Change, application: Application) -> tuple[str, str]:
    status = change.status
    if not status:
        status = _mapping(change, application.job, change.outcome_key, "").outcome
        if not status:
            raise Held(
                f"{_their(change)} {change.outcome_key} is mapped to a stage, not an outcome."
            )
    return _closed_as(application, status, change.note)


def _closed_as(application: Application, status: str, note: str) -> tuple[str, str]:
    if status not in CLOSED_STATUSES:
        raise Held(f"{status!r} is not a way to close an application.")
    if application.status == status:
        return IGNORED, f"{application.ref} is already {status}."
    if not application.is_active:
        raise Held(f"{application.ref} is {application.status} here, not {status}: look at it.")
    draft = domain.closure_note_draft(application, status)
    domain.close(None, application, application.version, status, draft, note)
    return APPLIED, f"{application.ref} closed as {status}."


def _reopen(change: Change, application: Application) -> tuple[str, str]:
    if application.is_active:
        return IGNORED, f"{application.ref} is already active."
    stage = None
    if change.stage_id:
        stage = _mapping(change, application.job, change.stage_id, change.stage_name).stage
    domain.reopen(None, application, application.version, stage=stage)
    return APPLIED, f"{application.ref} reopened."


def _details(change: Change) -> tuple[str, str]:
    record = _record(change.vendor, "candidate", change.candidate_id)
    if record is None:
        return IGNORED, f"{_their(change)} candidate {change.candidate_id} has no application here."
    if not (change.name and change.email):
        raise Held(f"{_their(change)} candidate update names no one with an address.")
    application = Application.get_by_id(record.application_id)
    candidate_actions.edit_details(None, application, change.name, change.email)
    return APPLIED, f"Details of {application.ref}'s candidate corrected."


# --- links and the held list ------------------------------------------------------------


def link(vendor: str, kind: str, external_id: str, target, at=None) -> ExternalRecord:
    """Say that ``target`` (a job or an application) is ``external_id`` in ``vendor``."""
    field = "job" if kind == "job" else "application"
    record, created = ExternalRecord.get_or_create(
        vendor=vendor,
        kind=kind,
        external_id=external_id,
        defaults={field: target, "changed_at": at},
    )
    if not created and getattr(record, f"{field}_id") != target.id:
        setattr(record, field, target)
        record.save()
    return record


def held() -> list[InboundDelivery]:
    """What needs someone to look, oldest first."""
    return list(
        InboundDelivery.select()
        .where(InboundDelivery.outcome == HELD)
        .order_by(InboundDelivery.received, InboundDelivery.id)
    )


def change_of(delivery: InboundDelivery) -> Change | Ignored:
    """What a held delivery asks, read again from its body by its vendor's reader."""
    read = {"greenhouse": greenhouse.change, "lever": lever.change}[delivery.vendor]
    return read(json.loads(delivery.body))


def apply_again(actor, delivery: InboundDelivery) -> str:
    """Carry out a held delivery again (its mapping fixed since, say): its new outcome."""
    require_staff(actor)
    with database.atomic():
        lock(InboundDelivery, delivery.id)
        delivery = InboundDelivery.get_by_id(delivery.id)
        if delivery.outcome != HELD:
            return delivery.outcome
        outcome, reason = _carry_out(change_of(delivery))
        delivery.outcome = RESOLVED if outcome in (APPLIED, IGNORED, STALE) else outcome
        delivery.reason = reason
        if delivery.outcome != HELD:
            delivery.body = ""  # nothing more to do with what it said of the candidate
        delivery.save()
        audit(actor, "ats_delivery_applied", f"delivery {delivery.id}", outcome=outcome)
    return outcome


def _still_held(delivery: InboundDelivery) -> InboundDelivery:
    """``delivery`` as it is now, held by this transaction; Invalid once it is not held."""
    lock(InboundDelivery, delivery.id)
    delivery = InboundDelivery.get_by_id(delivery.id)
    if delivery.outcome != HELD:
        raise Invalid(f"That delivery is {delivery.outcome} already: nothing more to do.")
    return delivery


def link_application(actor, delivery: InboundDelivery, application: Application) -> str:
    """The held delivery's application is ``application`` here: link them, apply again."""
    require_staff(actor)
    with database.atomic():
        change = change_of(_still_held(delivery))
        if isinstance(change, Ignored) or not change.application_id:
            raise Invalid("This delivery names no application to link.")
        link(delivery.vendor, "application", change.application_id, application)
        audit(
            actor,
            "ats_application_linked",
            application.ref,
            vendor=delivery.vendor,
            external_id=change.application_id,
        )
        return apply_again(actor, delivery)


def dismiss(actor, delivery: InboundDelivery) -> None:
    """Nothing will be done with it: it leaves the list, and its body goes."""
    require_staff(actor)
    with database.atomic():
        delivery = _still_held(delivery)
        InboundDelivery.update(outcome=DISMISSED, body="").where(
            InboundDelivery.id == delivery.id
        ).execute()
        audit(actor, "ats_delivery_dismissed", f"delivery {delivery.id}", event=delivery.event)
