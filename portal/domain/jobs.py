"""Jobs and their pipelines."""

import secrets
from typing import NamedTuple

import peewee
from peewee import fn

from portal.clock import now
from portal.domain.base import clean_text
from portal.domain.base import require_staff
from portal.domain.base import STAFF
from portal.domain.kits import first_kit
from portal.domain.stamps import JOB_CHANGED
from portal.domain.stamps import touch
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import Stage
from portal.store.models import User


class StageSpec(NamedTuple):
    """A stage as a pipeline template gives it: the default pipeline, the demo's jobs."""

    name: str
    candidate_label: str
    description: str
    follow_up_days: int
    interview: bool
    #: What a candidate arriving here is told to do next ({first_name} etc. filled in).
    next_steps: str = ""


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


def may_change_recruiter(actor) -> bool:
    """Whether ``actor`` may name another recruiter for a job: an admin, or the system
    (None: the import, the CLI). The job's recruiter reads every scorecard on it."""
    return actor is None or actor.is_admin


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
    kit=None,
) -> Job:
    """Create a job (with the default pipeline unless ``stages`` is given, and the default
    interview kit unless ``kit`` is: ``portal.domain.kits.first_kit``) or edit one.

    An edit with ``seen`` (the job's ``job_stamp`` when the user loaded it) is refused with
    ``Conflict`` if the job or its pipeline changed since; without it, it always applies.
    Only an admin or the system changes a job's recruiter (``Forbidden`` otherwise). An
    edit that changes anything writes one audit entry saying what (``JOB_CHANGED``).

    ``is_open=False`` closes the job to new candidates (``add_application`` refuses them),
    nothing more: its active applications stay in the pipeline and can still be moved
    and closed, because those candidates are still owed word.
    """
    require_staff(actor)
    if recruiter.role not in STAFF:
        raise Invalid(
            f"{recruiter.email} is a {recruiter.role}; "
            "a job's recruiter must be a recruiter or an admin."
        )
    managers = list(dict.fromkeys(managers))  # one each, however often named
    with database.atomic():
        if job is None:
            ref = clean_text(ref, "Reference", False, 60)
            job = Job(ref=ref or "J-" + secrets.token_hex(3).upper())
            before = None
        else:
            touch(job, seen)  # holds the job's row: what is read next stays as it is
            before = _facts(job)
            if recruiter.id != before["recruiter"].id and not may_change_recruiter(actor):
                raise Forbidden(
                    "Only an admin can change the recruiter of a job: "
                    f"{before['recruiter'].name} stays the recruiter of {job.ref}."
                )
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
        pipeline = {}
        if stages is not None or not _live(job).exists():
            touch(job, None)
            _, pipeline = _replace_stages(job, default_stages() if stages is None else stages)
        if before is None:
            first_kit(job, kit)
        else:
            after = {**_fields(job), "recruiter": recruiter, "managers": _people(managers)}
            _audit_change(actor, job, before, after, pipeline)
    return job


def set_stages(actor, job: Job, stages: list[dict], seen=None) -> list[Stage]:
    """Replace a job's pipeline by ``stages`` in order; rows with an ``id`` are edited.

    A stage left out is taken out of the pipeline: deleted when nothing refers to it,
    else marked ``removed`` (closed applications, history or feedback still name it),
    and refused while active applications sit there (``_take_out``).

    With ``seen`` (the job's ``job_stamp`` when the user loaded the pipeline) it is refused
    with ``Conflict`` if the job or its pipeline changed since. A change writes one audit
    entry (``JOB_CHANGED``) naming the stages before and after.
    """
    require_staff(actor)
    with database.atomic():
        touch(job, seen)
        kept, pipeline = _replace_stages(job, stages)
        _audit_change(actor, job, {}, {}, pipeline)
    return kept


def _replace_stages(job: Job, stages: list[dict]) -> tuple[list[Stage], dict]:
    """Write the pipeline ``stages`` (inside the caller's transaction, the job touched).
    The stages in order, and what changed as the audit entry says it: the names before
    and after when those changed, and the stages otherwise edited."""
    if not stages:
        raise Invalid("A pipeline needs at least one stage.")
    existing = {s.id: s for s in _live(job)}
    before = {s.id: _stage_facts(s) for s in existing.values()}
    names = [s.name for s in existing.values()]
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
        stage.next_steps = clean_text(row.get("next_steps"), "Next steps", limit=2000)
        stage.follow_up_days = _days(row.get("follow_up_days", 3), stage.name)
        stage.interview = bool(row.get("interview", False))
        stage.save()
        kept.append(stage)
    hidden = [stage.name for stage in existing.values() if _take_out(stage)]
    _after_the_pipeline(job, len(kept))
    change = {}
    if [s.name for s in kept] != names:
        change.update({"from": names, "to": [s.name for s in kept]})
    edited = [s.name for s in kept if s.id in before and before[s.id] != _stage_facts(s)]
    if edited:
        change["edited"] = edited
    if hidden:
        change["kept"] = hidden
    return kept, change


def _live(job: Job):
    """The stages of the job's pipeline, in order: every one not removed."""
    return job.stages.where(Stage.removed.is_null()).order_by(Stage.position, Stage.id)


def _take_out(stage: Stage) -> bool:
    """Take ``stage`` out of its pipeline (inside the caller's transaction); whether it is
    kept, marked removed, rather than deleted.

    Refused while active applications sit there: nobody may be left at a step that no
    longer exists. Closed applications may stay, as may the history and feedback that
    name the stage: then it is kept with its label, out of every pipeline and choice.
    """
    counts = dict(
        Application.select(Application.status, fn.COUNT(Application.id))
        .where(Application.stage == stage.id)
        .group_by(Application.status)
        .tuples()
    )
    active = counts.pop("active", 0)
    closed = sum(counts.values())
    if active:
        them = "it" if active == 1 else "them"
        also = f" Its {closed} closed can stay where they are." if closed else ""
        raise Invalid(
            f"Stage {stage.name!r} still has applications: {active} active. Move {them} to "
            f"a stage you keep first (from the {stage.name} column of the job's board), "
            f"then remove it.{also}"
        )
    named = (
        closed
        or Event.select()
        .where((Event.from_stage == stage.id) | (Event.to_stage == stage.id))
        .exists()
        or Feedback.select().where(Feedback.stage == stage.id).exists()
    )
    if not named:
        stage.delete_instance()
        return False
    stage.removed = now()
    stage.save()
    return True


def _after_the_pipeline(job: Job, length: int) -> None:
    """Number the removed stages after the pipeline's ``length`` stages, so that every
    reading in position order (the first stage of a new application, a pipeline's
    default) meets a live stage first."""
    removed = (
        Stage.select(Stage.id)
        .where((Stage.job == job.id) & Stage.removed.is_null(False))
        .order_by(Stage.position, Stage.id)
    )
    for offset, stage in enumerate(removed):
        Stage.update(position=length + offset).where(Stage.id == stage.id).execute()


def _stage_facts(stage: Stage) -> tuple:
    """What a stage says, but its name and position: an edit of these is "edited"."""
    return (
        stage.candidate_label,
        stage.description,
        stage.next_steps,
        int(stage.follow_up_days),
        bool(stage.interview),
    )


# --- the audit entry of a change ----------------------------------------------------------

#: A job's fields as its audit entries name them, in this order.
JOB_FIELDS = ("title", "team", "location", "recruiter", "managers", "open", "stale_days")


def _fields(job: Job) -> dict:
    return {
        "title": job.title,
        "team": job.team,
        "location": job.location,
        "open": bool(job.open),
        "stale_days": job.stale_days,
    }


def _people(users) -> list[User]:
    """Staff in a stable order, each once."""
    return sorted({u.id: u for u in users}.values(), key=lambda u: (u.name, u.id))


def _facts(job: Job) -> dict:
    """The job as saved now, read afresh (its row held by the caller's transaction)."""
    saved = Job.select(Job, User).join(User).where(Job.id == job.id).get()
    managers = User.select().join(JobManager).where(JobManager.job == job.id)
    return {**_fields(saved), "recruiter": saved.recruiter, "managers": _people(managers)}


def _audit_change(actor, job: Job, before: dict, after: dict, pipeline: dict) -> None:
    """One audit entry for what changed, if anything: fields by name, the recruiter and
    the managers by name, the pipeline by its stages' names. Nothing about candidates."""
    changed = [f for f in JOB_FIELDS if f in before and _key(before[f]) != _key(after[f])]
    detail = {}
    if "recruiter" in changed:
        detail["recruiter"] = {"from": before["recruiter"].name, "to": after["recruiter"].name}
    if "managers" in changed:
        detail["managers"] = {
            "from": [u.name for u in before["managers"]],
            "to": [u.name for u in after["managers"]],
        }
    if pipeline:
        changed.append("pipeline")
        detail["pipeline"] = pipeline
    if changed:
        audit(actor, JOB_CHANGED, f"job {job.ref}", changed=changed, **detail)


def _key(value):
    """What a field's value is compared by: staff by id."""
    if isinstance(value, User):
        return value.id
    if isinstance(value, list):
        return [_key(v) for v in value]
    return value


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
