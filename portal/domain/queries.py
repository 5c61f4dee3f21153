"""Read-only queries: the staff lists, the board, and the application page.

Every function issues a fixed number of statements whatever the size of the page
(joins instead of per-row lookups), so the lists stay fast at 100,000 applications.
``manager`` restricts a query to the jobs that manager is on; None means no restriction
(the caller decides who is restricted: see admin.access).
"""

import json
import math
from dataclasses import dataclass
from datetime import datetime

from peewee import fn
from peewee import JOIN
from peewee import NodeList
from peewee import PostgresqlDatabase
from peewee import SQL
from peewee import Value

from portal.domain.jobs import JOB_CHANGED
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Candidate
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import Stage
from portal.store.models import STATUSES
from portal.store.models import User


@dataclass
class Page:
    """One page of a longer list."""

    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.size)


Recruiter = User.alias("recruiter")
FromStage = Stage.alias("from_stage")
ToStage = Stage.alias("to_stage")


def _managed_jobs(manager: User):
    return JobManager.select(JobManager.job).where(JobManager.user == manager)


def restrict(query, manager: User | None):
    """``query`` of applications limited to the jobs ``manager`` is on (None: no limit)."""
    return query if manager is None else query.where(Application.job.in_(_managed_jobs(manager)))


def jobs(manager: User | None = None, include_closed: bool = True):
    """Jobs with their recruiter: open ones first, then by title."""
    query = (
        Job.select(Job, User)
        .join(User, on=(Job.recruiter == User.id))
        .order_by(Job.open.desc(), Job.title, Job.id)
    )
    if manager is not None:
        query = query.where(Job.id.in_(_managed_jobs(manager)))
    if not include_closed:
        query = query.where(Job.open == True)  # noqa: E712  (peewee needs ==)
    return query


def job_choices(manager: User | None = None, open_first: bool = True):
    """Every job's reference and title, for a filter's drop-down: open jobs first, or
    (``open_first=False``) all of them by title alone."""
    order = (Job.open.desc(), Job.title, Job.id) if open_first else (Job.title, Job.id)
    query = Job.select(Job.id, Job.ref, Job.title).order_by(*order)
    if manager is not None:
        query = query.where(Job.id.in_(_managed_jobs(manager)))
    return list(query)


def status_counts(job_ids: list[int]) -> dict[int, dict[str, int]]:
    """Applications per status for each job, in one grouped query."""
    counts = {job_id: dict.fromkeys(STATUSES, 0) for job_id in job_ids}
    if not job_ids:
        return counts
    rows = (
        Application.select(Application.job, Application.status, fn.COUNT(Application.id))
        .where(Application.job.in_(job_ids))
        .group_by(Application.job, Application.status)
        .tuples()
    )
    for job_id, status, count in rows:
        counts[job_id][status] = count
    return counts


def job(ref: str, manager: User | None = None) -> Job | None:
    """One job by reference with its recruiter, or None when absent or not visible."""
    query = Job.select(Job, User).join(User, on=(Job.recruiter == User.id)).where(Job.ref == ref)
    if manager is not None:
        query = query.where(Job.id.in_(_managed_jobs(manager)))
    return query.first()


def stages(job: Job) -> list[Stage]:
    """A job's pipeline in order: its live stages, never one removed (kept for history)."""
    return list(
        Stage.select()
        .where((Stage.job == job) & Stage.removed.is_null())
        .order_by(Stage.position, Stage.id)
    )


def removed_stages(job: Job) -> list[Stage]:
    """A job's stages taken out of its pipeline but kept for history, latest first."""
    return list(
        Stage.select()
        .where((Stage.job == job) & Stage.removed.is_null(False))
        .order_by(Stage.removed.desc(), Stage.id)
    )


@dataclass(frozen=True)
class StageCount:
    """A stage's applications: those in the pipeline, and those closed there."""

    active: int = 0
    closed: int = 0

    def __bool__(self) -> bool:
        return bool(self.active or self.closed)


def stage_counts(job: Job) -> dict[int, StageCount]:
    """Applications per stage of a job (any stage, removed ones too), active and closed."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Application.select(Application.stage, Application.status, fn.COUNT(Application.id))
        .where(Application.job == job)
        .group_by(Application.stage, Application.status)
        .tuples()
    )
    for stage_id, status, count in rows:
        kind = "active" if status == "active" else "closed"
        totals = counts.setdefault(stage_id, {"active": 0, "closed": 0})
        totals[kind] += count
    return {stage_id: StageCount(**totals) for stage_id, totals in counts.items()}


def job_managers(job: Job) -> list[User]:
    """The hiring managers on a job."""
    return list(
        User.select()
        .join(JobManager, on=(JobManager.user == User.id))
        .where(JobManager.job == job)
        .order_by(User.name)
    )


@dataclass
class Column:
    """One stage of the board: its active applications and the freshest of them."""

    stage: Stage
    count: int
    cards: list


def board(job: Job, pipeline: list[Stage], per_stage: int = 8):
    """The columns of a job's board, and its closed applications per status.

    Two statements: one grouped count, and one ranked select that keeps the
    ``per_stage`` most recently updated active applications of every stage.
    """
    counts = {}
    closed = dict.fromkeys(STATUSES[1:], 0)
    rows = (
        Application.select(Application.stage, Application.status, fn.COUNT(Application.id))
        .where(Application.job == job)
        .group_by(Application.stage, Application.status)
        .tuples()
    )
    for stage_id, status, count in rows:
        if status == "active":
            counts[stage_id] = count
        else:
            closed[status] += count
    rank = fn.ROW_NUMBER().over(
        partition_by=[Application.stage],
        order_by=[Application.updated.desc(), Application.id.desc()],
    )
    ranked = (
        Application.select(Application.id, rank.alias("rank"))
        .where((Application.job == job) & (Application.status == "active"))
        .alias("ranked")
    )
    cards = (
        Application.select(
            Application.id,
            Application.ref,
            Application.stage,
            Application.reply_by,
            Application.updated,
            Application.candidate,
            Candidate.id,
            Candidate.name,
        )
        .join(ranked, on=(Application.id == ranked.c.id))
        .switch(Application)
        .join(Candidate)
        # The job again, redundant but for PostgreSQL's planner, which otherwise
        # scans every application to join the few ranked ones.
        .where((ranked.c.rank <= per_stage) & (Application.job == job))
        .order_by(Application.updated.desc(), Application.id.desc())
    )
    by_stage: dict[int, list] = {}
    for application in cards:
        by_stage.setdefault(application.stage_id, []).append(application)
    columns = [Column(s, counts.get(s.id, 0), by_stage.get(s.id, [])) for s in pipeline]
    return columns, closed


def _listing():
    """Applications with just the columns the lists show: a list row costs a fraction
    of a full one to build (peewee's row building, not the database, is the cost)."""
    return (
        Application.select(
            Application.id,
            Application.ref,
            Application.status,
            Application.reply_by,
            Application.last_word,
            Application.updated,
            Application.job,
            Application.stage,
            Application.candidate,
            Candidate.id,
            Candidate.name,
            Candidate.email,
            Job.id,
            Job.ref,
            Job.title,
            Stage.id,
            Stage.name,
        )
        .join(Candidate)
        .switch(Application)
        .join(Job)
        .switch(Application)
        .join(Stage)
    )


def _like(lhs, text: str):
    """``lhs LIKE '%text%'``, wildcards in ``text`` taken literally.

    A literal LIKE: peewee would turn OP.LIKE into GLOB on SQLite.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = (Value(f"%{escaped}%", converter=False), SQL("ESCAPE"), Value("\\", converter=False))
    return NodeList((lhs, SQL("LIKE"), *pattern))


def _name_contains(text: str):
    """The candidate's name contains ``text``, ignoring case, by the fastest means.

    SQLite's LIKE ignores ASCII case by itself; on PostgreSQL lower() with LIKE scans
    about 2.5 times faster than ILIKE (measured on 100,000 candidates).
    """
    if isinstance(database.obj, PostgresqlDatabase):
        return _like(fn.LOWER(Candidate.name), text.lower())
    return _like(Candidate.name, text)


def _matching(text: str, by_email: bool = True):
    """A reference equal to ``text``, or a candidate whose name (or email, ``by_email``)
    contains it.

    The candidates are found first (one scan of the small candidate table), then their
    applications through the candidate index: never a join per application row.
    """
    found = _name_contains(text)
    if by_email:
        found = found | _like(Candidate.email, text.lower())  # emails are stored lower-case
    people = Candidate.select(Candidate.id).where(found)
    return (
        (Application.ref == text)
        | (Application.ref == text.upper())
        | Application.candidate.in_(people)
    )


def _page_of(query, number: int, size: int):
    """The applications of one page, joined with what the list shows.

    The page's ids are picked from the narrow application index first, so a deep page
    skips index entries rather than joined rows.
    """
    newest = (Application.updated.desc(), Application.id.desc())
    ids = query.select(Application.id).order_by(*newest).paginate(number, size)
    return list(_listing().where(Application.id.in_(ids)).order_by(*newest))


def applications(
    manager: User | None = None,
    *,
    text: str = "",
    job: Job | None = None,
    stage_id: int | None = None,
    status: str = "",
    number: int = 1,
    size: int = 50,
) -> Page:
    """A page of applications, most recently updated first, and how many match; a
    ``manager``'s search never goes by email address, which they do not see."""
    query = restrict(Application.select(), manager)
    if text:
        query = query.where(_matching(text, by_email=manager is None))
    if job is not None:
        query = query.where(Application.job == job)
    if stage_id is not None:
        query = query.where(Application.stage == stage_id)
    if status:
        query = query.where(Application.status == status)
    total = query.select(fn.COUNT(Application.id)).scalar()
    number = max(1, min(number, math.ceil(total / size) or 1))
    return Page(_page_of(query, number, size), total, number, size)


def staff(roles: tuple[str, ...]) -> list[User]:
    """Active users with one of ``roles``, by name."""
    return list(User.select().where(User.role.in_(roles) & User.active).order_by(User.name))


def users() -> list[User]:
    """Every member of staff, active first, by name."""
    return list(User.select().order_by(User.active.desc(), User.name))


# --- one application, whole: the application page --------------------------------


def rows():
    """Applications with their candidate, job, recruiter and stage, whole."""
    return joined(Application.select(Application, Candidate, Job, Stage, Recruiter))


def joined(query):
    """``query`` over applications joined to their candidate, job, recruiter and stage."""
    return (
        query.join(Candidate)
        .switch(Application)
        .join(Job)
        .join(Recruiter, on=(Job.recruiter == Recruiter.id))
        .switch(Application)
        .join(Stage)
    )


def application(ref: str, manager: User | None = None) -> Application | None:
    """One application with its candidate, job, stage and recruiter, if visible."""
    return restrict(rows().where(Application.ref == ref), manager).first()


def history(application: Application) -> list[Event]:
    """Every event of an application, newest first, with its actor and stages."""
    return list(
        Event.select(Event, User, FromStage, ToStage)
        .join(User, JOIN.LEFT_OUTER, on=(Event.actor == User.id))
        .switch(Event)
        .join(FromStage, JOIN.LEFT_OUTER, on=(Event.from_stage == FromStage.id))
        .switch(Event)
        .join(ToStage, JOIN.LEFT_OUTER, on=(Event.to_stage == ToStage.id))
        .where(Event.application == application)
        .order_by(Event.created.desc(), Event.id.desc())
    )


def feedback(application: Application) -> list[Feedback]:
    """Every scorecard on an application with its author and stage, by stage then time."""
    return list(
        Feedback.select(Feedback, User, Stage)
        .join(User, on=(Feedback.author == User.id))
        .switch(Feedback)
        .join(Stage, on=(Feedback.stage == Stage.id))
        .where(Feedback.application == application)
        .order_by(Stage.position, Feedback.created)
    )


@dataclass
class Change:
    """One audit entry read for a page: when, by whom (None: the system), and its detail."""

    created: datetime
    actor: str | None
    detail: dict


def _audit_entries(where, limit: int):
    return (
        AuditEntry.select(AuditEntry, User)
        .join(User, JOIN.LEFT_OUTER, on=(AuditEntry.actor == User.id))
        .where(where)
        .order_by(AuditEntry.created.desc(), AuditEntry.id.desc())
        .limit(limit)
    )


def job_history(job: Job, limit: int = 20) -> list[Change]:
    """The latest changes to a job, newest first (``portal.domain.jobs`` writes them)."""
    where = (AuditEntry.action == JOB_CHANGED) & (AuditEntry.subject == f"job {job.ref}")
    return [
        Change(e.created, e.actor.name if e.actor_id else None, json.loads(e.detail))
        for e in _audit_entries(where, limit)
    ]


#: What the privacy audit log holds: what was done with a person's data.
PRIVACY_ACTIONS = (
    "export",
    "erasure",
    "erasure_request",
    "erasure_cancelled",
    "purge",
    "details_changed",
)


def privacy_audit(limit: int = 50) -> list[AuditEntry]:
    """The latest entries of the privacy audit log (exports, erasures, corrections),
    newest first, with their actors."""
    return list(_audit_entries(AuditEntry.action.in_(PRIVACY_ACTIONS), limit))


# --- the audit log: Admin › Audit log --------------------------------------------

#: ``audit_log``'s ``actor`` when anyone will do (None is the system).
ANYONE = "anyone"


def audit_log(
    *,
    actions: tuple[str, ...] | None = None,
    excluding: tuple[str, ...] = (),
    actor: int | None | str = ANYONE,
    since: datetime | None = None,
    before: datetime | None = None,
    number: int = 1,
    size: int = 50,
) -> Page:
    """A page of the audit log, newest first, with each entry's actor, and how many match:
    only ``actions`` (None: any) and none of ``excluding``, by ``actor`` (a user's id, None
    for the system), written from ``since`` up to (not including) ``before``, both stored
    UTC. Two statements, whatever the page."""
    where = SQL("1 = 1")  # the filters below narrow it, none of them may apply
    if actions is not None:
        where &= AuditEntry.action.in_(list(actions))
    if excluding:
        where &= AuditEntry.action.not_in(list(excluding))
    if actor is None:
        where &= AuditEntry.actor.is_null()
    elif actor != ANYONE:
        where &= AuditEntry.actor == actor
    if since is not None:
        where &= AuditEntry.created >= since
    if before is not None:
        where &= AuditEntry.created < before
    total = AuditEntry.select(fn.COUNT(AuditEntry.id)).where(where).scalar()
    number = max(1, min(number, math.ceil(total / size) or 1))
    entries = _audit_entries(where, size).offset((number - 1) * size)
    return Page(list(entries), total, number, size)
