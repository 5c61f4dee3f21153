"""Candidate links, email, and the candidate's own actions."""

from portal.candidates import links
from portal.clock import now
from portal.domain.applications import change
from portal.domain.applications import closure_note_default
from portal.domain.applications import record
from portal.domain.applications import require_active
from portal.domain.base import clean_text
from portal.domain.base import normalise_email
from portal.domain.base import require_staff
from portal.errors import Invalid
from portal.mail import queue as mail
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


def withdraw_by_candidate(application, version, reason: str = "") -> Event:
    """The candidate withdraws on their page; their reason is for the hiring team only."""
    require_active(application)
    reason = clean_text(reason, "Reason", limit=2000)
    with database.atomic():
        note = closure_note_default(application, "withdrawn")
        change(
            application,
            version,
            status="withdrawn",
            closure_note=note,
            closed_reason="Withdrawn by the candidate" + (f": {reason}" if reason else "."),
            closed=now(),
            reply_by=None,
        )
        record(application, None, "candidate_withdrew", message=reason)
        return record(application, None, "closed", visible=True, message=note)


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
