"""An application's life: added, moved, updated, noted, closed, reopened.

Every change a candidate can see takes ``tell``: whether the candidate is emailed about
it (their page shows it either way). Deciding that is the actor's: the admin asks, with
a preview of the email, before anything leaves (admin/sending.py).
"""

import re
import secrets
from datetime import date

import peewee

from portal import dates
from portal.candidates import links
from portal.clock import local_date
from portal.clock import now
from portal.clock import today
from portal.domain import outbox
from portal.domain.base import clean_text
from portal.domain.base import ERASED_EMAIL
from portal.domain.base import normalise_email
from portal.domain.base import require_staff
from portal.domain.placeholders import check as check_placeholders
from portal.domain.placeholders import CLOSURE_NOTE
from portal.domain.reasons import checked_reason
from portal.domain.reasons import fill_reason
from portal.domain.reasons import withdrew_themselves
from portal.errors import Conflict
from portal.errors import Invalid
from portal.mail import queue as mail
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import CLOSED_STATUSES
from portal.store.models import ErasureRequest
from portal.store.models import Event
from portal.store.models import Job
from portal.store.models import ScheduledClosure
from portal.store.models import Stage

#: The event kinds the operations here show the candidate (and an import may): every
#: other kind stays internal.
VISIBLE_KINDS = ("moved", "update", "deciding", "closed", "reopened")

#: What a reopened application's candidate is told, unless the recruiter writes otherwise.
REOPEN_MESSAGE = (
    "Dear {first_name},\n\nGood news: we have reopened your application for the {job} "
    "role, and it is back with us."
)

#: What a candidate is told once their interview is over and the team is deciding.
DECIDING_MESSAGE = (
    "Dear {first_name},\n\nThank you for the time you gave us. The team is now deciding, "
    "and we will tell you as soon as we know."
)


def reply_by_default(stage: Stage, start: date | None = None) -> date:
    """The date a candidate at ``stage`` should hear from us by."""
    return dates.add_business_days(start or today(), stage.follow_up_days)


def add_application(
    actor, job: Job, name: str, email: str, *, ref=None, stage=None, created=None, tell=False
) -> Application:
    """Put a candidate (found by email, or new) into a job's pipeline; ``tell`` emails
    them the link to their page."""
    require_staff(actor)
    if not job.open:
        raise Invalid(
            f"{job.title} ({job.ref}) is closed to new candidates: reopen it in the job's "
            "settings first."
        )
    email = normalise_email(email)
    name = clean_text(name, "Candidate name", True, 200)
    stage = stage or job.stages.where(Stage.removed.is_null()).order_by(Stage.position).first()
    if stage.job_id != job.id:
        raise Invalid(f"Stage {stage.name!r} is not part of job {job.ref}.")
    require_live(stage)
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
        existing = Application.get_or_none(
            (Application.job == job.id) & (Application.candidate == candidate.id)
        )
        if existing is not None:
            raise Invalid(f"{email} already has an application for {job.title}: {existing.ref}.")
        try:
            with database.atomic():
                application.save()
        except peewee.IntegrityError:
            raise Invalid(f"The reference {application.ref} is taken: choose another.") from None
        record(application, actor, "created", to_stage=stage, created=created)
        link = links.issue(application)  # every application has a live link
        if tell:
            mail.queue_link(application, links.url(link), link.expires)
    return application


def reachable(application: Application) -> bool:
    """Whether email may go to the application's candidate: not an erased stand-in."""
    return not ERASED_EMAIL.fullmatch(application.candidate.email)


def _notify(application, event: Event) -> None:
    """Queue the candidate's email about a visible change (sent after commit)."""
    link = links.live(application)
    if link is not None and reachable(application):
        # a revoked link is a decision: no email carries a new one
        ends = links.ends(link.expires, application.status, application.closed)
        reason = application.closure_reason if application.status == "withdrawn" else None
        own = reason is not None and withdrew_themselves(application.status, reason.code)
        mail.queue_notice(application, event, links.url(link), ends, own_withdrawal=own)


def record(application, actor, kind, visible=False, created=None, tell=True, **fields) -> Event:
    """One history entry; a ``visible`` one is the candidate's latest word, and is
    emailed to them when ``tell``."""
    event = Event.create(
        application=application,
        actor=actor,
        kind=kind,
        visible=visible,
        created=created or now(),
        **fields,
    )
    outbox.published(event)  # in this transaction: sent if, and only if, it commits
    if visible and tell:  # a quiet correction is shown, but gives the candidate no word
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
    """``stage`` is a live stage of the application's job."""
    if stage.job_id != application.job_id:
        raise Invalid(f"Stage {stage.name!r} is not part of job {application.job.ref}.")
    require_live(stage)


def require_live(stage: Stage) -> None:
    """``stage`` is in its pipeline, not removed from it (and kept for history)."""
    if stage.removed is not None:
        raise Invalid(f"Stage {stage.name!r} was removed from the pipeline: choose another.")


def require_active(application: Application) -> None:
    if not application.is_active:
        raise Invalid(f"Application {application.ref} is {application.status}; reopen it first.")
    scheduled = scheduled_closure(application)
    if scheduled is not None:
        raise Invalid(
            f"Application {application.ref} is to be closed as {scheduled.status} on "
            f"{dates.in_words(local_date(scheduled.due))}: cancel that first."
        )


def scheduled_closure(application: Application) -> ScheduledClosure | None:
    """The closure decided for ``application`` and not yet carried out, if any."""
    return ScheduledClosure.get_or_none(ScheduledClosure.application == application.id)


def move(
    actor,
    application,
    stage: Stage,
    version,
    message="",
    next_steps=None,
    reply_by=None,
    tell=True,
):
    """Move an application to another stage of its job, with optional word for the
    candidate. Next steps belong to the stage visit: the move's own, else the stage's
    default (``None``), else none: what was said for the last stage never carries over."""
    require_staff(actor)
    require_active(application)
    require_own_stage(application, stage)
    if next_steps is None:
        next_steps = fill(stage.next_steps, application)
    message, next_steps, reply_by = _candidate_word(message, next_steps, reply_by)
    reply_by = reply_by or _kept_promise(application, tell) or reply_by_default(stage)
    with database.atomic():
        from_stage = application.stage
        change(application, version, stage=stage, reply_by=reply_by, next_steps=next_steps)
        return record(
            application,
            actor,
            "moved",
            visible=True,
            tell=tell,
            message=message,
            next_steps=next_steps,
            reply_by=reply_by,
            from_stage=from_stage,
            to_stage=stage,
        )


def _kept_promise(application: Application, tell: bool) -> date | None:
    """The reply-by date a quiet change keeps: nobody told the candidate of a new one."""
    return None if tell else application.reply_by


def post_update(actor, application, version, message, next_steps="", reply_by=None, tell=True):
    """Tell the candidate something without changing stage (new next steps replace the
    standing ones; none keeps them)."""
    require_staff(actor)
    require_active(application)
    message, next_steps, reply_by = _candidate_word(message, next_steps, reply_by)
    if not message:
        raise Invalid("An update needs a message for the candidate.")
    reply_by = reply_by or _kept_promise(application, tell) or reply_by_default(application.stage)
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
            tell=tell,
            message=message,
            next_steps=next_steps,
            reply_by=reply_by,
        )


def deciding_message(application: Application) -> str:
    """The prefilled word that the interview is over and the team is deciding (the date
    is its own field: the page and the email say it)."""
    return fill(DECIDING_MESSAGE, application)


def mark_deciding(actor, application, version, message, reply_by=None, tell=True) -> Event:
    """The interview at the application's stage is over and the team is deciding: the
    candidate's page says so, with this word and a reply-by date; the interview's next
    steps are done with."""
    require_staff(actor)
    require_active(application)
    if not application.stage.interview:
        raise Invalid(
            f"{application.stage.name} is not an interview stage: post an update instead."
        )
    message, _, reply_by = _candidate_word(message, "", reply_by)
    if not message:
        raise Invalid("Tell the candidate what happens now: the message is empty.")
    reply_by = reply_by or reply_by_default(application.stage)
    with database.atomic():
        change(application, version, reply_by=reply_by, next_steps="")
        return record(
            application,
            actor,
            "deciding",
            visible=True,
            tell=tell,
            message=message,
            reply_by=reply_by,
            to_stage=application.stage,
        )


def add_note(actor, application, message) -> Event:
    """An internal note: never shown to the candidate."""
    require_staff(actor)
    message = clean_text(message, "Note", True, 5000)
    with database.atomic():
        Application.update(updated=now()).where(Application.id == application.id).execute()
        return record(application, actor, "note", message=message)


def fill(template: str, application: Application, stage=None, reply_by=None) -> str:
    """``template`` with {first_name}, {job}, {recruiter}, {stage} (the candidate's label
    of ``stage``, else of the application's) and {reply_by} (in words) filled in."""
    values = {
        "first_name": application.candidate.first_name,
        "job": application.job.title,
        "recruiter": application.job.recruiter.name,
        "stage": (stage or application.stage).candidate_label,
    }
    if reply_by is not None:
        values["reply_by"] = dates.in_words(reply_by)
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def closure_words(closure_note: str, application: Application, closure_reason) -> str:
    """The closure note as the candidate reads it: its placeholders checked (those the
    templates page documents, ``placeholders.CLOSURE_NOTE``: any other, or one mistyped,
    is refused) and filled, the application's details and ``closure_reason``'s words."""
    check_placeholders(closure_note, CLOSURE_NOTE, "The closure note")
    return fill_reason(closure_note or "", closure_reason, lambda text: fill(text, application))


def checked_closure(status, closure_note, reason):
    """The outcome, note and internal reason of a closure, checked."""
    if status not in CLOSED_STATUSES:
        raise Invalid(f"Closing status must be one of {', '.join(CLOSED_STATUSES)}.")
    closure_note = clean_text(closure_note, "Closure note", status == "rejected", 5000)
    return closure_note, clean_text(reason, "Internal reason", limit=2000)


def close(
    actor,
    application,
    version,
    status,
    closure_note,
    reason="",
    tell=True,
    closure_reason=None,
    *,
    scheduled=False,
):
    """End the process as hired, rejected or withdrawn, for ``closure_reason`` from the
    company's list (a code or a row: see ``reasons.checked_reason``); ``reason`` is the
    team's internal note. The note's placeholders are filled (``closure_words``): {reason}
    and {next_steps} become the reason's words for the candidate. ``scheduled``: carrying
    out a closure decided earlier, whose reason and note were checked and filled then
    (the reason may have been retired since)."""
    require_staff(actor)
    require_active(application)
    if not scheduled:
        closure_reason = checked_reason(actor, status, closure_reason)
        closure_note = closure_words(closure_note, application, closure_reason)
    closure_note, reason = checked_closure(status, closure_note, reason)
    with database.atomic():
        change(
            application,
            version,
            status=status,
            closure_note=closure_note,
            closure_reason=closure_reason,
            closed_reason=reason,
            closed=now(),
            reply_by=None,
        )
        if closure_reason is not None:
            record(application, actor, "closure_reason", message=closure_reason.label)
        if reason:
            record(application, actor, "reason", message=reason)
        return record(application, actor, "closed", visible=True, tell=tell, message=closure_note)


def reopen_message(application: Application) -> str:
    """The prefilled word that a closed application is open again."""
    return fill(REOPEN_MESSAGE, application)


def reopen(
    actor, application, version, stage: Stage | None = None, message=None, reply_by=None, tell=True
) -> Event:
    """Put a closed application back in the pipeline, and tell the candidate (``message``
    None: the prefilled word). The old closure note and reason leave the application;
    its history keeps them."""
    require_staff(actor)
    if application.is_active:
        raise Invalid(f"Application {application.ref} is already active.")
    if not reachable(application):
        raise Invalid(
            f"Application {application.ref} was erased: there is nobody to reopen it for."
        )
    if ErasureRequest.select().where(ErasureRequest.application == application.id).exists():
        raise Invalid(
            f"The candidate asked for application {application.ref} to be deleted: cancel "
            "their request in Admin › Privacy first (that reopens it), or carry it out."
        )
    stage = stage or application.stage
    require_own_stage(application, stage)
    _, _, reply_by = _candidate_word("", "", reply_by)
    reply_by = reply_by or reply_by_default(stage)
    if message is None:
        message = reopen_message(application)
    message = clean_text(message, "Message", True, 5000)
    next_steps = fill(stage.next_steps, application)
    with database.atomic():
        change(
            application,
            version,
            status="active",
            stage=stage,
            closed=None,
            closure_note="",
            closure_reason=None,
            closed_reason="",
            next_steps=next_steps,
            reply_by=reply_by,
        )
        return record(
            application,
            actor,
            "reopened",
            visible=True,
            tell=tell,
            message=message,
            next_steps=next_steps,
            reply_by=reply_by,
            to_stage=stage,
        )
