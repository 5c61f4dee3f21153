"""Every change of state, in one place: the admin, the CLI, the import and the tests
call these functions, and each writes its audit entry.

``actor`` is the member of staff acting, or None for the system (CLI, import).
Operations that change an application take the ``version`` the actor saw and
refuse with ``Conflict`` when someone else changed it since.
"""

import re
import secrets
from datetime import date

import peewee
from email_validator import EmailNotValidError
from email_validator import validate_email

from portal import dates
from portal import links
from portal import mail
from portal.clock import now
from portal.clock import today
from portal.db import database
from portal.errors import Conflict
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.models import Application
from portal.models import Candidate
from portal.models import CLOSED_STATUSES
from portal.models import ClosureTemplate
from portal.models import Event
from portal.models import Feedback
from portal.models import Job
from portal.models import JobManager
from portal.models import RECOMMENDATIONS
from portal.models import ROLES
from portal.models import Stage
from portal.models import User

DEFAULT_PIPELINE = (
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
    ("Offer", "Offer", "We talk through the offer with you and answer your questions.", 5, False),
)

DEFAULT_CLOSURE_NOTES = {
    "hired": "Dear {first_name},\n\nWelcome aboard! We are delighted that you accepted our "
    "offer for the {job} role. {recruiter} will be in touch about your first day.",
    "rejected": "Dear {first_name},\n\nThank you for the time and care you gave to your "
    "application for the {job} role. We have decided not to continue with your "
    "application. This was not an easy decision, and we would be glad to hear from you "
    "again for future roles.\n\nWith best wishes,\n{recruiter}",
    "withdrawn": "Dear {first_name},\n\nThank you for letting us know. We have closed your "
    "application for the {job} role. We wish you every success, and our door stays open."
    "\n\n{recruiter}",
}

STAFF = ("admin", "recruiter")


def _require(actor: User | None, roles=STAFF) -> None:
    if actor is not None and actor.role not in roles:
        raise Forbidden("Only an admin or a recruiter can do that.")


def _text(value: str | None, label: str, required: bool = False, limit: int = 10_000) -> str:
    value = (value or "").strip()
    if "\x00" in value:  # PostgreSQL cannot store it; refused on SQLite too, alike
        raise Invalid(f"{label} contains a NUL character; remove it.")
    if required and not value:
        raise Invalid(f"{label} is required.")
    if len(value) > limit:
        raise Invalid(f"{label} is too long ({len(value)} characters; at most {limit}).")
    return value


def normalise_email(email: str) -> str:
    """A valid address, lower-cased, or Invalid naming the problem."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise Invalid(f"{email!r} is not a valid email address: {error}") from None


# --- staff and jobs -------------------------------------------------------------


def create_user(email: str, name: str, role: str, password: str, actor: User | None = None):
    """Add a member of staff."""
    _require(actor, ("admin",))
    if role not in ROLES:
        raise Invalid(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if len(password) < 8:
        raise Invalid("The password needs at least 8 characters.")
    user = User(email=normalise_email(email), name=_text(name, "Name", True, 200), role=role)
    user.set_password(password)
    try:
        with database.atomic():
            user.save()
    except peewee.IntegrityError:
        raise Invalid(f"A user with the email {user.email} already exists.") from None
    return user


def update_user(actor, user: User, *, role: str | None = None, active: bool | None = None):
    """Change a member of staff's role, or whether they can sign in."""
    _require(actor, ("admin",))
    role = user.role if role is None else role
    active = user.active if active is None else bool(active)
    if role not in ROLES:
        raise Invalid(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    losing_admin = user.is_admin and user.active and not (role == "admin" and active)
    if losing_admin and actor is not None and actor.id == user.id:
        raise Invalid("You cannot take away your own admin access: ask another admin.")
    with database.atomic():
        others = User.select().where((User.role == "admin") & User.active & (User.id != user.id))
        if losing_admin and not others.exists():
            raise Invalid(f"{user.email} is the last active admin; make another admin first.")
        user.role, user.active = role, active
        user.save()
    return user


def default_stages() -> list[dict]:
    """The pipeline a new job starts from."""
    keys = ("name", "candidate_label", "description", "follow_up_days", "interview")
    return [dict(zip(keys, row, strict=True)) for row in DEFAULT_PIPELINE]


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
) -> Job:
    """Create a job (with the default pipeline unless ``stages`` is given) or edit one."""
    _require(actor)
    if recruiter.role not in STAFF:
        raise Invalid(
            f"{recruiter.email} is a {recruiter.role}; "
            "a job's recruiter must be a recruiter or an admin."
        )
    with database.atomic():
        if job is None:
            job = Job(ref=_text(ref, "Reference", False, 60) or "J-" + secrets.token_hex(3).upper())
        job.title = _text(title, "Title", True, 200)
        job.team = _text(team, "Team", limit=200)
        job.location = _text(location, "Location", limit=200)
        job.recruiter, job.open, job.stale_days = recruiter, is_open, stale_days
        job.updated = now()
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


def set_stages(actor, job: Job, stages: list[dict]) -> list[Stage]:
    """Replace a job's pipeline by ``stages`` in order; rows with an ``id`` are edited."""
    _require(actor)
    if not stages:
        raise Invalid("A pipeline needs at least one stage.")
    with database.atomic():
        existing = {s.id: s for s in job.stages}
        kept = []
        for position, row in enumerate(stages):
            stage = existing.pop(_id(row["id"]), None) if row.get("id") else Stage(job=job)
            if stage is None:
                raise Invalid(f"Stage {row['id']} is not part of job {job.ref}.")
            stage.position = position
            stage.name = _text(row.get("name"), f"Stage {position + 1}: name", True, 100)
            stage.candidate_label = _text(
                row.get("candidate_label") or stage.name, f"Stage {position + 1}: label", True, 100
            )
            stage.description = _text(row.get("description"), "What to expect", limit=2000)
            stage.follow_up_days = _days(row.get("follow_up_days", 3), stage.name)
            stage.interview = bool(row.get("interview", False))
            stage.save()
            kept.append(stage)
        for stage in existing.values():
            if stage.applications.exists():
                raise Invalid(f"Stage {stage.name!r} still has applications; move them first.")
            stage.delete_instance()
        Job.update(updated=now()).where(Job.id == job.id).execute()
    return kept


def _id(value) -> int | None:
    """A row id as a form sent it; None when it is not one (then no row matches)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _days(value, label: str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{label}: follow-up days must be a whole number.") from None
    if not 0 <= days <= 60:
        raise Invalid(f"{label}: follow-up days must be between 0 and 60.")
    return days


# --- applications -----------------------------------------------------------------


def reply_by_default(stage: Stage, start: date | None = None) -> date:
    """The date a candidate at ``stage`` should hear from us by."""
    return dates.add_business_days(start or today(), stage.follow_up_days)


def add_application(
    actor, job: Job, name: str, email: str, *, ref=None, stage=None, created=None
) -> Application:
    """Put a candidate (found by email, or new) into a job's pipeline."""
    _require(actor)
    email = normalise_email(email)
    name = _text(name, "Candidate name", True, 200)
    stage = stage or job.stages.order_by(Stage.position).first()
    if stage.job_id != job.id:
        raise Invalid(f"Stage {stage.name!r} is not part of job {job.ref}.")
    with database.atomic():
        candidate, _ = Candidate.get_or_create(email=email, defaults={"name": name})
        application = Application(
            ref=_text(ref, "Reference", limit=60) or "A-" + secrets.token_hex(4).upper(),
            job=job,
            candidate=candidate,
            stage=stage,
            reply_by=reply_by_default(stage),
            created=created or now(),
            updated=created or now(),
        )
        try:
            with database.atomic():
                application.save()
        except peewee.IntegrityError:
            raise Invalid(
                f"{email} already has an application for {job.ref}, or {application.ref} is taken."
            ) from None
        _record(application, actor, "created", to_stage=stage, created=created)
        links.issue(application)  # every application has a live link; sending it is apart
    return application


def _record(application, actor, kind, visible=False, created=None, **fields) -> Event:
    event = Event.create(
        application=application,
        actor=actor,
        kind=kind,
        visible=visible,
        created=created or now(),
        **fields,
    )
    if visible:
        application.last_word = event.created
        Application.update(last_word=event.created).where(
            Application.id == application.id
        ).execute()
        _notify(application, event)
    return event


def _change(application: Application, version: int, **changes) -> None:
    """Write ``changes`` if nobody changed the application since ``version``."""
    changes["updated"] = now()
    query = Application.update(version=Application.version + 1, **changes).where(
        (Application.id == application.id) & (Application.version == int(version))
    )
    if query.execute() != 1:
        raise Conflict(
            "Someone else changed this application while you were looking at it. "
            "Here is its current state: check it and try again."
        )
    for field, value in changes.items():
        setattr(application, field, value)
    application.version = int(version) + 1


def _candidate_word(message, next_steps, reply_by):
    return (
        _text(message, "Message", limit=5000),
        _text(next_steps, "Next steps", limit=2000),
        reply_by,
    )


def _require_active(application: Application) -> None:
    if not application.is_active:
        raise Invalid(f"Application {application.ref} is {application.status}; reopen it first.")


def move(actor, application, stage: Stage, version, message="", next_steps="", reply_by=None):
    """Move an application to another stage of its job, with optional word for the candidate."""
    _require(actor)
    _require_active(application)
    if stage.job_id != application.job_id:
        raise Invalid(f"Stage {stage.name!r} is not part of job {application.job.ref}.")
    message, next_steps, reply_by = _candidate_word(message, next_steps, reply_by)
    reply_by = reply_by or reply_by_default(stage)
    with database.atomic():
        from_stage = application.stage
        _change(
            application,
            version,
            stage=stage,
            reply_by=reply_by,
            **({"next_steps": next_steps} if next_steps else {}),
        )
        return _record(
            application,
            actor,
            "moved",
            visible=True,
            message=message,
            next_steps=next_steps,
            reply_by=reply_by,
            from_stage=from_stage,
            to_stage=stage,
        )


def post_update(actor, application, version, message, next_steps="", reply_by=None):
    """Tell the candidate something without changing stage."""
    _require(actor)
    _require_active(application)
    message, next_steps, reply_by = _candidate_word(message, next_steps, reply_by)
    if not message:
        raise Invalid("An update needs a message for the candidate.")
    reply_by = reply_by or reply_by_default(application.stage)
    with database.atomic():
        _change(
            application,
            version,
            reply_by=reply_by,
            **({"next_steps": next_steps} if next_steps else {}),
        )
        return _record(
            application,
            actor,
            "update",
            visible=True,
            message=message,
            next_steps=next_steps,
            reply_by=reply_by,
        )


def add_note(actor, application, message) -> Event:
    """An internal note: never shown to the candidate."""
    _require(actor)
    message = _text(message, "Note", True, 5000)
    with database.atomic():
        Application.update(updated=now()).where(Application.id == application.id).execute()
        return _record(application, actor, "note", message=message)


def closure_note_default(application: Application, status: str) -> str:
    """The closure template for ``status`` with the application's details filled in."""
    template = ClosureTemplate.get_or_none(ClosureTemplate.status == status)
    body = template.body if template else DEFAULT_CLOSURE_NOTES[status]
    values = {
        "first_name": application.candidate.first_name,
        "job": application.job.title,
        "recruiter": application.job.recruiter.name,
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), body)


def close(actor, application, version, status, closure_note, reason=""):
    """End the process as hired, rejected or withdrawn."""
    _require(actor)
    _require_active(application)
    if status not in CLOSED_STATUSES:
        raise Invalid(f"Closing status must be one of {', '.join(CLOSED_STATUSES)}.")
    closure_note = _text(closure_note, "Closure note", status == "rejected", 5000)
    reason = _text(reason, "Internal reason", limit=2000)
    with database.atomic():
        _change(
            application,
            version,
            status=status,
            closure_note=closure_note,
            closed_reason=reason,
            closed=now(),
            reply_by=None,
        )
        if reason:
            _record(application, actor, "reason", message=reason)
        return _record(application, actor, "closed", visible=True, message=closure_note)


def reopen(actor, application, version, stage: Stage | None = None) -> Event:
    """Put a closed application back in the pipeline."""
    _require(actor)
    if application.is_active:
        raise Invalid(f"Application {application.ref} is already active.")
    stage = stage or application.stage
    with database.atomic():
        _change(
            application,
            version,
            status="active",
            stage=stage,
            closed=None,
            reply_by=reply_by_default(stage),
        )
        return _record(application, actor, "reopened", to_stage=stage)


def set_closure_template(actor, status: str, body: str) -> ClosureTemplate:
    """Edit the default closure note for one outcome."""
    _require(actor)
    if status not in CLOSED_STATUSES:
        raise Invalid(f"There is no closure template for {status!r}.")
    body = _text(body, "Template", True, 5000)
    with database.atomic():
        template, _ = ClosureTemplate.get_or_create(status=status, defaults={"body": body})
        template.body = body
        template.save()
    return template


# --- feedback ---------------------------------------------------------------------


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
                    strengths=_text(strengths, "Strengths"),
                    concerns=_text(concerns, "Concerns"),
                )
        except peewee.IntegrityError:
            raise Invalid(f"You already gave feedback at the {stage.name} stage.") from None
        _record(application, actor, "feedback", to_stage=stage)
    return feedback


def can_see_all_feedback(user: User, application: Application) -> bool:
    """Admins and the recruiter see all; others only once they have given their own."""
    if user.is_admin or application.job.recruiter_id == user.id:
        return True
    return application.feedback.where(Feedback.author == user).exists()


# --- import: records exported from a portal, restored as they were ----------------

#: The only event kinds an import may show the candidate: those the operations above
#: record as visible (a move, an update, a closure). Everything else stays internal.
VISIBLE_KINDS = ("moved", "update", "closed")

#: Rows per INSERT when restoring: well inside SQLite's and PostgreSQL's parameter limits.
BATCH = 500


class RestoreConflict(Invalid):
    """A restored application collides with another; ``ref`` names the one at fault."""

    def __init__(self, ref: str, message: str):
        super().__init__(message)
        self.ref = ref


class Restore:
    """Recreate exported applications with their state and history as they were.

    The import's counterpart of add_application. ``add`` checks one application and
    queues it (its errors belong to that application); ``flush`` writes everything
    queued in a few statements per few hundred applications, because one save per row
    made a 100,000-application import take a quarter of an hour. Uniqueness (refs, one
    application per candidate and job) is checked by ``flush``: RestoreConflict names
    the application at fault.
    """

    def __init__(self):
        self.queued: list[tuple[Application, str, list, list]] = []

    def add(
        self,
        job: Job,
        name: str,
        email: str,
        *,
        ref: str,
        stage: Stage,
        status: str = "active",
        reply_by: date | None = None,
        next_steps: str = "",
        closure_note: str = "",
        closed_reason: str = "",
        closed=None,
        created=None,
        events=(),
        feedback=(),
    ) -> None:
        """Check one application and queue it.

        ``events`` and ``feedback`` are dicts of Event and Feedback fields (users and
        stages as rows), recorded with their original authors and times. With no events,
        the entries add_application and close would have written are recorded.
        """
        if status not in ("active", *CLOSED_STATUSES):
            raise Invalid(f"Status {status!r} is not one of active, {', '.join(CLOSED_STATUSES)}.")
        stages = [stage, *(e.get(k) for e in events for k in ("from_stage", "to_stage"))]
        for other in [*stages, *(f["stage"] for f in feedback)]:
            if other is not None and other.job_id != job.id:
                raise Invalid(f"Stage {other.name!r} is not part of job {job.ref}.")
        history = [_restored_event(row) for row in events]
        scorecards = _restored_feedback(feedback)
        created = created or min((e["created"] for e in history), default=None) or now()
        moments = [created, *(e["created"] for e in history), *(f["created"] for f in scorecards)]
        application = Application(
            ref=_text(ref, "Reference", True, 60),
            job=job,
            candidate=Candidate(
                name=_text(name, "Candidate name", True, 200), email=normalise_email(email)
            ),
            stage=stage,
            status=status,
            reply_by=None if status != "active" else reply_by or reply_by_default(stage),
            next_steps=_text(next_steps, "Next steps", limit=2000),
            closure_note=_text(closure_note, "Closure note", limit=5000),
            closed_reason=_text(closed_reason, "Internal reason", limit=2000),
            closed=None if status == "active" else closed or max(moments),
            created=created,
            updated=max(moments),
        )
        if status != "active" and not application.closure_note:
            application.closure_note = closure_note_default(application, status)
        if not history:
            history = [_restored_event(row) for row in _history_of(application)]
        visible = [e["created"] for e in history if e["visible"]]
        application.last_word = max(visible, default=None)
        self.queued.append((application, application.candidate.email, history, scorecards))

    def flush(self) -> list[Application]:
        """Write every queued application, its candidate, history and feedback."""
        queued, self.queued = self.queued, []
        if not queued:
            return []
        with database.atomic():
            _check_refs([a.ref for a, *_ in queued])
            names = {}
            for application, email, *_ in queued:
                names.setdefault(email, application.candidate.name)  # the first one wins
            candidates = _candidates(names)
            taken = _applied(list(candidates.values()))
            for application, email, *_ in queued:
                application.candidate = candidates[email]
                pair = (application.job.id, application.candidate.id)
                if pair in taken:
                    raise RestoreConflict(
                        application.ref,
                        f"{email} already has an application for {application.job.ref}.",
                    )
                taken.add(pair)
            fields = [f for f in Application._meta.sorted_fields if f.name != "id"]
            rows = [[getattr(a, f.name) for f in fields] for a, *_ in queued]
            try:
                with database.atomic():
                    _insert(Application, rows, fields)
            except peewee.IntegrityError:  # only if someone added the same at this moment
                raise Invalid("Someone added the same applications meanwhile; try again.") from None
            ids = _ids(Application, Application.ref, [a.ref for a, *_ in queued])
            for application, *_ in queued:
                application.id = ids[application.ref]
            _insert(Event, [{**e, "application": a.id} for a, _, h, _ in queued for e in h])
            _insert(Feedback, [{**f, "application": a.id} for a, *_, fb in queued for f in fb])
            for application, *_ in queued:
                links.issue(application)  # a live link, as for every application; nothing is sent
        return [application for application, *_ in queued]


def restore_application(job: Job, name: str, email: str, **fields) -> Application:
    """Recreate one exported application as it was (see Restore)."""
    restore = Restore()
    restore.add(job, name, email, **fields)
    return restore.flush()[0]


def _check_refs(refs: list[str]) -> None:
    """Refuse a ref given twice or already taken."""
    seen = set()
    for ref in refs:
        if ref in seen:
            raise RestoreConflict(ref, f"The reference {ref} appears twice.")
        seen.add(ref)
    for ref in _ids(Application, Application.ref, refs):
        raise RestoreConflict(ref, f"The reference {ref} is already taken.")


def _candidates(names: dict[str, str]) -> dict[str, Candidate]:
    """The candidates with these emails, created (with these names) where missing."""
    found = {
        c.email: c for chunk in _chunks(list(names)) for c in Candidate.select().where(
            Candidate.email.in_(chunk)
        )
    }  # fmt: skip
    missing = [email for email in names if email not in found]
    _insert(Candidate, [{"name": names[e], "email": e, "created": now()} for e in missing])
    for chunk in _chunks(missing):
        found.update((c.email, c) for c in Candidate.select().where(Candidate.email.in_(chunk)))
    return found


def _applied(candidates: list[Candidate]) -> set[tuple[int, int]]:
    """(job id, candidate id) of the applications these candidates already have."""
    pairs = set()
    for chunk in _chunks([c.id for c in candidates]):
        query = Application.select(Application.job, Application.candidate).where(
            Application.candidate.in_(chunk)
        )
        pairs.update(query.tuples())
    return pairs


def _ids(model, key, values: list) -> dict:
    """``key`` value → id of the rows of ``model`` among ``values``."""
    ids = {}
    for chunk in _chunks(values):
        ids.update(model.select(key, model.id).where(key.in_(chunk)).tuples())
    return ids


def _insert(model, rows: list, fields=None) -> None:
    """Insert ``rows`` a batch per statement."""
    for chunk in _chunks(rows):
        model.insert_many(chunk, fields=fields).execute()


def _chunks(items: list) -> list[list]:
    """``items`` in slices of BATCH."""
    return [items[start : start + BATCH] for start in range(0, len(items), BATCH)]


def _history_of(application: Application) -> list[dict]:
    """The entries add_application and close write, for an import that brings none."""
    history = [{"kind": "created", "to_stage": application.stage, "created": application.created}]
    if application.closed and application.closed_reason:
        history.append(
            {"kind": "reason", "message": application.closed_reason, "created": application.closed}
        )
    if application.closed:
        history.append(
            {
                "kind": "closed",
                "visible": True,
                "message": application.closure_note,
                "created": application.closed,
            }
        )
    return history


def _restored_event(row: dict) -> dict:
    """One imported history entry, checked, with every Event field (insert_many needs all)."""
    kind = _text(row.get("kind"), "Event kind", True, 40)
    if row.get("visible") and kind not in VISIBLE_KINDS:
        raise Invalid(f"A {kind!r} event is internal and cannot be visible to the candidate.")
    if not row.get("created"):
        raise Invalid(f"The {kind!r} event needs its time.")
    return {
        "kind": kind,
        "actor": row.get("actor"),
        "visible": bool(row.get("visible")),
        "message": _text(row.get("message"), "Message", limit=5000),
        "next_steps": _text(row.get("next_steps"), "Next steps", limit=2000),
        "reply_by": row.get("reply_by"),
        "from_stage": row.get("from_stage"),
        "to_stage": row.get("to_stage"),
        "created": row["created"],
    }


def _restored_feedback(rows) -> list[dict]:
    """Imported scorecards, checked as submit_feedback checks them, once per author and stage."""
    seen = set()
    scorecards = []
    for row in rows:
        author, stage = row["author"], row["stage"]
        if (author.id, stage.id) in seen:
            raise Invalid(f"{author.email} gave feedback at the {stage.name} stage twice.")
        seen.add((author.id, stage.id))
        if row.get("recommendation") not in RECOMMENDATIONS:
            raise Invalid(f"Recommendation must be one of {', '.join(RECOMMENDATIONS)}.")
        if row.get("rating") not in range(1, 5) or isinstance(row.get("rating"), bool):
            raise Invalid("Rating must be a whole number between 1 and 4.")
        if not row.get("created"):
            raise Invalid("Feedback needs its time.")
        scorecards.append(
            {
                "author": author,
                "stage": stage,
                "rating": row["rating"],
                "recommendation": row["recommendation"],
                "strengths": _text(row.get("strengths"), "Strengths"),
                "concerns": _text(row.get("concerns"), "Concerns"),
                "share_strengths": bool(row.get("share_strengths")),
                "share_concerns": bool(row.get("share_concerns")),
                "created": row["created"],
            }
        )
    return scorecards


def set_password(actor, user: User, password: str) -> User:
    """Give a member of staff a new password (an imported account has none it knows)."""
    _require(actor, ("admin",))
    if len(password) < 8:
        raise Invalid("The password needs at least 8 characters.")
    with database.atomic():
        user.set_password(password)
        user.save()
    return user


# --- candidate links, email, and the candidate's own actions ---------------------------
#
# Candidates have no account: ``actor`` is None for what they do on their page, and the
# event kind says it was them.

#: What the candidate did on their page (internal events: staff see them in the history).
CANDIDATE_KINDS = ("candidate_withdrew", "acknowledged", "rated")


def _notify(application, event: Event) -> None:
    """Queue the candidate's short notice of a visible change (sent after commit)."""
    link = links.live(application)
    if link is not None:  # a revoked link is a decision: no email carries a new one
        mail.queue_notice(application, event, links.url(link))


def issue_link(actor, application):
    """The application's live link, issuing one if none is live."""
    _require(actor)
    with database.atomic():
        if links.live(application) is None:
            _record(application, actor, "link_issued")
        return links.issue(application)


def revoke_link(actor, application) -> int:
    """End the application's links at once; returns how many were live."""
    _require(actor)
    with database.atomic():
        count = links.revoke(application)
        if count:
            _record(application, actor, "link_revoked")
    return count


def reissue_link(actor, application):
    """End the application's links and issue a new one (the old address stops working)."""
    _require(actor)
    with database.atomic():
        link = links.reissue(application)
        _record(application, actor, "link_reissued")
    return link


def send_link(actor, application):
    """Email the candidate their link, issuing one if none is live."""
    _require(actor)
    with database.atomic():
        link = links.issue(application)
        _record(application, actor, "link_sent")
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
    _require_active(application)
    reason = _text(reason, "Reason", limit=2000)
    with database.atomic():
        note = closure_note_default(application, "withdrawn")
        _change(
            application,
            version,
            status="withdrawn",
            closure_note=note,
            closed_reason="Withdrawn by the candidate" + (f": {reason}" if reason else "."),
            closed=now(),
            reply_by=None,
        )
        _record(application, None, "candidate_withdrew", message=reason)
        return _record(application, None, "closed", visible=True, message=note)


def _since_closed(application, kind: str) -> bool:
    return (
        application.events.where((Event.kind == kind) & (Event.created >= application.closed))
        .exists()
    )


def acknowledge_closure(application) -> Event | None:
    """The candidate says "got it" to the closure; once per closure."""
    if application.is_active:
        raise Invalid("There is nothing to acknowledge while the application is open.")
    with database.atomic():
        if _since_closed(application, "acknowledged"):
            return None
        Application.update(updated=now()).where(Application.id == application.id).execute()
        return _record(application, None, "acknowledged")


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
        if _since_closed(application, "rated"):
            return None
        Application.update(updated=now()).where(Application.id == application.id).execute()
        return _record(application, None, "rated", message=f"{score} out of 5")
