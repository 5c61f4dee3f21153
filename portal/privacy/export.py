"""Everything held about one person, as JSON: the answer to a subject access request.

Staff read it before sending it on: it holds internal notes and interview feedback,
which the person has a right to see in most jurisdictions, and staff names. It never
holds a link's token (the key to a page) or a password.
"""

from datetime import date
from datetime import datetime

from peewee import JOIN

from portal import domain
from portal.candidates.redact import redact
from portal.clock import now
from portal.privacy.actions import audit
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import ClosureReason
from portal.store.models import ErasureRequest
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Interview
from portal.store.models import Link
from portal.store.models import Mail
from portal.store.models import Rating
from portal.store.models import Stage
from portal.store.models import User

FORMAT = "candidate-portal/personal-data/1"


def export_candidate(actor: User | None, candidate: Candidate) -> dict:
    """The document of everything about ``candidate``, and its audit entry."""
    domain.require_staff(actor)
    with database.atomic():
        applications = [_application(a) for a in candidate.applications.order_by(Application.id)]
        document = {
            "format": FORMAT,
            "exported": _time(now()),
            "candidate": {
                "name": candidate.name,
                "email": candidate.email,
                "created": _time(candidate.created),
            },
            "erasure_requests": [
                {"requested": _time(r.requested), "due": _time(r.due)}
                for r in ErasureRequest.select().where(ErasureRequest.candidate == candidate.id)
            ],
            "applications": applications,
        }
        audit(
            actor,
            "export",
            f"candidate {candidate.id}",
            applications=[a["ref"] for a in applications],
        )
    return document


def _application(application: Application) -> dict:
    stages = {s.id: s for s in Stage.select().where(Stage.job == application.job_id)}
    return {
        "ref": application.ref,
        "job": {"ref": application.job.ref, "title": application.job.title},
        "stage": _stage(stages.get(application.stage_id)),
        "status": application.status,
        "reply_by": _time(application.reply_by),
        "next_steps": application.next_steps,
        "closure_note": application.closure_note,
        "closure_reason": _reason(application.closure_reason),
        "internal_reason": application.closed_reason,
        "closed": _time(application.closed),
        "created": _time(application.created),
        "updated": _time(application.updated),
        "timezone": application.timezone,
        "interviews": [
            _interview(i, stages)
            for i in Interview.select()
            .where(Interview.application == application)
            .order_by(Interview.starts, Interview.id)
        ],
        "events": [_event(e, stages) for e in _events(application)],
        "feedback": [_feedback(f, stages) for f in _feedback_of(application)],
        "links": [
            {
                "issued": _time(link.issued),
                "expires": _time(link.expires),
                "revoked": _time(link.revoked),
                "last_viewed": _time(link.last_viewed),
            }
            for link in Link.select().where(Link.application == application).order_by(Link.issued)
        ],
        "email": [
            {
                "created": _time(m.created),
                "sent": _time(m.sent),
                "to": m.to,
                "subject": m.subject,
                # The link in it is the key to the page: an export is not a way in.
                "text": redact(m.text),
            }
            for m in Mail.select().where(Mail.application == application).order_by(Mail.id)
        ],
    }


def _events(application):
    return (
        Event.select(Event, User)
        .join(User, JOIN.LEFT_OUTER, on=Event.actor == User.id)
        .where(Event.application == application)
        .order_by(Event.created, Event.id)
    )


def _feedback_of(application):
    return (
        Feedback.select(Feedback, User)
        .join(User)
        .where(Feedback.application == application)
        .order_by(Feedback.created, Feedback.id)
    )


def _event(event: Event, stages: dict) -> dict:
    by = event.actor.name if event.actor_id else "the candidate or the system"
    return {
        "created": _time(event.created),
        "kind": event.kind,
        "shown_to_candidate": event.visible,
        "by": by,
        "message": event.message,
        "next_steps": event.next_steps,
        "reply_by": _time(event.reply_by),
        "from_stage": _stage(stages.get(event.from_stage_id)),
        "to_stage": _stage(stages.get(event.to_stage_id)),
    }


def _interview(interview: Interview, stages: dict) -> dict:
    """An interview as the person was told it, with when it was changed and called off."""
    return {
        "stage": _stage(stages.get(interview.stage_id)),
        "starts": _time(interview.starts),
        "ends": _time(interview.ends),
        "timezone": interview.timezone,
        "format": interview.format,
        "place": interview.place,
        "meeting": interview.meeting,
        "prepare": interview.prepare,
        "changes_sent": interview.sequence,
        "cancelled": _time(interview.cancelled),
        "created": _time(interview.created),
    }


def _feedback(feedback: Feedback, stages: dict) -> dict:
    return {
        "created": _time(feedback.created),
        "author": feedback.author.name,
        "stage": _stage(stages.get(feedback.stage_id)),
        "rating": feedback.rating,
        "recommendation": feedback.recommendation,
        "strengths": feedback.strengths,
        "concerns": feedback.concerns,
        "edited": _time(feedback.edited),
        "ratings": [
            {"name": r.name, "score": r.score, "note": r.note}
            for r in feedback.ratings.order_by(Rating.id)
        ],
    }


def _reason(reason: ClosureReason | None) -> dict | None:
    """Why it closed, from the company's list: its label, and whether they were told."""
    if reason is None:
        return None
    return {"code": reason.code, "label": reason.label, "told_to_candidate": reason.tellable}


def _stage(stage: Stage | None) -> dict | None:
    if stage is None:
        return None
    return {"name": stage.name, "shown_to_candidate_as": stage.candidate_label}


def _time(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return value.isoformat()
