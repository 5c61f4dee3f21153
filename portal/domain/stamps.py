"""A job's version as its forms carry it, and the one conditional bump that refuses a
save made over someone else's change (portal.domain.jobs, portal.domain.kits)."""

from datetime import datetime
from datetime import timedelta
from datetime import UTC

from portal.clock import now
from portal.errors import Conflict
from portal.store.models import Job

#: The audit entry of a change to a job: its details, its recruiter or managers, its
#: pipeline, its interview kit.
JOB_CHANGED = "job_changed"


def job_stamp(job: Job) -> str:
    """The job's version as a form carries it: its exact ``updated`` time."""
    return job.updated.isoformat()


def touch(job: Job, seen) -> None:
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
            f"Job {job.ref} was changed by someone else meanwhile (its details, its "
            "pipeline or its interview kit); here is its current state: check it and save "
            "again."
        )
    job.updated = moment


def _seen(value) -> datetime | None:
    """A stamp as a form sent it, as stamps are stored (naive UTC); None when it cannot be
    a job's stamp (then it matches nothing, a ``Conflict``).

    A stamp with a time zone is the instant it names: the job's own instant written in
    another zone is its stamp. Beyond the calendar once in UTC, or the last microsecond
    there is (no later stamp to move to), it cannot be one.
    """
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            return None
    return None if value == datetime.max else value
