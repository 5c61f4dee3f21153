"""What the API reads, and the records it answers with: jobs, applications, the
candidate-visible history and the follow-up queue, as ``portal.api.schemas`` shapes them,
a page at a time behind an opaque cursor."""

import base64
import binascii

from peewee import JOIN

from portal.api import schemas
from portal.candidates import links
from portal.domain.kits import kits_of
from portal.domain.queries import Recruiter
from portal.errors import Invalid
from portal.errors import NotFound
from portal.followup import queries as followup
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import ClosureReason
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import Rating
from portal.store.models import Stage
from portal.store.models import User


def cursor_of(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def after(cursor: str | None) -> int:
    """The id a cursor continues after (0: from the start); Invalid for a made-up one."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind == "after" and number.isdigit() and len(number) < 19:
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise Invalid("The cursor is not one this API gave: pass next_cursor as it came.")


def page(query, model, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of ``query`` by ``model``'s id, after ``cursor``; and the next cursor."""
    rows = list(query.where(model.id > after(cursor)).order_by(model.id).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, cursor_of(rows[-1].id) if more else None


# --- jobs -------------------------------------------------------------------------------


def job_or_404(ref: str) -> Job:
    job = Job.get_or_none(Job.ref == ref)
    if job is None:
        raise NotFound(f"There is no job {ref!r}.")
    return job


def live_stages(job: Job) -> list[Stage]:
    return list(job.stages.where(Stage.removed.is_null()).order_by(Stage.position, Stage.id))


def _criteria(rows) -> list[schemas.Criterion] | None:
    return [schemas.Criterion(name=c.name, guidance=c.guidance) for c in rows] if rows else None


def job(row: Job) -> schemas.Job:
    kits = kits_of(row)
    managers = (
        User.select(User.email)
        .join(JobManager, on=JobManager.user == User.id)
        .where(JobManager.job == row.id)
        .order_by(User.email)
    )
    return schemas.Job(
        ref=row.ref,
        title=row.title,
        recruiter=row.recruiter.email,
        managers=[m.email for m in managers],
        team=row.team,
        location=row.location,
        open=row.open,
        stages=[
            schemas.Stage.model_validate({**s.__data__, "kit": _criteria(kits.get(s.id))})
            for s in live_stages(row)
        ],
        kit=_criteria(kits.get(None)) or [],
    )


def jobs(cursor: str | None, limit: int) -> schemas.Jobs:
    query = Job.select(Job, Recruiter).join(Recruiter, on=Job.recruiter == Recruiter.id)
    rows, following = page(query, Job, cursor, limit)
    return schemas.Jobs(items=[job(r) for r in rows], next_cursor=following)


# --- applications -----------------------------------------------------------------------


def _applications():
    """Applications with what their record names: job, candidate, stage, reason."""
    return (
        Application.select(Application, Job, Candidate, Stage, ClosureReason)
        .join_from(Application, Job)
        .join_from(Application, Candidate)
        .join_from(Application, Stage)
        .join_from(Application, ClosureReason, JOIN.LEFT_OUTER)
    )


def application_or_404(ref: str) -> Application:
    row = _applications().where(Application.ref == ref).first()
    if row is None:
        raise NotFound(f"There is no application {ref!r}.")
    return row


def application(row: Application) -> schemas.Application:
    reason = row.closure_reason
    return schemas.Application(
        ref=row.ref,
        job=row.job.ref,
        candidate=schemas.Candidate(name=row.candidate.name, email=row.candidate.email),
        stage=row.stage.name,
        status=row.status,
        reply_by=row.reply_by,
        next_steps=row.next_steps,
        closure_note=row.closure_note,
        closure_reason=reason
        and schemas.ClosureReason(
            code=reason.code, label=reason.label, told_to_candidate=reason.tellable
        ),
        closed=row.closed,
        asked=row.asked,
        created=row.created,
        updated=row.updated,
        version=row.version,
    )


def current(ref: str) -> schemas.Application:
    """The application ``ref`` as it is now (a 409's body)."""
    return application(application_or_404(ref))


def applications(query: schemas.ApplicationQuery) -> schemas.Applications:
    found = _applications()
    if query.job:
        found = found.where(Job.ref == query.job)
    if query.status:
        found = found.where(Application.status == query.status)
    rows, following = page(found, Application, query.cursor, query.limit)
    return schemas.Applications(items=[application(r) for r in rows], next_cursor=following)


def history(row: Application) -> schemas.History:
    """What the candidate's page shows of what happened: the visible events, oldest first."""
    events = (
        Event.select(Event, Stage)
        .join(Stage, JOIN.LEFT_OUTER, on=Event.to_stage == Stage.id)
        .where((Event.application == row.id) & Event.visible)
        .order_by(Event.created, Event.id)
    )
    return schemas.History(
        items=[
            schemas.HistoryEntry(
                kind=e.kind,
                created=e.created,
                message=e.message,
                next_steps=e.next_steps,
                reply_by=e.reply_by,
                stage=e.to_stage.candidate_label if e.to_stage_id else None,
            )
            for e in events
        ]
    )


def scorecards(row: Application) -> schemas.Scorecards:
    """Every scorecard on the application, with its criteria's ratings, oldest first."""
    cards = list(
        Feedback.select(Feedback, User, Stage)
        .join_from(Feedback, User)
        .join_from(Feedback, Stage)
        .where(Feedback.application == row.id)
        .order_by(Feedback.created, Feedback.id)
    )
    rated: dict[int, list] = {}
    for rating in (
        Rating.select().where(Rating.feedback.in_([c.id for c in cards])).order_by(Rating.id)
    ):
        rated.setdefault(rating.feedback_id, []).append(
            schemas.Rated(criterion=rating.name, score=rating.score, note=rating.note)
        )
    return schemas.Scorecards(
        items=[
            schemas.Scorecard(
                stage=c.stage.name,
                author=c.author.email,
                rating=c.rating,
                recommendation=c.recommendation,
                strengths=c.strengths,
                concerns=c.concerns,
                ratings=rated.get(c.id, []),
                submitted=c.created,
                edited=c.edited,
            )
            for c in cards
        ]
    )


def link(row: Application) -> schemas.Link:
    live = links.live(row)
    if live is None:
        raise NotFound(f"Application {row.ref} has no live link: issue one with POST.")
    return link_of(row, live)


def link_of(row: Application, live) -> schemas.Link:
    return schemas.Link(
        url=links.url(live),
        expires=links.ends(live.expires, row.status, row.closed),
        last_viewed=live.last_viewed,
    )


def queue(query: schemas.QueueQuery) -> schemas.Queue:
    """Who is owed word today, most overdue first (as the admin's queue orders them)."""
    owed = followup.owed_word()
    if query.job:
        owed = owed.where(Job.ref == query.job)
    rows, following = page(owed, Application, query.cursor, query.limit)
    return schemas.Queue(
        items=[
            schemas.Owed(
                ref=r.ref,
                job=r.job.ref,
                stage=r.stage.name,
                reply_by=r.reply_by,
                asked=r.asked,
                recruiter=r.job.recruiter.email,
            )
            for r in rows
        ],
        next_cursor=following,
    )
