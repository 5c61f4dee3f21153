"""An application's life: added, moved, updated, noted, closed, reopened."""

import re
import secrets
from datetime import date

import peewee

from portal import dates
from portal.candidates import links
from portal.clock import now
from portal.clock import today
from portal.domain.base import clean_text
from portal.domain.base import normalise_email
from portal.domain.base import require_staff
from portal.errors import Conflict
from portal.errors import Invalid
from portal.mail import queue as mail
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import CLOSED_STATUSES
from portal.store.models import ClosureTemplate
from portal.store.models import ErasureRequest
from portal.store.models import Event
from portal.store.models import Job
from portal.store.models import Stage

DEFAULT_CLOSURE_NOTES = {
    "hired": "Dear {first_name},\n\nWelcome aboard! We are delighted that you accepted our "
    "offer for the {job} role. {recruiter} will be in touch about your first day.",
    "rejected": "Dear {first_name},\n\nThank you for the time and care you gave to your "
    "application for the {job} role. We have decided not to continue with your "
    "application. This was not an easy decision, and we would be glad to hear from you "
    "again for future roles.\n\nWith best wishes,\n{recruiter}",
    "withdrawn": "Dear {first_name},\n\nThank you for letting us know. We have closed your "
    "application for the {job} role. We wish you every success, and our door stays open."
    "\n\n{recruiter}",
}


def reply_by_default(stage: Stage, start: date | None = None) -> date:
    """The date a candidate at ``stage`` should hear from us by."""
    return dates.add_business_days(start or today(), stage.follow_up_days)


def add_application(
    actor, job: Job, name: str, email: str, *, ref=None, stage=None, created=None
) -> Application:
    """Put a candidate (found by email, or new) into a job's pipeline."""
    require_staff(actor)
    email = normalise_email(email)
    name = clean_text(name, "Candidate name", True, 200)
    stage = stage or job.stages.order_by(Stage.position).first()
    if stage.job_id != job.id:
        raise Invalid(f"Stage {stage.name!r} is not part of job {job.ref}.")
    with database.atomic():
        candidate, _ = Candidate.get_or_create(email=email, defaults={"name": name})
        application = Application(
            ref=clean_text(ref, "Reference", limit=60) or "A-" + secrets.token_hex(4).upper(),
            job=job,
            candidate=candidate,
            stage=stage,
            reply_by=reply_by_default(stage),
            created=created or now(),
            updated=created or now(),
        )
        try:
            with database.atomic():
                application.save()
        except peewee.IntegrityError:
            raise Invalid(
                f"{email} already has an application for {job.ref}, or {application.ref} is taken."
            ) from None
        record(application, actor, "created", to_stage=stage, created=created)
        links.issue(application)  # every application has a live link; sending it is apart
    return application


def _notify(application, event: Event) -> None:
    """Queue the candidate's short notice of a visible change (sent after commit)."""
    link = links.live(application)
    if link is not None:  # a revoked link is a decision: no email carries a new one
        mail.queue_notice(application, event, links.url(link))


def record(application, actor, kind, visible=False, created=None, **fields) -> Event:
    event = Event.create(
        application=application,
        actor=actor,
        kind=kind,
        visible=visible,
        created=created or now(),
        **fields,
    )
    if visible:
        application.last_word = event.created
        Application.update(last_word=event.created).where(
            Application.id == application.id
        ).execute()
        _notify(application, event)
    return event


def change(application: Application, version: int, **changes) -> None:
    """Write ``changes`` if nobody changed the application since ``version``."""
    changes["updated"] = now()
    query = Application.update(version=Application.version + 1, **changes).where(
        (Application.id == application.id) & (Application.version == int(version))
    )
    if query.execute() != 1:
        raise Conflict(
            "Someone else changed this application while you were looking at it. "
            "Here is its current state: check it and try again."
        )
    for field, value in changes.items():
        setattr(application, field, value)
    application.version = int(version) + 1


#: The furthest a reply-by date may be promised ahead.
REPLY_BY_HORIZON_DAYS = 366


def _candidate_word(message, next_steps, reply_by):
    """What a candidate-visible change says, checked: a promise cannot be kept in the past,
    nor mean anything more than a year ahead."""
    if reply_by is not None and reply_by < today():
        raise Invalid(f"The reply-by date {reply_by} is in the past: choose today or later.")
    if reply_by is not None and (reply_by - today()).days > REPLY_BY_HORIZON_DAYS:
        raise Invalid(f"The reply-by date {reply_by} is more than a year away.")
    return (
        clean_text(message, "Message", limit=5000),
        clean_text(next_steps, "Next steps", limit=2000),
        reply_by,
    )


def require_own_stage(application: Application, stage: Stage) -> None:
    if stage.job_id != application.job_id:
        raise Invalid(f"Stage {stage.name!r} is not part of job {application.job.ref}.")


def require_active(application: Application) -> None:
    if not application.is_active:
        raise Invalid(f"Application {application.ref} is {application.status}; reopen it first.")


def move(actor, application, stage: Stage, version, message="", next_steps="", reply_by=None):
    """Move an application to another stage of its job, with optional word for the candidate."""
    require_staff(actor)
    require_active(application)
    require_own_stage(application, stage)
    message, next_steps, reply_by = _candidate_word(message, next_steps, reply_by)
    reply_by = reply_by or reply_by_default(stage)
    with database.atomic():
        from_stage = application.stage
        change(
            application,
            version,
            stage=stage,
            reply_by=reply_by,
            **({"next_steps": next_steps} if next_steps else {}),
        )
        return record(
            application,
            actor,
            "moved",
            visible=True,
            message=message,
            next_steps=next_steps,
            reply_by=reply_by,
            from_stage=from_stage,
            to_stage=stage,
        )


def post_update(actor, application, version, message, next_steps="", reply_by=None):
    """Tell the candidate something without changing stage."""
    require_staff(actor)
    require_active(application)
    message, next_steps, reply_by = _candidate_word(message, next_steps, reply_by)
    if not message:
        raise Invalid("An update needs a message for the candidate.")
    reply_by = reply_by or reply_by_default(application.stage)
    with database.atomic():
        change(
            application,
            version,
            reply_by=reply_by,
            **({"next_steps": next_steps} if next_steps else {}),
        )
        return record(
            application,
            actor,
            "update",
            visible=True,
            message=message,
            next_steps=next_steps,
            reply_by=reply_by,
        )


def add_note(actor, application, message) -> Event:
    """An internal note: never shown to the candidate."""
    require_staff(actor)
    message = clean_text(message, "Note", True, 5000)
    with database.atomic():
        Application.update(updated=now()).where(Application.id == application.id).execute()
        return record(application, actor, "note", message=message)


def closure_template(status: str) -> str:
    """The saved closure template for ``status``, or its default note, placeholders unfilled."""
    template = ClosureTemplate.get_or_none(ClosureTemplate.status == status)
    return template.body if template else DEFAULT_CLOSURE_NOTES[status]


def fill(template: str, application: Application) -> str:
    """``template`` with {first_name}, {job} and {recruiter} of ``application``."""
    values = {
        "first_name": application.candidate.first_name,
        "job": application.job.title,
        "recruiter": application.job.recruiter.name,
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def closure_note_default(application: Application, status: str) -> str:
    """The closure template for ``status`` with the application's details filled in."""
    return fill(closure_template(status), application)


def close(actor, application, version, status, closure_note, reason=""):
    """End the process as hired, rejected or withdrawn."""
    require_staff(actor)
    require_active(application)
    if status not in CLOSED_STATUSES:
        raise Invalid(f"Closing status must be one of {', '.join(CLOSED_STATUSES)}.")
    closure_note = clean_text(closure_note, "Closure note", status == "rejected", 5000)
    reason = clean_text(reason, "Internal reason", limit=2000)
    with database.atomic():
        change(
            application,
            version,
            status=status,
            closure_note=closure_note,
            closed_reason=reason,
            closed=now(),
            reply_by=None,
        )
        if reason:
            record(application, actor, "reason", message=reason)
        return record(application, actor, "closed", visible=True, message=closure_note)


def reopen(actor, application, version, stage: Stage | None = None) -> Event:
    """Put a closed application back in the pipeline."""
    require_staff(actor)
    if application.is_active:
        raise Invalid(f"Application {application.ref} is already active.")
    if ErasureRequest.select().where(ErasureRequest.application == application.id).exists():
        raise Invalid(
            f"The candidate asked for application {application.ref} to be deleted: cancel "
            "their request in Admin › Privacy first (that reopens it), or carry it out."
        )
    stage = stage or application.stage
    require_own_stage(application, stage)
    with database.atomic():
        change(
            application,
            version,
            status="active",
            stage=stage,
            closed=None,
            reply_by=reply_by_default(stage),
        )
        return record(application, actor, "reopened", to_stage=stage)


def set_closure_template(actor, status: str, body: str) -> ClosureTemplate:
    """Edit the default closure note for one outcome."""
    require_staff(actor)
    if status not in CLOSED_STATUSES:
        raise Invalid(f"There is no closure template for {status!r}.")
    body = clean_text(body, "Template", True, 5000)
    with database.atomic():
        template, _ = ClosureTemplate.get_or_create(status=status, defaults={"body": body})
        template.body = body
        template.save()
    return template
