"""The tables, in peewee's idiom: one model per domain noun (docs/architecture.md)."""

import json

from flask_login import UserMixin
from peewee import BooleanField
from peewee import CharField
from peewee import DateField
from peewee import DateTimeField
from peewee import ForeignKeyField
from peewee import IntegerField
from peewee import Model
from peewee import TextField
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from portal.clock import now
from portal.settings import STAFF_ROLES
from portal.store.db import database

ROLES = STAFF_ROLES
STATUSES = ("active", "hired", "rejected", "withdrawn")
CLOSED_STATUSES = STATUSES[1:]
RECOMMENDATIONS = ("strong_no", "no", "yes", "strong_yes")
INTERVIEW_FORMATS = ("video", "phone", "on_site")


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class DbInfo(BaseModel):
    """Key/value facts about the database itself (the schema version)."""

    key = CharField(primary_key=True)
    value = TextField()


class User(UserMixin, BaseModel):
    """A member of staff: admin, recruiter or manager."""

    email = CharField(unique=True)
    name = CharField()
    password_hash = CharField()
    role = CharField(choices=[(r, r) for r in ROLES])
    active = BooleanField(default=True)
    created = DateTimeField(default=now)
    #: Bumped when anything candidates see changes (the name, on their pages).
    updated = DateTimeField(default=now)
    #: Their second factor's TOTP secret (base32), once confirmed; empty: none.
    totp_secret = CharField(default="")
    #: The time step of the last code accepted, so that no code works twice.
    totp_last_step = IntegerField(default=0)

    #: The staff session this object was loaded for: Flask-Login keeps it in the cookie
    #: (``get_id``), so a cookie names a session that can be ended, never just a user.
    session_id: str | None = None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        """What the session cookie holds: the staff session's opaque id."""
        return self.session_id

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def first_name(self) -> str:
        """How the portal greets them."""
        return first_name(self.name)


class StaffSession(BaseModel):
    """One signed-in browser. The cookie names this row: signing out deletes it, and a new
    password, deactivation or "sign out everywhere" delete all of a person's."""

    id = CharField(primary_key=True)  # the SHA-256 of the random id the cookie holds
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created = DateTimeField(default=now, index=True)

    @classmethod
    def end_all(cls, user: User) -> int:
        """End every session of ``user``; how many there were."""
        return cls.delete().where(cls.user == user.id).execute()


class RecoveryCode(BaseModel):
    """A one-time code that stands in for the second factor (a lost phone): shown once
    when two-factor sign-in is turned on, kept only as a hash."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    digest = CharField(unique=True)
    used = DateTimeField(null=True)


class StaffLink(BaseModel):
    """A single-use link emailed to (or printed for) a member of staff: an invitation to
    set their password, a password reset, or a break-glass sign-in (portal.identity.links).
    The link is signed; this row decides: used, expired or superseded ends it."""

    id = CharField(primary_key=True)  # the SHA-256 of the random id the signed link carries
    user = ForeignKeyField(User, backref="links", on_delete="CASCADE")
    purpose = CharField()
    created = DateTimeField(default=now)
    expires = DateTimeField()
    used = DateTimeField(null=True)


class Job(BaseModel):
    """A role being hired for, with its recruiter, managers and pipeline."""

    ref = CharField(unique=True)
    title = CharField()
    team = CharField(default="")
    location = CharField(default="")
    recruiter = ForeignKeyField(User, backref="recruiting")
    open = BooleanField(default=True)
    #: Business days overdue after which an application is proposed for closure.
    stale_days = IntegerField(null=True)
    #: Business days within which a candidate's question is answered.
    answer_days = IntegerField(default=2)
    created = DateTimeField(default=now)
    #: Bumped by every edit of the job or its pipeline: its candidates' pages change.
    updated = DateTimeField(default=now, index=True)

    def managed_by(self, user: User) -> bool:
        return any(m.user_id == user.id for m in self.managers)


class JobManager(BaseModel):
    """A hiring manager on a job."""

    job = ForeignKeyField(Job, backref="managers", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="managed_jobs", on_delete="CASCADE")

    class Meta:
        indexes = ((("job", "user"), True),)


class Stage(BaseModel):
    """One step of a job's pipeline."""

    job = ForeignKeyField(Job, backref="stages", on_delete="CASCADE")
    position = IntegerField()
    name = CharField()
    candidate_label = CharField()
    description = TextField(default="")
    #: Business days a candidate may wait for word at this stage.
    follow_up_days = IntegerField(default=3)
    #: Managers owe feedback once an application has left an interview stage.
    interview = BooleanField(default=False)
    #: What a candidate arriving here is told to do next, unless the move says otherwise.
    next_steps = TextField(default="")
    #: Taken out of the pipeline while closed applications still sit here: hidden from
    #: the board and from every candidate, kept so that history keeps its label.
    removed = DateTimeField(null=True)

    class Meta:
        indexes = ((("job", "position"), False),)


class ClosureReason(BaseModel):
    """One of the company's reasons for ending a process: counted by job and stage, and
    told to the candidate (its sentence and what they could do next) only when it may be."""

    #: A stable key for imports and integrations (``skills_gap``).
    code = CharField(unique=True)
    #: How the team names it; never shown to the candidate.
    label = CharField()
    #: The outcome it explains: "rejected" or "withdrawn".
    status = CharField(default="rejected")
    #: Whether the candidate may be told it: then ``candidate_text`` (and ``next_steps``)
    #: are offered in their closure note.
    tellable = BooleanField(default=False)
    candidate_text = TextField(default="")
    next_steps = TextField(default="")
    position = IntegerField(default=0)
    #: No longer offered; closures that gave it keep it.
    retired = DateTimeField(null=True)


class Candidate(BaseModel):
    """A person who applies; one row per email address."""

    name = CharField()
    email = CharField(unique=True)
    created = DateTimeField(default=now)

    @property
    def first_name(self) -> str:
        """How the portal greets them."""
        return first_name(self.name)


def first_name(name: str) -> str:
    """The first word of a name, the way the portal greets a person."""
    words = name.split()
    return words[0] if words else name


class Application(BaseModel):
    """A candidate in a job's pipeline."""

    ref = CharField(unique=True)
    job = ForeignKeyField(Job, backref="applications", on_delete="CASCADE")
    candidate = ForeignKeyField(Candidate, backref="applications", on_delete="CASCADE")
    stage = ForeignKeyField(Stage, backref="applications")
    status = CharField(default="active", choices=[(s, s) for s in STATUSES])
    reply_by = DateField(null=True)
    next_steps = TextField(default="")
    closure_note = TextField(default="")
    #: Why it closed, from the company's list (None: closed without one, or before the list).
    closure_reason = ForeignKeyField(
        ClosureReason, null=True, backref="applications", on_delete="SET NULL"
    )
    #: Internal: the team's note on why it closed. Never shown to the candidate.
    closed_reason = TextField(default="")
    closed = DateTimeField(null=True)
    #: The last time the candidate was given word (a candidate-visible event).
    last_word = DateTimeField(null=True)
    #: Since when the candidate has been owed an answer: their oldest question (or
    #: request to move an interview) that nobody has answered yet.
    asked = DateTimeField(null=True, index=True)
    #: The opaque part of the application's reply address (reply+<key>@REPLY_DOMAIN):
    #: never the link's token, and useless without the inbox that knows it.
    reply_key = CharField(null=True, unique=True)
    #: The candidate's own time zone (IANA name), when known: interviews show in it too.
    timezone = CharField(default="")
    created = DateTimeField(default=now)
    updated = DateTimeField(default=now)
    #: Optimistic lock: every change bumps it, and a change made against an older
    #: version is refused so that two recruiters never overwrite each other.
    version = IntegerField(default=1)

    class Meta:
        indexes = (
            (("job", "candidate"), True),
            (("job", "status", "stage"), False),
            # Who is owed word, from the index alone (portal.followup).
            (("status", "reply_by", "job"), False),
            # Active and overdue per job, from the index alone (portal.followup.metrics).
            (("job", "status", "reply_by"), False),
            (("updated",), False),
        )

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class Interview(BaseModel):
    """An interview arranged on an application: when, how, where, whom the candidate
    meets and what to prepare, as the candidate is told it (portal.interviews)."""

    application = ForeignKeyField(Application, backref="interviews", on_delete="CASCADE")
    stage = ForeignKeyField(Stage, null=True, backref="+", on_delete="SET NULL")
    #: The calendar UID: fixed when arranged, so every update replaces the same entry.
    uid = CharField(unique=True)
    #: Raised by every change the candidate is sent (iCalendar SEQUENCE).
    sequence = IntegerField(default=0)
    #: UTC, like every stored moment; ``timezone`` is the zone it was arranged in.
    starts = DateTimeField()
    ends = DateTimeField()
    timezone = CharField()
    format = CharField(choices=[(f, f) for f in INTERVIEW_FORMATS])
    #: The address, the phone number or the video link.
    place = TextField(default="")
    #: Whom the candidate meets: one "Name, role" a line, as they should see it.
    meeting = TextField(default="")
    prepare = TextField(default="")
    cancelled = DateTimeField(null=True)
    #: When the job's managers were asked for their feedback on it (after its end).
    feedback_asked = DateTimeField(null=True)
    created = DateTimeField(default=now)
    updated = DateTimeField(default=now)

    class Meta:
        indexes = ((("application", "starts"), False), (("ends", "cancelled"), False))


class Event(BaseModel):
    """One entry of an application's history, and its audit trail."""

    application = ForeignKeyField(Application, backref="events", on_delete="CASCADE")
    actor = ForeignKeyField(User, null=True, backref="events", on_delete="SET NULL")
    kind = CharField()
    #: Shown on the candidate's page (and emailed) when true; internal otherwise.
    visible = BooleanField(default=False)
    message = TextField(default="")
    next_steps = TextField(default="")
    reply_by = DateField(null=True)
    from_stage = ForeignKeyField(Stage, null=True, backref="+", on_delete="SET NULL")
    to_stage = ForeignKeyField(Stage, null=True, backref="+", on_delete="SET NULL")
    #: The interview it is about (arranged, moved, cancelled, asked to move).
    interview = ForeignKeyField(Interview, null=True, backref="events", on_delete="SET NULL")
    #: How a candidate's words came: "page" or "email" (empty for staff and the system).
    via = CharField(default="")
    created = DateTimeField(default=now)

    class Meta:
        indexes = (
            (("application", "created"), False),
            # Follow-up health reads one kind of event over a period (portal.followup.metrics).
            (("kind", "created"), False),
        )


class Feedback(BaseModel):
    """A manager's scorecard on an application at a stage. Internal only."""

    application = ForeignKeyField(Application, backref="feedback", on_delete="CASCADE")
    author = ForeignKeyField(User, backref="feedback", on_delete="CASCADE")
    stage = ForeignKeyField(Stage, backref="+", on_delete="CASCADE")
    rating = IntegerField()
    recommendation = CharField(choices=[(r, r) for r in RECOMMENDATIONS])
    strengths = TextField(default="")
    concerns = TextField(default="")
    #: The author lets the recruiter quote these parts in the candidate's closure note.
    share_strengths = BooleanField(default=False)
    share_concerns = BooleanField(default=False)
    #: When it was first submitted: what "hidden until your own" goes by, whatever edits follow.
    created = DateTimeField(default=now)
    #: When its author last corrected it (None: never).
    edited = DateTimeField(null=True)

    class Meta:
        indexes = ((("application", "author", "stage"), True),)


#: Where in the process an application closes, for the closure note it is offered: before
#: any interview, after one, or at the job's last interview stage or beyond.
CLOSING_POINTS = ("applied", "interviewed", "final")


class ClosureTemplate(BaseModel):
    """The editable default closure note for one outcome, at one point of the process
    ("": any point without a template of its own)."""

    status = CharField()
    point = CharField(default="")
    body = TextField()

    class Meta:
        indexes = ((("status", "point"), True),)


class Criterion(BaseModel):
    """One line of a job's interview kit: what an interviewer assesses and the questions
    to ask, each rated on the scorecard's scale. ``stage`` None: the job's kit for every
    interview stage without one of its own."""

    job = ForeignKeyField(Job, backref="criteria", on_delete="CASCADE")
    stage = ForeignKeyField(Stage, null=True, backref="criteria", on_delete="CASCADE")
    position = IntegerField()
    name = CharField()
    guidance = TextField(default="")

    class Meta:
        indexes = ((("job", "stage", "position"), False),)


class Rating(BaseModel):
    """One criterion of a scorecard, rated on the scorecard's scale (None: not assessed).
    The criterion's name is kept, so a kit edited later does not rewrite a scorecard."""

    feedback = ForeignKeyField(Feedback, backref="ratings", on_delete="CASCADE")
    criterion = ForeignKeyField(Criterion, null=True, backref="+", on_delete="SET NULL")
    name = CharField()
    score = IntegerField(null=True)
    note = TextField(default="")

    class Meta:
        indexes = ((("feedback", "criterion"), False),)


class Link(BaseModel):
    """A magic link issued for an application."""

    id = CharField(primary_key=True)
    application = ForeignKeyField(Application, backref="links", on_delete="CASCADE")
    token = CharField(unique=True)
    issued = DateTimeField(default=now)
    expires = DateTimeField()
    revoked = DateTimeField(null=True)
    last_viewed = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("application", "revoked"), False),
            (("issued",), False),
            (("revoked",), False),
            (("expires",), False),
        )


class Mail(BaseModel):
    """An email to send, kept until the server has taken it."""

    application = ForeignKeyField(Application, null=True, backref="mail", on_delete="SET NULL")
    #: The candidate-visible event the mail tells of (None: a link, a digest).
    event = ForeignKeyField(Event, null=True, backref="mail", on_delete="SET NULL")
    kind = CharField()
    to = CharField()
    #: Where the candidate's answer goes: the job's recruiter (empty: the From address).
    reply_to = CharField(default="")
    #: Fixed when queued, so every retry is the same message and a resend is recognised.
    message_id = CharField(default="")
    subject = CharField()
    text = TextField()
    html = TextField(default="")
    #: An iCalendar file sent with it (an interview's invitation or cancellation).
    calendar = TextField(default="")
    created = DateTimeField(default=now)
    sent = DateTimeField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    #: When a sender took it: nobody else sends it until ``portal.mail.queue.LEASE`` has passed.
    claimed = DateTimeField(null=True)

    class Meta:
        indexes = ((("sent", "created"), False),)


class ScheduledClosure(BaseModel):
    """A closure decided now and carried out later (`portal worker`), with its email:
    until then the candidate's page is unchanged and the recruiter can cancel it."""

    application = ForeignKeyField(
        Application, unique=True, backref="scheduled_closures", on_delete="CASCADE"
    )
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    status = CharField(choices=[(s, s) for s in CLOSED_STATUSES])
    closure_note = TextField(default="")
    #: Internal, as Application.closed_reason.
    reason = TextField(default="")
    closure_reason = ForeignKeyField(ClosureReason, null=True, backref="+", on_delete="SET NULL")
    due = DateTimeField(index=True)
    created = DateTimeField(default=now)


class WordFact(BaseModel):
    """Derived for follow-up health: one candidate-visible word and how many business days
    the candidate had waited for it. Filled from the events by portal.facts."""

    event = ForeignKeyField(Event, primary_key=True, backref="+", on_delete="CASCADE")
    job = ForeignKeyField(Job, backref="+", on_delete="CASCADE")
    #: The company date of the word.
    day = DateField()
    #: Business days since the previous word (since the application, for the first).
    gap = IntegerField()

    class Meta:
        indexes = ((("day", "job", "gap"), False),)


class ClosureFact(BaseModel):
    """Derived for follow-up health: one closure, as portal.followup.facts reads its event."""

    event = ForeignKeyField(Event, primary_key=True, backref="+", on_delete="CASCADE")
    application = ForeignKeyField(Application, backref="+", on_delete="CASCADE")
    job = ForeignKeyField(Job, backref="+", on_delete="CASCADE")
    day = DateField()
    #: Business days from entering the last interview stage; None without an interview.
    wait = IntegerField(null=True)
    #: The closure carried a note for the candidate.
    noted = BooleanField()
    #: The candidate said "got it" on their page.
    acknowledged = BooleanField(default=False)

    class Meta:
        indexes = ((("day", "job"), False),)


class Reminder(BaseModel):
    """One digest sent to one member of staff on one day: `portal remind` sends each at
    most once a day, however often cron runs it."""

    user = ForeignKeyField(User, backref="reminders", on_delete="CASCADE")
    day = DateField()
    kind = CharField()
    items = IntegerField(default=0)
    created = DateTimeField(default=now)

    class Meta:
        indexes = ((("user", "day", "kind"), True),)


class Task(BaseModel):
    """Work for `portal worker`, queued by a request that must not do it itself: its
    answer must not wait for it, or tell by its timing what it found. A task is deleted
    once done, so its payload (which may name a person) goes too."""

    kind = CharField()
    payload = TextField(default="{}")  # JSON
    created = DateTimeField(default=now)
    #: When a worker took it: nobody else runs it until the lease has passed.
    claimed = DateTimeField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")

    class Meta:
        indexes = ((("claimed", "id"), False),)

    @classmethod
    def enqueue(cls, kind: str, **payload) -> "Task":
        """Queue ``kind`` with ``payload`` for the worker."""
        return cls.create(kind=kind, payload=json.dumps(payload, sort_keys=True))


class ErasureRequest(BaseModel):
    """A candidate asked, from their page, for everything about them to be erased
    (portal.privacy.actions carries it out; the row goes with the candidate)."""

    candidate = ForeignKeyField(Candidate, backref="erasure_requests", on_delete="CASCADE")
    #: The application whose page asked: a link reaches only its own application, so the
    #: request erases that one (None: a request from before requests were scoped).
    application = ForeignKeyField(
        Application, null=True, backref="erasure_requests", on_delete="CASCADE"
    )
    #: Whether asking withdrew the application, so that cancelling can reopen it.
    withdrew = BooleanField(default=False)
    requested = DateTimeField(default=now)
    #: When `portal purge` carries it out unless a recruiter did so before.
    due = DateTimeField(index=True)


class AuditEntry(BaseModel):
    """Who did what the audit log keeps, when: exports and erasures of personal data
    (portal.privacy.actions) and changes to jobs (portal.domain.jobs). Holds no candidate
    data itself: the subject is an opaque id or a job's ref, the detail counts, references
    and staff names (``portal.store.audit.audit`` writes every entry)."""

    created = DateTimeField(default=now, index=True)
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    #: export, erasure, erasure_request, erasure_cancelled, purge, job_changed,
    #: details_changed
    action = CharField()
    subject = CharField(default="")
    detail = TextField(default="")


class IntegrationToken(BaseModel):
    """A key an integration (an applicant tracking system, a script) signs the API in
    with (portal.api.tokens): shown once when an admin makes it, kept only as a hash.
    ``scope``: read, or write (read and write)."""

    #: The first characters of the secret, kept to tell tokens apart in the admin.
    prefix = CharField()
    #: SHA-256 of the whole secret: a copy of the database holds no usable token.
    digest = CharField(unique=True)
    name = CharField()
    scope = CharField(choices=[("read", "read"), ("write", "write")])
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created = DateTimeField(default=now)
    last_used = DateTimeField(null=True)
    revoked = DateTimeField(null=True)


class IdempotentRequest(BaseModel):
    """A write the API carried out under an ``Idempotency-Key``: the same key again from
    the same token gets the same response, and nothing is done twice."""

    token = ForeignKeyField(IntegrationToken, backref="+", on_delete="CASCADE")
    key = CharField()
    #: Method, path and a hash of the body: the key reused for another request is refused.
    fingerprint = CharField()
    status = IntegerField()
    body = TextField()
    created = DateTimeField(default=now, index=True)

    class Meta:
        indexes = ((("token", "key"), True),)


class WebhookEndpoint(BaseModel):
    """Where an admin asked us to send what candidates do (portal.integrations.outbound),
    signed by the Standard Webhooks scheme with ``secret``."""

    url = CharField()
    description = CharField(default="")
    #: ``whsec_`` and the base64 key: kept as it is, since signing needs it.
    secret = CharField()
    #: The event types it wants, space-separated; empty: all of them.
    types = TextField(default="")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created = DateTimeField(default=now)
    disabled = DateTimeField(null=True)


class OutboundEvent(BaseModel):
    """One event for one endpoint, written in the transaction of the change it tells
    (portal.domain.outbox), delivered and retried by the worker until the endpoint
    answers 2xx or the attempts run out."""

    endpoint = ForeignKeyField(WebhookEndpoint, backref="events", on_delete="CASCADE")
    #: What it is about: erasing the application takes its events' words with it.
    application = ForeignKeyField(Application, null=True, backref="+", on_delete="CASCADE")
    #: The ``webhook-id``: the same on every attempt, so a receiver can drop repeats.
    msg_id = CharField(unique=True)
    type = CharField()
    payload = TextField()
    created = DateTimeField(default=now)
    attempts = IntegerField(default=0)
    next_attempt = DateTimeField(default=now)
    claimed = DateTimeField(null=True)
    delivered = DateTimeField(null=True)
    #: Set when the attempts ran out (replaying clears it).
    failed = DateTimeField(null=True)
    last_status = IntegerField(null=True)
    last_error = TextField(default="")

    class Meta:
        indexes = ((("delivered", "failed", "next_attempt"), False),)


class ExternalRecord(BaseModel):
    """A job, application or candidate of ours as an applicant tracking system knows it
    (portal.integrations): its id there, and for an application the time of the newest
    change from there that was applied, so that an older delivery arriving late changes
    nothing. A candidate is known by one of their applications."""

    vendor = CharField()
    kind = CharField(choices=[(k, k) for k in ("job", "application", "candidate")])
    external_id = CharField()
    job = ForeignKeyField(Job, null=True, backref="+", on_delete="CASCADE")
    application = ForeignKeyField(Application, null=True, backref="+", on_delete="CASCADE")
    #: When the ATS made the newest change applied here (its own clock).
    changed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("vendor", "kind", "external_id"), True),)


class StageMapping(BaseModel):
    """What a stage of the ATS (or, for Lever, a reason to archive) means for one job of
    ours: one of its stages, with the message the recruiter wants sent on a move there
    (empty: the stage's own words), or an outcome to close as. Neither yet: seen in a
    delivery and held until someone says."""

    job = ForeignKeyField(Job, backref="stage_mappings", on_delete="CASCADE")
    vendor = CharField()
    external_stage = CharField()
    #: The ATS's name for it, as last seen, to show in the admin.
    external_name = CharField(default="")
    stage = ForeignKeyField(Stage, null=True, backref="+", on_delete="CASCADE")
    #: hired, rejected or withdrawn: arriving here closes the application so.
    outcome = CharField(default="")
    message = TextField(default="")

    class Meta:
        indexes = ((("job", "vendor", "external_stage"), True),)


class InboundDelivery(BaseModel):
    """A webhook an ATS sent (portal.integrations.inbound): kept to drop a repeat, and,
    while it is held for someone to look at, with its body."""

    vendor = CharField()
    delivery_id = CharField()
    received = DateTimeField(default=now, index=True)
    event = CharField(default="")
    #: applied, duplicate, stale, ignored, held, resolved or dismissed.
    outcome = CharField()
    #: Why it was held or ignored, in words for the admin's "needs attention" list.
    reason = TextField(default="")
    body = TextField(default="")

    class Meta:
        indexes = ((("vendor", "delivery_id"), True), (("outcome", "received"), False))


MODELS = [
    DbInfo,
    User,
    StaffSession,
    StaffLink,
    RecoveryCode,
    Task,
    Job,
    JobManager,
    Stage,
    Candidate,
    Application,
    Interview,
    Event,
    Feedback,
    ClosureTemplate,
    ClosureReason,
    Criterion,
    Rating,
    Link,
    Mail,
    ScheduledClosure,
    Reminder,
    WordFact,
    ClosureFact,
    ErasureRequest,
    AuditEntry,
    IntegrationToken,
    IdempotentRequest,
    WebhookEndpoint,
    OutboundEvent,
    ExternalRecord,
    StageMapping,
    InboundDelivery,
]
