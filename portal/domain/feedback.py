"""Managers' scorecards: internal only."""

import peewee

from portal.domain.applications import record
from portal.domain.base import clean_text
from portal.domain.base import STAFF
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Feedback
from portal.store.models import RECOMMENDATIONS
from portal.store.models import User


def submit_feedback(
    actor: User, application, stage, rating, recommendation, strengths="", concerns=""
) -> Feedback:
    """A manager's scorecard for an application at a stage. Internal only."""
    if not (actor.role in STAFF or application.job.managed_by(actor)):
        raise Forbidden(
            "Only the job's hiring managers, its recruiter or an admin can give feedback."
        )
    if recommendation not in RECOMMENDATIONS:
        raise Invalid(f"Recommendation must be one of {', '.join(RECOMMENDATIONS)}.")
    if int(rating) not in range(1, 5):
        raise Invalid("Rating must be between 1 and 4.")
    with database.atomic():
        try:
            with database.atomic():
                feedback = Feedback.create(
                    application=application,
                    author=actor,
                    stage=stage,
                    rating=int(rating),
                    recommendation=recommendation,
                    strengths=clean_text(strengths, "Strengths"),
                    concerns=clean_text(concerns, "Concerns"),
                )
        except peewee.IntegrityError:
            raise Invalid(f"You already gave feedback at the {stage.name} stage.") from None
        record(application, actor, "feedback", to_stage=stage)
    return feedback


def can_see_all_feedback(user: User, application: Application) -> bool:
    """Admins and the recruiter see all; others only once they have given their own."""
    if user.is_admin or application.job.recruiter_id == user.id:
        return True
    return application.feedback.where(Feedback.author == user).exists()


def share_feedback(actor: User, feedback: Feedback, strengths: bool, concerns: bool) -> Feedback:
    """Let the recruiter quote parts of ``feedback`` to the candidate (author or admin only)."""
    if not (actor.is_admin or feedback.author_id == actor.id):
        raise Forbidden("Only the author of this feedback (or an admin) can share parts of it.")
    with database.atomic():
        Feedback.update(share_strengths=bool(strengths), share_concerns=bool(concerns)).where(
            Feedback.id == feedback.id
        ).execute()
        shared = [part for part, on in (("strengths", strengths), ("concerns", concerns)) if on]
        record(
            feedback.application, actor, "feedback_shared", message=", ".join(shared) or "nothing"
        )
    feedback.share_strengths, feedback.share_concerns = bool(strengths), bool(concerns)
    return feedback
