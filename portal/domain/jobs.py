"""Jobs and their pipelines."""

import secrets
from datetime import datetime
from datetime import timedelta
from typing import NamedTuple

import peewee

from portal.clock import now
from portal.domain.base import clean_text
from portal.domain.base import require_staff
from portal.domain.base import STAFF
from portal.errors import Conflict
from portal.errors import Invalid
from portal.store.db import database
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import Stage


class StageSpec(NamedTuple):
    """A stage as a pipeline template gives it: the default pipeline, the demo's jobs."""

    name: str
    candidate_label: str
    description: str
    follow_up_days: int
    interview: bool


#: The pipeline a new job starts from.
DEFAULT_PIPELINE = tuple(
    StageSpec(*stage)
    for stage in (
        (
            "Applied",
            "Application received",
            "We read every application ourselves. If your experience fits the role, we will "
            "invite you to a short call.",
            5,
            False,
        ),
        (
            "Screen",
            "Introductory call",
            "A 30-minute video call with your recruiter about the role, the team and what you "
            "are looking for. No preparation needed.",
            3,
            False,
        ),
        (
            "Interviews",
            "Interviews",
            "Two or three conversations with the people you would work with, each about an "
            "hour. Your recruiter will send the schedule and the names beforehand.",
            3,
            True,
        ),
        (
            "Decision",
            "Decision",
            "The interviewers compare notes and we make a decision. This usually takes a few "
            "days; we will tell you either way.",
            3,
            False,
        ),
        (
            "Offer",
            "Offer",
            "We talk through the offer with you and answer your questions.",
            5,
            False,
        ),
    )
)


def default_stages() -> list[dict]:
    """The pipeline a new job starts from."""
    return [stage._asdict() for stage in DEFAULT_PIPELINE]


def save_job(
    actor,
    *,
    job=None,
    ref=None,
    title,
    recruiter,
    managers=(),
    team="",
    location="",
    is_open=True,
    stale_days=None,
    stages=None,
    seen=None,
) -> Job:
    """Create a job (with the default pipeline unless ``stages`` is given) or edit one.

    An edit with ``seen`` (the job's ``job_stamp`` when the user loaded it) is refused with
    ``Conflict`` if the job or its pipeline changed since; without it, it always applies.
    """
    require_staff(actor)
    if recruiter.role not in STAFF:
        raise Invalid(
            f"{recruiter.email} is a {recruiter.role}; "
            "a job's recruiter must be a recruiter or an admin."
        )
    with database.atomic():
        if job is None:
            ref = clean_text(ref, "Reference", False, 60)
            job = Job(ref=ref or "J-" + secrets.token_hex(3).upper())
        else:
            _touch(job, seen)
        job.title = clean_text(title, "Title", True, 200)
        job.team = clean_text(team, "Team", limit=200)
        job.location = clean_text(location, "Location", limit=200)
        job.recruiter, job.open, job.stale_days = recruiter, is_open, _stale(stale_days, job)
        try:
            with database.atomic():
                job.save()
        except peewee.IntegrityError:
            raise Invalid(f"A job with the reference {job.ref} already exists.") from None
        JobManager.delete().where(JobManager.job == job).execute()
        for manager in managers:
            JobManager.create(job=job, user=manager)
        if stages is not None or not job.stages.exists():
            set_stages(actor, job, default_stages() if stages is None else stages)
    return job


def set_stages(actor, job: Job, stages: list[dict], seen=None) -> list[Stage]:
    """Replace a job's pipeline by ``stages`` in order; rows with an ``id`` are edited.

    With ``seen`` (the job's ``job_stamp`` when the user loaded the pipeline) it is refused
    with ``Conflict`` if the job or its pipeline changed since.
    """
    require_staff(actor)
    if not stages:
        raise Invalid("A pipeline needs at least one stage.")
    with database.atomic():
        _touch(job, seen)
        existing = {s.id: s for s in job.stages}
        kept = []
        for position, row in enumerate(stages):
            stage = existing.pop(_id(row["id"]), None) if row.get("id") else Stage(job=job)
            if stage is None:
                raise Invalid(f"Stage {row['id']} is not part of job {job.ref}.")
            stage.position = position
            stage.name = clean_text(row.get("name"), f"Stage {position + 1}: name", True, 100)
            stage.candidate_label = clean_text(
                row.get("candidate_label") or stage.name, f"Stage {position + 1}: label", True, 100
            )
            stage.description = clean_text(row.get("description"), "What to expect", limit=2000)
            stage.follow_up_days = _days(row.get("follow_up_days", 3), stage.name)
            stage.interview = bool(row.get("interview", False))
            stage.save()
            kept.append(stage)
        for stage in existing.values():
            if stage.applications.exists():
                raise Invalid(f"Stage {stage.name!r} still has applications; move them first.")
            stage.delete_instance()
    return kept


def job_stamp(job: Job) -> str:
    """The job's version as a form carries it: its exact ``updated`` time."""
    return job.updated.isoformat()


def _touch(job: Job, seen) -> None:
    """Bump the job's ``updated``; with ``seen``, only if that is still its stamp.

    One conditional UPDATE decides, so of two saves from the same page only one wins
    (PostgreSQL re-checks the WHERE once the winner commits), and it holds the job's row
    for the rest of the caller's transaction.
    """
    moment, where = now(), Job.id == job.id
    if seen is not None:
        seen = _seen(seen)
        if seen is not None:
            # strictly later than the stamp it replaces, so the stale page never matches again
            moment = max(moment, seen + timedelta(microseconds=1))
        where &= Job.updated == seen  # IS NULL for an unreadable stamp: matches nothing
    if Job.update(updated=moment).where(where).execute() != 1:
        raise Conflict(
            f"Job {job.ref} was changed by someone else meanwhile (its details or its "
            "pipeline); here is its current state: check it and save again."
        )
    job.updated = moment


def _seen(value) -> datetime | None:
    """A stamp as a form sent it; None when it is not one (then it matches nothing)."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _id(value) -> int | None:
    """A row id as a form sent it; None when it is not one (then no row matches)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stale(value, job: Job) -> int | None:
    """Business days overdue before closing is proposed: 1 to 365, or None for the default."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        raise Invalid(
            f"Job {job.ref}: stale days must be a whole number between 1 and 365 "
            "(or empty for the default)."
        )
    return value


def _days(value, label: str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{label}: follow-up days must be a whole number.") from None
    if not 0 <= days <= 60:
        raise Invalid(f"{label}: follow-up days must be between 0 and 60.")
    return days
