"""Import: records exported from a portal, restored as they were."""

from datetime import date

import peewee

from portal.candidates import links
from portal.clock import now
from portal.conversation.actions import ASKING_KINDS
from portal.conversation.actions import owed_since
from portal.domain.applications import reply_by_default
from portal.domain.base import clean_text
from portal.domain.base import ERASED_EMAIL
from portal.domain.base import normalise_email
from portal.domain.closing import closure_note_default
from portal.errors import Invalid
from portal.interchange import interviews as arranged
from portal.interchange.history import history_of
from portal.interchange.history import restored_event
from portal.interchange.history import restored_feedback
from portal.interchange.scorecards import insert_ratings
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import CLOSED_STATUSES
from portal.store.models import ClosureReason
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import Stage

# --- import: records exported from a portal, restored as they were ----------------

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
        #: The queued applications' interviews, by ref.
        self.interviews: dict[str, list[dict]] = {}

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
        closure_reason: ClosureReason | None = None,
        closed=None,
        created=None,
        timezone="",
        interviews=(),
        events=(),
        feedback=(),
    ) -> None:
        """Check one application and queue it.

        ``interviews``, ``events`` and ``feedback`` are dicts of Interview, Event and
        Feedback fields (users and stages as rows; an event names its interview by
        UID), recorded with their original authors and times. With no events,
        the entries add_application and close would have written are recorded.
        """
        if status not in ("active", *CLOSED_STATUSES):
            raise Invalid(f"Status {status!r} is not one of active, {', '.join(CLOSED_STATUSES)}.")
        stages = [stage, *(e.get(k) for e in events for k in ("from_stage", "to_stage"))]
        for other in [*stages, *(f["stage"] for f in feedback)]:
            if other is not None and other.job_id != job.id:
                raise Invalid(f"Stage {other.name!r} is not part of job {job.ref}.")
        if status != "active" and not closed:
            raise Invalid(f"A {status} application needs the date and time it was closed.")
        if closure_reason is not None and closure_reason.status != status:
            raise Invalid(
                f"The closure reason {closure_reason.code} is for {closure_reason.status} "
                f"applications; this one is {status}."
            )
        history = [restored_event(row) for row in events]
        scorecards = restored_feedback(feedback)
        meetings = arranged.restored(interviews, job)
        arranged.check_events(history, meetings)
        # Without a time of its own it began with its first entry (or its closure).
        known = [*(e["created"] for e in history), *([closed] if closed else [])]
        created = created or min(known, default=None) or now()
        if status != "active" and closed < created:
            raise Invalid(
                f"It was closed ({closed:%Y-%m-%d %H:%M}) before it was created "
                f"({created:%Y-%m-%d %H:%M})."
            )
        moments = [created, *(e["created"] for e in history), *(f["created"] for f in scorecards)]
        moments += [i["updated"] for i in meetings]
        application = Application(
            ref=clean_text(ref, "Reference", True, 60),
            job=job,
            candidate=Candidate(
                name=clean_text(name, "Candidate name", True, 200), email=_email(email)
            ),
            stage=stage,
            status=status,
            reply_by=None if status != "active" else reply_by or reply_by_default(stage),
            next_steps=clean_text(next_steps, "Next steps", limit=2000),
            closure_note=clean_text(closure_note, "Closure note", limit=5000),
            closed_reason=clean_text(closed_reason, "Internal reason", limit=2000),
            closure_reason=closure_reason,
            closed=None if status == "active" else closed,
            timezone=arranged.zone(timezone, "The candidate's time zone", required=False),
            created=created,
            updated=max(moments),
        )
        erased = ERASED_EMAIL.fullmatch(application.candidate.email)
        if status != "active" and not application.closure_note and not erased:
            application.closure_note = closure_note_default(application, status, closure_reason)
        if not history:
            history = [restored_event(row) for row in history_of(application)]
        visible = [e["created"] for e in history if e["visible"] and e["kind"] not in ASKING_KINDS]
        application.last_word = max(visible, default=None)
        application.asked = owed_since((e["kind"], e["created"]) for e in history)
        self.queued.append((application, application.candidate.email, history, scorecards))
        self.interviews[application.ref] = meetings

    def flush(self) -> list[Application]:
        """Write every queued application, its candidate, history and feedback."""
        queued, self.queued = self.queued, []
        meetings, self.interviews = self.interviews, {}
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
            uids = _interviews(queued, meetings)
            _insert(
                Event,
                [
                    {**e, "application": a.id, "interview": uids.get(e["interview"])}
                    for a, _, h, _ in queued
                    for e in h
                ],
            )
            cards = [(a, f) for a, *_, fb in queued for f in fb]
            _insert(Feedback, [{**_fields(f), "application": a.id} for a, f in cards])
            insert_ratings([(a, f) for a, f in cards if f["ratings"]])
            for application, email, *_ in queued:
                if not ERASED_EMAIL.fullmatch(email):  # erased: there is no one to link to
                    links.issue(application)  # a live link, as for every application; unsent
        return [application for application, *_ in queued]


def _interviews(queued, meetings: dict[str, list[dict]]) -> dict[str, int]:
    """Insert the queued applications' interviews; their ids by UID. A UID already in
    the database is another interview's: RestoreConflict names the application."""
    rows = [{**i, "application": a.id} for a, *_ in queued for i in meetings.get(a.ref, [])]
    refs = {i["uid"]: a.ref for a, *_ in queued for i in meetings.get(a.ref, [])}
    if len(refs) != len(rows):
        raise Invalid("The same interview uid appears on two applications.")
    uid = arranged.taken(list(refs))
    if uid is not None:
        raise RestoreConflict(refs[uid], f"The interview {uid} is already in the database.")
    return arranged.insert(rows)


def _fields(card: dict) -> dict:
    """A restored scorecard's Feedback fields: its ratings are written after it."""
    return {name: value for name, value in card.items() if name != "ratings"}


def restore_application(job: Job, name: str, email: str, **fields) -> Application:
    """Recreate one exported application as it was (see Restore)."""
    restore = Restore()
    restore.add(job, name, email, **fields)
    return restore.flush()[0]


def _email(email: str) -> str:
    """A valid address, lower-cased; or the stand-in of an erased candidate, as it is."""
    if isinstance(email, str) and ERASED_EMAIL.fullmatch(email.strip()):
        return email.strip()
    return normalise_email(email)


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
