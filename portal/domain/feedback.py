"""Managers' scorecards: internal only."""

import peewee

from portal.clock import now
from portal.domain.applications import record
from portal.domain.base import clean_text
from portal.domain.base import STAFF
from portal.domain.kits import kit_for
from portal.domain.kits import SCORES
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Feedback
from portal.store.models import Rating
from portal.store.models import RECOMMENDATIONS
from portal.store.models import ScheduledClosure
from portal.store.models import Stage
from portal.store.models import User

#: The longest note on one criterion.
NOTE_LIMIT = 2000
#: A scorecard's own parts, and how an edit's history entry names each.
PARTS = {
    "rating": "the overall rating",
    "recommendation": "the recommendation",
    "strengths": "the strengths",
    "concerns": "the concerns",
}


def submit_feedback(
    actor: User,
    application,
    stage,
    rating,
    recommendation,
    strengths="",
    concerns="",
    ratings=None,
) -> Feedback:
    """A manager's scorecard for an application at a stage. Internal only.

    ``ratings`` maps the id of each criterion of the stage's kit (``kits.kit_for``) to
    (its score, 1 to 4 or None for not assessed; a note). Refused once the application
    is decided, as a correction is (``require_undecided``).
    """
    if not (actor.role in STAFF or application.job.managed_by(actor)):
        raise Forbidden(
            "Only the job's hiring managers, its recruiter or an admin can give feedback."
        )
    require_undecided(application)
    card = _checked(application, stage, rating, recommendation, strengths, concerns)
    scores = _ratings(application, stage, ratings)
    with database.atomic():
        try:
            with database.atomic():
                feedback = Feedback.create(application=application, author=actor, **card)
        except peewee.IntegrityError:
            raise Invalid(
                f"You already gave feedback at the {stage.name} stage: edit that scorecard instead."
            ) from None
        _rate(feedback, scores)
        record(application, actor, "feedback", to_stage=stage)
    return feedback


def edit_feedback(
    actor: User,
    feedback: Feedback,
    rating,
    recommendation,
    strengths="",
    concerns="",
    ratings=None,
) -> Feedback:
    """Its author corrects a scorecard while the application is undecided: every part is
    replaced (``ratings`` as for ``submit_feedback``), ``edited`` is set and an internal
    "feedback_edited" entry says which parts changed. ``created`` stays the first
    submission, so what others may see (``can_see_feedback``) never changes."""
    if feedback.author_id != actor.id:
        raise Forbidden("Only its author can change a scorecard.")
    application = Application.get_by_id(feedback.application_id)
    require_undecided(application)
    stage = Stage.get_by_id(feedback.stage_id)
    card = _checked(application, stage, rating, recommendation, strengths, concerns)
    scores = _ratings(application, stage, ratings)
    before = _parts(feedback.__data__, [r.__data__ for r in feedback.ratings])
    after = _parts(card, scores)
    parts = [part for part in {**before, **after} if before.get(part) != after.get(part)]
    if not parts:
        return feedback
    with database.atomic():
        Feedback.update(edited=now(), **card).where(Feedback.id == feedback.id).execute()
        Rating.delete().where(Rating.feedback == feedback.id).execute()
        _rate(feedback, scores)
        record(
            application,
            actor,
            "feedback_edited",
            to_stage=stage,
            message="Changed " + ", ".join(parts) + ".",
        )
    return Feedback.get_by_id(feedback.id)


def undecided(application: Application) -> bool:
    """Whether scorecards may still be given and corrected on ``application``: it is
    active and no closure of it is scheduled."""
    if not application.is_active:
        return False
    return not ScheduledClosure.select().where(ScheduledClosure.application == application).exists()


def require_undecided(application: Application) -> None:
    """Refuse a new scorecard, or a correction, on a decided application."""
    if not application.is_active:
        raise Invalid(
            f"This application is {application.status}: its scorecards stay as they were "
            "when it was decided, and no new one can be given."
        )
    if not undecided(application):
        raise Invalid(
            "A closure of this application is scheduled: its scorecards stay as they were "
            "when it was decided. The recruiter can cancel the closure if it must change."
        )


def _checked(application, stage, rating, recommendation, strengths, concerns) -> dict:
    """A scorecard's own fields, checked; ``stage`` must be one of the job's."""
    if stage is None or stage.job_id != application.job_id:
        raise Invalid("Choose a stage of this job's pipeline for the scorecard.")
    if recommendation not in RECOMMENDATIONS:
        raise Invalid(f"Recommendation must be one of {', '.join(RECOMMENDATIONS)}.")
    rating = _number(rating)
    if rating not in SCORES:
        raise Invalid("Rating must be between 1 and 4.")
    return {
        "stage": stage,
        "rating": rating,
        "recommendation": recommendation,
        "strengths": clean_text(strengths, "Strengths"),
        "concerns": clean_text(concerns, "Concerns"),
    }


def _ratings(application, stage, ratings) -> list[dict]:
    """``ratings`` checked against the kit scored at ``stage``, as Rating fields in the
    kit's order."""
    kit = {c.id: c for c in kit_for(application.job, stage)}
    rows = []
    for key, (score, note) in (ratings or {}).items():
        criterion = kit.get(_number(key))
        if criterion is None:
            raise Invalid(
                f"Criterion {key} is not in the kit scored at the {stage.name} stage "
                "(it may have just changed): reload the page and score it again."
            )
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int) or score not in SCORES
        ):
            raise Invalid(f"{criterion.name}: the score must be between 1 and 4, or none.")
        note = clean_text(note, f"{criterion.name}: note", limit=NOTE_LIMIT)
        rows.append({"criterion": criterion, "name": criterion.name, "score": score, "note": note})
    return sorted(rows, key=lambda row: row["criterion"].position)


def _rate(feedback: Feedback, scores: list[dict]) -> None:
    """Write ``scores`` as the ratings of ``feedback`` (inside the caller's transaction)."""
    for row in scores:
        Rating.create(feedback=feedback, **row)


def _parts(card: dict, ratings: list[dict]) -> dict:
    """What an edit compares, by the name its history entry gives each part (criteria by
    their names: never what was written)."""
    parts = {label: card[name] for name, label in PARTS.items()}
    parts.update({r["name"]: (r["score"], r["note"]) for r in ratings})
    return parts


def _number(value) -> int | None:
    """A whole number as given or as a form sent it; None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def sees_every_scorecard(user: User, application: Application) -> bool:
    """Admins and the job's recruiter read every scorecard on the application."""
    return user.is_admin or application.job.recruiter_id == user.id


def can_see_feedback(user: User, application: Application, stage) -> bool:
    """Whether ``user`` may read colleagues' scorecards on ``application`` at ``stage``:
    admins and the job's recruiter always; anyone else once their own for that stage is
    in (a scorecard at one stage opens no other stage's)."""
    if sees_every_scorecard(user, application):
        return True
    return application.feedback.where(
        (Feedback.author == user) & (Feedback.stage == stage)
    ).exists()


def visible_feedback(user: User, application: Application, cards) -> list[Feedback]:
    """Of ``cards`` (scorecards on ``application``), those ``user`` may read, as
    ``can_see_feedback`` decides per stage: their own, and colleagues' at each stage
    where theirs is in (every one, for admins and the job's recruiter)."""
    if sees_every_scorecard(user, application):
        return list(cards)
    given = {card.stage_id for card in cards if card.author_id == user.id}
    return [card for card in cards if card.stage_id in given]


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
