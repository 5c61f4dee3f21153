"""Candidate links, email, and the candidate's own actions."""

from typing import NamedTuple

import peewee

from portal.candidates import links
from portal.clock import now
from portal.domain import default_reasons
from portal.domain import reasons
from portal.domain.applications import change
from portal.domain.applications import record
from portal.domain.applications import require_active
from portal.domain.base import clean_text
from portal.domain.base import ERASED_DOMAIN
from portal.domain.base import normalise_email
from portal.domain.base import require_staff
from portal.domain.closing import closure_note_default
from portal.errors import Invalid
from portal.errors import NotFound
from portal.mail import queue as mail
from portal.store.audit import audit
from portal.store.db import database
from portal.store.db import lock
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Event

# --- candidate links, email, and the candidate's own actions ---------------------------
#
# Candidates have no account: ``actor`` is None for what they do on their page, and the
# event kind says it was them.

#: What the candidate did on their page (internal events: staff see them in the history).
CANDIDATE_KINDS = ("candidate_withdrew", "acknowledged", "rated")


def issue_link(actor, application):
    """The application's live link, issuing one if none is live."""
    require_staff(actor)
    with database.atomic():
        if links.live(application) is None:
            record(application, actor, "link_issued")
        return links.issue(application)


def revoke_link(actor, application) -> int:
    """End the application's links at once; returns how many were live."""
    require_staff(actor)
    with database.atomic():
        count = links.revoke(application)
        if count:
            record(application, actor, "link_revoked")
    return count


def reissue_link(actor, application):
    """End the application's links and issue a new one (the old address stops working)."""
    require_staff(actor)
    with database.atomic():
        link = links.reissue(application)
        record(application, actor, "link_reissued")
    return link


def send_link(actor, application):
    """Email the candidate their link, issuing one if none is live."""
    require_staff(actor)
    with database.atomic():
        link = links.issue(application)
        record(application, actor, "link_sent")
        ends = links.ends(link.expires, application.status, application.closed)
        return mail.queue_link(application, links.url(link), ends)


def send_fresh_links(email: str) -> int:
    """A candidate asked for a fresh link: email one for each application whose page
    may still be shown. Returns how many were sent; the caller never tells anyone."""
    try:
        email = normalise_email(email)
    except Invalid:
        return 0
    moment = now()
    grace = links.closed_grace()
    sent = 0
    with database.atomic():
        for application in Application.select().join(Candidate).where(Candidate.email == email):
            if not application.is_active and application.closed + grace <= moment:
                continue
            send_link(None, application)
            sent += 1
    return sent


def withdraw_by_candidate(application, version, reason: str = "", tell: bool = True) -> Event:
    """The candidate withdraws on their page; their reason is for the hiring team only.
    ``tell=False`` queues no closure email (the caller's own email tells of it)."""
    require_active(application)
    reason = clean_text(reason, "Reason", limit=2000)
    with database.atomic():
        # Counted as theirs; never told back to them.
        own = reasons.system_reason(default_reasons.OWN_WITHDRAWAL)
        note = closure_note_default(application, "withdrawn", own)
        change(
            application,
            version,
            status="withdrawn",
            closure_note=note,
            closure_reason=own,
            closed_reason="Withdrawn by the candidate" + (f": {reason}" if reason else "."),
            closed=now(),
            reply_by=None,
        )
        record(application, None, "candidate_withdrew", message=reason)
        return record(application, None, "closed", visible=True, tell=tell, message=note)


def _since_closed(application, kind: str) -> bool:
    return application.events.where(
        (Event.kind == kind) & (Event.created >= application.closed)
    ).exists()


def acknowledge_closure(application) -> Event | None:
    """The candidate says "got it" to the closure; once per closure."""
    if application.is_active:
        raise Invalid("There is nothing to acknowledge while the application is open.")
    with database.atomic():
        lock(Application, application.id)  # twice at once still counts once
        if _since_closed(application, "acknowledged"):
            return None
        Application.update(updated=now()).where(Application.id == application.id).execute()
        return record(application, None, "acknowledged")


def rate_experience(application, score) -> Event | None:
    """The candidate's one-question rating of the process (1-5), once per closure."""
    if application.is_active:
        raise Invalid("You can rate your experience once the process is over.")
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise Invalid("Please choose one of the five answers.") from None
    if score not in range(1, 6):
        raise Invalid("Please choose one of the five answers.")
    with database.atomic():
        lock(Application, application.id)  # twice at once still counts once
        if _since_closed(application, "rated"):
            return None
        Application.update(updated=now()).where(Application.id == application.id).execute()
        return record(application, None, "rated", message=f"{score} out of 5")


# --- the candidate's details, corrected by staff -----------------------------------------

#: The audit entry of a correction of a candidate's name or email address.
DETAILS_CHANGED = "details_changed"


class Corrected(NamedTuple):
    """What ``edit_details`` did: the fields it changed, and the links it emailed."""

    changed: list[str]
    sent: int


def masked(email: str) -> str:
    """An address as told to someone who should not learn it: its first character and
    its domain (``n•••@example.org``)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def erased(candidate: Candidate) -> bool:
    """Whether ``candidate`` is the anonymous stand-in of an erased application."""
    return candidate.email.endswith("@" + ERASED_DOMAIN)


def linked(candidate: Candidate) -> list[Application]:
    """The person's applications with a live link: the pages a new address is sent."""
    live = links.live_links().where(Application.candidate == candidate.id)
    return [link.application for link in live]


def edit_details(actor, application, name: str, email: str) -> Corrected:
    """Correct a candidate's name or email address. A candidate is one person (one row per
    address), so the change is theirs, on every one of their applications, whose pages
    are rebuilt.

    A new address is told by email, as ``send_link`` tells it: each page of theirs with a
    live link gets a new link there, reissued because the old address may have been
    someone else's (the link it had stops working); and the old address gets a short
    notice naming the new one, masked, and whom to ask if it was not them. The audit
    entry names no one: the candidate's id and which fields changed.
    """
    require_staff(actor)
    name = clean_text(name, "Candidate name", True, 200)
    email = normalise_email(email)  # refuses the reserved domain of erased candidates too
    with database.atomic():
        lock(Candidate, application.candidate_id)
        candidate = Candidate.get_or_none(Candidate.id == application.candidate_id)
        if candidate is None:
            raise NotFound(f"Application {application.ref} has no candidate any more.")
        if erased(candidate):
            raise Invalid(
                f"The candidate of {application.ref} was erased: there is no name or address "
                "left to correct."
            )
        changed = [
            field
            for field, before, after in (
                ("name", candidate.name, name),
                ("email", candidate.email, email),
            )
            if before != after
        ]
        if not changed:
            return Corrected([], 0)
        other = Candidate.get_or_none((Candidate.email == email) & (Candidate.id != candidate.id))
        if other is not None:
            raise _taken(email, other)
        try:
            with database.atomic():
                Candidate.update(name=name, email=email).where(
                    Candidate.id == candidate.id
                ).execute()
        except peewee.IntegrityError:  # taken meanwhile
            raise _taken(email, None) from None
        theirs = list(
            Application.select()
            .where(Application.candidate == candidate.id)
            .order_by(Application.id)
        )
        Application.update(updated=now()).where(Application.candidate == candidate.id).execute()
        for each in theirs:
            record(each, actor, DETAILS_CHANGED, message=f"Corrected: {', '.join(changed)}.")
        sent = _tell_new_address(actor, application, candidate, name, email, theirs)
        audit(
            actor,
            DETAILS_CHANGED,
            f"candidate {candidate.id}",
            changed=changed,
            application=application.ref,
            applications=len(theirs),
            links_sent=sent,
        )
    candidate.name, candidate.email = name, email
    application.candidate = candidate
    return Corrected(changed, sent)


def _taken(email: str, other: Candidate | None) -> Invalid:
    whose = f" ({other.name})" if other is not None else ""
    return Invalid(
        f"{email} already belongs to another candidate{whose}: an address is one person's. "
        "Check the address you typed."
    )


def _tell_new_address(actor, application, candidate, name, email, theirs) -> int:
    """After a change of address (inside the caller's transaction): the old address's
    notice, then a new link to the new address for each live page; how many links."""
    candidate.name = name  # greeted by the corrected name, at either address
    if candidate.email == email:
        return 0
    live = {a.id for a in linked(candidate)}
    application.candidate = candidate
    mail.queue(
        application,
        "address_changed",
        new_address=masked(email),
        linked=len(live),
        several=len(theirs) > 1,
    )
    candidate.email = email
    sent = 0
    for each in theirs:
        if each.id in live:
            each.candidate = candidate
            reissue_link(actor, each)
            send_link(actor, each)
            sent += 1
    return sent
