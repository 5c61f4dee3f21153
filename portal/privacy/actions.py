"""Personal data: erasure (on request, by staff, or by the retention policy) and the
audit log of every export and erasure.

Erasing an application keeps its row, so follow-up metrics still count it, but moves
it to an anonymous candidate of its own and replaces every free text about the person
(messages, next steps, notes, closure notes, reasons, feedback text) with
``ERASED_TEXT``. Its links are revoked and their static pages deleted, its email is
deleted, and its reply address is forgotten (`portal inbox` refuses it). Erasing a
candidate erases each of their applications, then deletes the candidate row itself.
Ratings, recommendations, stages, statuses and dates stay: they say nothing about who
the person was. The application's ref stays too, so importing an
old export again finds it "already there" instead of bringing the person back.

The audit entries name no one: an opaque id, references and counts.
"""

import json
import re
from datetime import timedelta

from flask import current_app

from portal import domain
from portal.candidates import links
from portal.candidates.actions import withdraw_by_candidate
from portal.clock import local_date
from portal.clock import now
from portal.domain import outbox
from portal.domain.base import ERASED_DOMAIN
from portal.errors import Invalid
from portal.errors import NotFound
from portal.mail import queue as mail
from portal.mail.transport import forget_outbox
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import ErasureRequest
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Interview
from portal.store.models import Link
from portal.store.models import Mail
from portal.store.models import Rating
from portal.store.models import Task
from portal.store.models import User

#: What every erased free text becomes. Not empty: "was there a closure note" stays true.
ERASED_TEXT = "[erased]"

ERASED_NAME = "Erased candidate"

#: Event kinds whose message is no free text about the person but a count metrics read.
KEPT_MESSAGES = ("rated",)


def is_erased(candidate: Candidate) -> bool:
    """Whether ``candidate`` is the anonymous stand-in of an erased application."""
    return candidate.email.endswith("@" + ERASED_DOMAIN)


def find_candidate(email: str) -> Candidate:
    """The candidate with this address, or NotFound saying so."""
    candidate = Candidate.get_or_none(Candidate.email == domain.normalise_email(email))
    if candidate is None or is_erased(candidate):
        raise NotFound(f"No candidate has the email address {email}.")
    return candidate


# --- erasure ---------------------------------------------------------------------------


def erase_candidate(actor: User | None, candidate: Candidate, why: str = "request") -> dict:
    """Erase everything about ``candidate``; returns what was erased, in counts."""
    domain.require_staff(actor)
    if is_erased(candidate):
        raise Invalid("That candidate is already erased.")
    with database.atomic():
        counts = _counts()
        refs = []
        for application in candidate.applications.order_by(Application.id):
            _erase_application(actor, application, counts)
            refs.append(application.ref)
        counts["mail"] += _redact_staff_mail(candidate)
        ErasureRequest.delete().where(ErasureRequest.candidate == candidate.id).execute()
        candidate.delete_instance()
        audit(actor, "erasure", f"candidate {candidate.id}", why=why, applications=refs, **counts)
    return counts


def erase_application(actor: User | None, application: Application, why: str) -> dict:
    """Erase one application (the retention policy); the candidate keeps their others."""
    domain.require_staff(actor)
    with database.atomic():
        counts = _counts()
        _erase_application(actor, application, counts)
        audit(actor, "erasure", f"application {application.id}", why=why, **counts)
    return counts


def _counts() -> dict:
    return {"events": 0, "feedback": 0, "mail": 0, "links": 0}


def _erase_application(actor, application: Application, counts: dict) -> None:
    """Anonymise one application in place (inside the caller's transaction)."""
    moment = now()
    tokens = [link.token for link in Link.select(Link.token).where(Link.application == application)]
    counts["links"] += (
        Link.update(revoked=moment)
        .where((Link.application == application) & Link.revoked.is_null())
        .execute()
    )
    ours = Event.application == application
    for field in (Event.message, Event.next_steps):
        counts["events"] += (
            Event.update({field: ERASED_TEXT})
            .where(ours & (field != "") & Event.kind.not_in(KEPT_MESSAGES))
            .execute()
        )
    for field in (Feedback.strengths, Feedback.concerns):
        counts["feedback"] += (
            Feedback.update({field: ERASED_TEXT})
            .where((Feedback.application == application) & (field != ""))
            .execute()
        )
    theirs = Feedback.select(Feedback.id).where(Feedback.application == application)
    counts["feedback"] += (
        Rating.update(note=ERASED_TEXT)
        .where(Rating.feedback.in_(theirs) & (Rating.note != ""))
        .execute()
    )
    _erase_interviews(application, moment)
    outbox.forget(application)
    theirs = Mail.select(Mail.id, Mail.created, Mail.kind).where(Mail.application == application)
    forget_outbox(list(theirs))
    counts["mail"] += Mail.delete().where(Mail.application == application).execute()
    stand_in = Candidate.create(
        name=ERASED_NAME, email=f"erased-{application.id}@{ERASED_DOMAIN}", created=moment
    )
    changes = {
        "candidate": stand_in,
        "reply_key": None,  # its reply address is refused from now on (portal inbox)
        "asked": None,  # nobody is left to answer
        "timezone": "",  # where they live is about them
        "updated": moment,
        "version": Application.version + 1,
        **{
            field.name: ERASED_TEXT
            for field in (
                Application.next_steps,
                Application.closure_note,
                Application.closed_reason,
            )
            if getattr(application, field.name)
        },
    }
    if application.is_active:  # out of every pipeline and queue: there is no one to tell
        changes.update(status="withdrawn", closed=moment, reply_by=None)
    Application.update(changes).where(Application.id == application.id).execute()
    Event.create(application=application, actor=actor, kind="erased", created=moment)
    links.unpublish(tokens)


def _erase_interviews(application: Application, moment) -> None:
    """Its interviews keep their times (metrics, feedback owed) but not what was said
    about them; one still to come is off: there is no one to meet."""
    ours = Interview.application == application
    for field in (Interview.place, Interview.meeting, Interview.prepare):
        Interview.update({field: ERASED_TEXT}).where(ours & (field != "")).execute()
    Interview.update(cancelled=moment).where(
        ours & Interview.cancelled.is_null() & (Interview.ends > moment)
    ).execute()


def _redact_staff_mail(candidate: Candidate) -> int:
    """Take the person's name and address out of staff email (digests list names)."""
    pattern = re.compile("|".join(_spellings(candidate)), flags=re.IGNORECASE)
    changed = 0
    query = Mail.select().where(
        Mail.application.is_null()
        & (
            Mail.text.contains(candidate.name)
            | Mail.text.contains(candidate.email)
            | Mail.subject.contains(candidate.name)
        )
    )
    for staff_mail in query:
        fields = {
            name: pattern.sub(ERASED_TEXT, getattr(staff_mail, name))
            for name in ("subject", "text", "html")
        }
        if any(fields[name] != getattr(staff_mail, name) for name in fields):
            Mail.update(fields).where(Mail.id == staff_mail.id).execute()
            forget_outbox([staff_mail])  # its delivered copy still names them
            changed += 1
    # A queued request for a fresh link names the address: it goes with the person.
    Task.delete().where(Task.payload.contains(json.dumps(candidate.email))).execute()
    to_them = Mail.select(Mail.id, Mail.created, Mail.kind).where(Mail.to == candidate.email)
    forget_outbox(list(to_them))
    changed += Mail.delete().where(Mail.to == candidate.email).execute()
    return changed


def _spellings(candidate: Candidate) -> list[str]:
    """The name and address as they may appear in plain text and in HTML."""
    from markupsafe import escape

    values = {candidate.name, candidate.email, str(escape(candidate.name))}
    # Whole words only: a short name must not eat parts of other words ("\b" would not
    # match at all next to a name's own punctuation: "Mary Smith Jr.").
    return sorted(
        (rf"(?<!\w){re.escape(v)}(?!\w)" for v in values if v.strip()), key=len, reverse=True
    )


# --- the candidate's own request ---------------------------------------------------------


def erasure_days() -> timedelta:
    """How long a request waits for staff before `portal purge` carries it out."""
    return timedelta(days=current_app.config["ERASURE_DAYS"])


def pending_request(application: Application) -> ErasureRequest | None:
    """The candidate's pending request to delete ``application``, if there is one."""
    return ErasureRequest.get_or_none(ErasureRequest.application == application.id)


def request_erasure(application: Application) -> ErasureRequest:
    """The candidate asked on their page to be erased. A link reaches only its own
    application: the request withdraws that one (if open) and, once carried out, erases
    it, and the person too when it was their last. Their other applications are left as
    they are. Confirmed by one email to the address on file, which also carries the
    withdrawal's closure note; carried out at once, with no email, when ``ERASURE_DAYS``
    is 0 (else by staff or `portal purge`)."""
    candidate = application.candidate
    if is_erased(candidate):
        raise Invalid("Your data has already been erased.")
    with database.atomic():
        pending = pending_request(application)
        if pending is not None:
            return pending
        moment = now()
        withdrew = application.is_active
        closure = None
        if withdrew:
            # no closure email of its own: the confirmation below says both, in one
            closure = withdraw_by_candidate(
                application, application.version, "Asked for their data to be erased.", tell=False
            )
        request = ErasureRequest.create(
            candidate=candidate,
            application=application,
            withdrew=withdrew,
            requested=moment,
            due=moment + erasure_days(),
        )
        audit(None, "erasure_request", f"application {application.id}")
        outbox.publish(outbox.ERASURE_REQUESTED, application, due=request.due.isoformat() + "Z")
        if not current_app.config["ERASURE_DAYS"]:
            carry_out_request(None, request)
            return request
        link = links.live(application)
        mail.queue_erasure(
            application,
            closure,
            links.url(link) if link is not None else "",
            local_date(request.due),
            [other.job.title for other in _others(request)],
        )
    return request


def _others(request: ErasureRequest) -> list[Application]:
    """The person's applications a request leaves alone (none: it erases the person)."""
    if request.application_id is None:
        return []
    return list(
        Application.select()
        .where(
            (Application.candidate == request.candidate_id)
            & (Application.id != request.application_id)
        )
        .order_by(Application.id)
    )


def pending_requests():
    """Requests not yet carried out, oldest first."""
    return (
        ErasureRequest.select(ErasureRequest, Candidate)
        .join(Candidate)
        .order_by(ErasureRequest.requested, ErasureRequest.id)
    )


def _request(request_id) -> ErasureRequest:
    request = pending_requests().where(ErasureRequest.id == int(request_id)).first()
    if request is None:
        raise NotFound("That request was already carried out or cancelled.")
    return request


def carry_out(actor: User | None, request_id) -> dict:
    """Carry out a pending request now."""
    return carry_out_request(actor, _request(request_id))


def carry_out_request(
    actor: User | None, request: ErasureRequest, why: str = "candidate's request"
) -> dict:
    """Erase what the request asked for: its application, and the person when that was
    their last one (a request from before requests were scoped erases the person)."""
    if _others(request):
        with database.atomic():
            counts = erase_application(actor, request.application, why=why)
            request.delete_instance()
        return counts
    return erase_candidate(actor, request.candidate, why=why)


#: What the candidate is told when their erasure request is called off.
CANCELLED_MESSAGE = (
    "Dear {first_name},\n\nWe have not deleted your data: the request to delete it has "
    "been cancelled, and your application for the {job} role is open again. If you did not "
    "expect this, reply to this email and we will sort it out."
)


def cancel_request(actor: User | None, request_id) -> None:
    """Drop a request (the candidate said it was not them, or changed their mind), and
    undo what asking did: an application it withdrew is open again, at its stage."""
    domain.require_staff(actor)
    request = _request(request_id)
    with database.atomic():
        subject = (
            f"application {request.application_id}"
            if request.application_id
            else f"candidate {request.candidate_id}"
        )
        audit(actor, "erasure_cancelled", subject)
        request.delete_instance()
        application = request.application
        if request.withdrew and application.status == "withdrawn":
            stage = application.stage
            if stage.removed is not None:  # taken out meanwhile: the first live one
                stage = domain.queries.stages(application.job)[0]
            domain.reopen(
                actor,
                application,
                application.version,
                stage,
                domain.fill(CANCELLED_MESSAGE, application),
            )
