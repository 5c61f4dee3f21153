"""Import the JSON document: users, then jobs, then applications with their history."""

import secrets

from portal import domain
from portal.errors import Invalid
from portal.interchange.fields import APPLICATION_FIELDS
from portal.interchange.fields import as_date
from portal.interchange.fields import as_moment
from portal.interchange.fields import as_object
from portal.interchange.fields import Counts
from portal.interchange.fields import EVENT_FIELDS
from portal.interchange.fields import FEEDBACK_FIELDS
from portal.interchange.fields import INTERVIEW_FIELDS
from portal.interchange.fields import JOB_FIELDS
from portal.interchange.fields import label
from portal.interchange.fields import naming
from portal.interchange.fields import read_document
from portal.interchange.fields import STAGE_FIELDS
from portal.interchange.fields import text
from portal.interchange.fields import typed
from portal.interchange.fields import USER_FIELDS
from portal.interchange.reasons import Reasons
from portal.interchange.restore import Restore
from portal.interchange.restore import RestoreConflict
from portal.interchange.scorecards import read_kit
from portal.interchange.scorecards import read_ratings
from portal.interchange.sync import sync
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Job
from portal.store.models import Stage
from portal.store.models import User

#: Applications checked and queued before they are written together.
FLUSH = 1000


class Importer:
    """One import: caches of users, jobs and stages, and the counts."""

    def __init__(self, source: str, sync: bool = False):
        self.source, self.sync = source, sync
        self.counts = Counts()
        self.users: dict[str, User | None] = {}
        self.jobs: dict[str, tuple[Job, dict[str, Stage]] | None] = {}
        self.reasons = Reasons(source, self.counts)

    def user(self, email: str, what: str = "user") -> User:
        """The member of staff with this email, from the file or the database."""
        # Cached by the text as written: validating an address costs more than the lookup.
        if email not in self.users:
            self.users[email] = User.get_or_none(User.email == domain.normalise_email(email))
        if self.users[email] is None:
            raise Invalid(f"unknown {what} {email!r} (not in the file's users nor the database)")
        return self.users[email]

    def job(self, ref: str) -> tuple[Job, dict[str, Stage]]:
        """The job with this ref and its stages by name, looked up once per import."""
        if ref not in self.jobs:
            job = Job.get_or_none(Job.ref == ref)
            self.jobs[ref] = job and (job, {s.name: s for s in job.stages})
        if self.jobs[ref] is None:
            raise Invalid(f"unknown job {ref!r}")
        return self.jobs[ref]

    def stage(self, ref: str, name: str | None) -> Stage:
        """The stage of job ``ref`` named ``name``; the first stage when no name is given."""
        job, stages = self.job(ref)
        name = (name or "").strip()
        if not name:
            live = [s for s in stages.values() if s.removed is None]
            return min(live, key=lambda s: s.position)
        if name not in stages:
            known = ", ".join(s.name for s in sorted(stages.values(), key=lambda s: s.position))
            raise Invalid(f"unknown stage {name!r} for job {ref} (its stages: {known})")
        return stages[name]

    def run(self, document: dict) -> Counts:
        """Import every section, users first since jobs and applications name them (and
        the closure reasons before anything could seed the list)."""
        self.reasons.section(document.get("closure_reasons") or [])
        self.users_section(document.get("users") or [])
        self.jobs_section(document.get("jobs") or [])
        self.applications_section(document.get("applications") or [])
        return self.counts

    def users_section(self, rows: list) -> None:
        """Create the users not yet there; deactivate those marked inactive."""
        seen, inactive = {}, []
        for index, data in enumerate(rows):
            where = label("users", index, data, "email")
            with naming(self.source, where):
                as_object(data, USER_FIELDS)
                email = domain.normalise_email(text(data, "email", True))
                if email in seen:
                    raise Invalid(f"duplicate email {email} (also users[{seen[email]}])")
                seen[email] = index
                if User.get_or_none(User.email == email):
                    self.counts.present["users"] += 1
                    continue
                password = text(data, "password")
                if not password:
                    password = secrets.token_urlsafe(32)
                    self.counts.passwordless.append(email)
                user = domain.create_user(
                    email, text(data, "name", True), text(data, "role", True), password
                )
                if not typed(data, "active", (bool,), True):
                    inactive.append((where, user))
                self.counts.created["users"] += 1
        # After every user exists: the last active admin may not be switched off, and
        # the file's active admin may come after its inactive ones.
        for where, user in inactive:
            with naming(self.source, where):
                domain.update_user(None, user, active=False)

    def jobs_section(self, rows: list) -> None:
        """Create the jobs not yet there, with their managers and pipeline."""
        seen = {}
        for index, data in enumerate(rows):
            with naming(self.source, label("jobs", index, data, "ref")):
                as_object(data, (*JOB_FIELDS, "stages", "kit"))
                ref = text(data, "ref", True).strip()
                if ref in seen:
                    raise Invalid(f"duplicate ref {ref} (also jobs[{seen[ref]}])")
                seen[ref] = index
                stages = self.stages(typed(data, "stages", (list,)))
                kit = read_kit(typed(data, "kit", (list,)))
                if Job.get_or_none(Job.ref == ref):
                    self.counts.present["jobs"] += 1
                    continue
                domain.save_job(
                    None,
                    ref=ref,
                    title=text(data, "title", True),
                    team=text(data, "team"),
                    location=text(data, "location"),
                    is_open=typed(data, "open", (bool,), True),
                    stale_days=typed(data, "stale_days", (int,)),
                    recruiter=self.user(text(data, "recruiter", True), "recruiter"),
                    managers=[self.user(e, "manager") for e in _emails(data, "managers")],
                    stages=stages,
                    kit=kit,
                )
                self.counts.created["jobs"] += 1

    def stages(self, rows: list | None) -> list[dict] | None:
        """The pipeline of a job as save_job takes it, or None for the default one."""
        if rows is None:
            return None
        names = set()
        stages = []
        for index, data in enumerate(rows):
            try:
                as_object(data, STAGE_FIELDS)
                name = text(data, "name", True).strip()
                if name in names:
                    raise Invalid(f"duplicate name {name!r}: names must differ within a job")
                names.add(name)
                stages.append(
                    {
                        "name": name,
                        "candidate_label": text(data, "candidate_label"),
                        "description": text(data, "description"),
                        "next_steps": text(data, "next_steps"),
                        "follow_up_days": typed(data, "follow_up_days", (int,), 3),
                        "interview": typed(data, "interview", (bool,), False),
                    }
                )
            except Invalid as error:
                raise Invalid(f"stages[{index}]: {error.message}") from None
        return stages

    def applications_section(self, rows: list) -> None:
        """Restore the applications not yet there, a batch at a time."""
        refs = [r.get("ref") for r in rows if isinstance(r, dict) and isinstance(r.get("ref"), str)]
        present = _existing_refs(refs)
        restore, seen, places = Restore(), {}, {}
        for index, data in enumerate(rows):
            where = label("applications", index, data, "ref")
            with naming(self.source, where):
                as_object(data, APPLICATION_FIELDS)
                ref = text(data, "ref", True).strip()
                if ref in seen:
                    raise Invalid(f"duplicate ref {ref} (also applications[{seen[ref]}])")
                seen[ref] = index
                if ref in present and self.sync:
                    self.synced(ref, data)
                    continue
                if ref in present:
                    self.counts.present["applications"] += 1
                    continue
                self.application(restore, ref, data)
                places[ref] = where
                self.counts.created["applications"] += 1
            if len(places) >= FLUSH:
                self.flush(restore, places)
        self.flush(restore, places)

    def synced(self, ref: str, data: dict) -> None:
        """``--sync``: bring the application ``ref`` here to what the file says."""
        changed = sync(Application.get(Application.ref == ref), data, self.stage)
        self.counts.updated["applications"] += bool(changed)
        self.counts.present["applications"] += not changed

    def flush(self, restore: Restore, places: dict[str, str]) -> None:
        """Write the queued applications; a collision is told as the record's own error."""
        try:
            restore.flush()
        except RestoreConflict as error:
            with naming(self.source, places[error.ref]):
                raise
        places.clear()

    def application(self, restore: Restore, ref: str, data: dict) -> None:
        """Check one application and queue it on ``restore``."""
        job_ref = text(data, "job", True).strip()
        job, _ = self.job(job_ref)
        candidate = as_object(typed(data, "candidate", (dict,), required=True), ("name", "email"))
        interviews = [
            self.interview(job_ref, i, n)
            for n, i in enumerate(typed(data, "interviews", (list,), []))
        ]
        events = [
            self.event(job_ref, e, i) for i, e in enumerate(typed(data, "events", (list,), []))
        ]
        feedback = [
            self.feedback(job_ref, f, i) for i, f in enumerate(typed(data, "feedback", (list,), []))
        ]
        restore.add(
            job,
            text(candidate, "name", True),
            text(candidate, "email", True),
            ref=ref,
            stage=self.stage(job_ref, text(data, "stage")),
            status=text(data, "status") or "active",
            reply_by=as_date(data, "reply_by"),
            next_steps=text(data, "next_steps"),
            closure_note=text(data, "closure_note"),
            closed_reason=text(data, "closed_reason"),
            closure_reason=self.reasons.get(text(data, "closure_reason")),
            closed=as_moment(data, "closed"),
            created=as_moment(data, "created"),
            timezone=text(data, "timezone"),
            interviews=interviews,
            events=events,
            feedback=feedback,
        )

    def event(self, job_ref: str, data, index: int) -> dict:
        """One history entry of the file as Restore takes it."""
        try:
            as_object(data, EVENT_FIELDS)
            actor = text(data, "actor")
            return {
                "created": as_moment(data, "at", required=True),
                "kind": text(data, "kind", True),
                "actor": self.user(actor) if actor else None,
                "visible": typed(data, "visible", (bool,), False),
                "message": text(data, "message"),
                "next_steps": text(data, "next_steps"),
                "reply_by": as_date(data, "reply_by"),
                "from_stage": self.stage(job_ref, data["from_stage"])
                if text(data, "from_stage")
                else None,
                "to_stage": self.stage(job_ref, data["to_stage"])
                if text(data, "to_stage")
                else None,
                "interview": text(data, "interview") or None,
                "via": text(data, "via"),
            }
        except Invalid as error:
            raise Invalid(f"events[{index}]: {error.message}") from None

    def interview(self, job_ref: str, data, index: int) -> dict:
        """One interview of the file as Restore takes it."""
        try:
            as_object(data, INTERVIEW_FIELDS)
            stage = text(data, "stage")
            return {
                "uid": text(data, "uid", True),
                "stage": self.stage(job_ref, stage) if stage else None,
                "sequence": typed(data, "sequence", (int,), 0),
                "starts": as_moment(data, "starts", required=True),
                "ends": as_moment(data, "ends", required=True),
                "timezone": text(data, "timezone", True),
                "format": text(data, "format", True),
                "place": text(data, "place"),
                "meeting": text(data, "meeting"),
                "prepare": text(data, "prepare"),
                "cancelled": as_moment(data, "cancelled"),
                "feedback_asked": as_moment(data, "feedback_asked"),
                "created": as_moment(data, "created"),
            }
        except Invalid as error:
            raise Invalid(f"interviews[{index}]: {error.message}") from None

    def feedback(self, job_ref: str, data, index: int) -> dict:
        """One scorecard of the file as Restore takes it."""
        try:
            as_object(data, FEEDBACK_FIELDS)
            return {
                "created": as_moment(data, "at", required=True),
                "author": self.user(text(data, "author", True), "author"),
                "stage": self.stage(job_ref, text(data, "stage", True)),
                "rating": typed(data, "rating", (int,), required=True),
                "recommendation": text(data, "recommendation", True),
                "strengths": text(data, "strengths"),
                "concerns": text(data, "concerns"),
                "share_strengths": typed(data, "share_strengths", (bool,), False),
                "share_concerns": typed(data, "share_concerns", (bool,), False),
                "edited": as_moment(data, "edited"),
                "ratings": read_ratings(typed(data, "ratings", (list,), [])),
            }
        except Invalid as error:
            raise Invalid(f"feedback[{index}]: {error.message}") from None


def _emails(data: dict, key: str) -> list[str]:
    """``data[key]`` as a list of email addresses."""
    values = typed(data, key, (list,), [])
    if not all(isinstance(v, str) for v in values):
        raise Invalid(f"{key} must be a list of email addresses")
    return values


def _existing_refs(refs: list[str], chunk: int = 500) -> set[str]:
    """The refs among ``refs`` that are already applications, a few queries in all."""
    found = set()
    for start in range(0, len(refs), chunk):
        batch = [r.strip() for r in refs[start : start + chunk]]
        query = Application.select(Application.ref).where(Application.ref.in_(batch))
        found.update(ref for (ref,) in query.tuples())
    return found


def import_document(document: dict, source: str, sync: bool = False) -> Counts:
    """Import a JSON document (already parsed) in one transaction; ``sync``: bring the
    applications already here to what it says (portal.interchange.sync)."""
    with database.atomic():
        return Importer(source, sync).run(document)


def import_json(path: str, sync: bool = False) -> Counts:
    """Import the JSON file at ``path`` in one transaction."""
    return import_document(read_document(path), path, sync)
