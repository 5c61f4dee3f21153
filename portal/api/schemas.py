"""What the API takes and gives, declared once: each model validates a request body or
shapes a response, and is the JSON Schema the OpenAPI document publishes
(portal.api.spec). Field limits match the domain's, so that a body the schema accepts
is refused by the domain only for what a schema cannot know (a stage the job lacks, a
reason of another outcome)."""

from datetime import date
from datetime import datetime
from datetime import UTC
from typing import Annotated
from typing import Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import EmailStr
from pydantic import Field
from pydantic import StringConstraints

from portal.store.models import CLOSED_STATUSES
from portal.store.models import STATUSES

#: A ref the API gives a new job or application (imports may have made others).
REF_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}"
Ref = Annotated[str, StringConstraints(pattern=f"^{REF_PATTERN}$")]
#: Whitespace as the domain strips it (Python's), and as JavaScript's and Rust's \s see it.
SPACE = r"\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: Free text: anything but NUL, which the domain refuses (PostgreSQL cannot store it).
TEXT = r"^[^\x00]*$"
#: Text that must say something: more than whitespace (the domain strips it), and no NUL.
SAID = rf"^[{SPACE}]*[^\x00{SPACE}][^\x00]*$"


def text(limit: int, *, said: bool = False):
    """A text field of at most ``limit`` characters, as the domain's ``clean_text`` takes
    it: no NUL, and (``said``) not blank."""
    return StringConstraints(max_length=limit, pattern=SAID if said else TEXT)


Name = Annotated[str, text(200, said=True)]
Words = Annotated[str, text(5000)]
#: The special-use domains (RFC 6761: .test, .invalid...) that no mail is delivered to,
#: as a pattern of the address's end in any case.
_ANY_CASE = ("".join(f"[{c}{c.upper()}]" for c in name) for name in SPECIAL_USE_DOMAIN_NAMES)
SPECIAL_USE = rf"\.({'|'.join(_ANY_CASE)})$"
#: An address as the domain checks it (email-validator, without a deliverability check),
#: which refuses those domains.
Email = Annotated[
    EmailStr, Field(max_length=254, json_schema_extra={"not": {"pattern": SPECIAL_USE}})
]
Status = Literal[STATUSES]  # type: ignore[valid-type]
ClosedStatus = Literal[CLOSED_STATUSES]  # type: ignore[valid-type]
#: A moment, in UTC: the database keeps them naive, the API says so ("...Z").
Moment = Annotated[datetime, AfterValidator(lambda v: v if v.tzinfo else v.replace(tzinfo=UTC))]
Version = Annotated[
    int,
    # at most what a PostgreSQL integer holds (a larger one is no version there is)
    Field(ge=1, le=2**31 - 1, description="The application's version as you last read it."),
]


class Body(BaseModel):
    """A request body: unknown fields are refused, so that a typo is not silently lost."""

    model_config = ConfigDict(extra="forbid")


# --- jobs -------------------------------------------------------------------------------


StageName = Annotated[str, text(100, said=True)]
Steps = Annotated[str, text(2000)]


class StageIn(Body):
    name: StageName
    candidate_label: Annotated[str, text(100)] = Field(
        "", description="What the candidate reads for this stage; the name when empty."
    )
    description: Steps = ""
    next_steps: Steps = Field("", description="The default next steps of a move here.")
    follow_up_days: Annotated[int, Field(ge=0, le=60)] = Field(
        3, description="Business days within which a candidate here hears from us."
    )
    interview: bool = Field(False, description="Interviewers owe a scorecard after it.")


def _distinct(emails: list[str]) -> list[str]:
    """Each address once, as the domain tells them apart (in any case)."""
    first: dict[str, str] = {}
    for email in emails:
        first.setdefault(email.lower(), email)
    return list(first.values())


class JobIn(Body):
    title: Name
    recruiter: Email = Field(description="The email of the recruiter or admin who owns it.")
    managers: Annotated[list[Email], AfterValidator(_distinct)] = Field(
        [], max_length=50, description="The hiring managers' emails (each counts once)."
    )
    team: Annotated[str, text(200)] = ""
    location: Annotated[str, text(200)] = ""
    open: bool = True
    stages: list[StageIn] | None = Field(
        None,
        min_length=1,
        max_length=30,
        description="The pipeline in order, matched to the job's stages by name; "
        "left out: the default pipeline for a new job, unchanged for an existing one.",
    )


class Criterion(BaseModel):
    """One line of an interview kit: what is assessed, and the questions to ask."""

    name: str
    guidance: str


class Stage(BaseModel):
    name: str
    candidate_label: str
    description: str
    next_steps: str
    follow_up_days: int
    interview: bool
    kit: list[Criterion] | None = Field(
        description="This stage's own interview kit; null: the job's kit applies."
    )


class Job(BaseModel):
    ref: str
    title: str
    recruiter: str
    managers: list[str]
    team: str
    location: str
    open: bool
    stages: list[Stage]
    kit: list[Criterion] = Field(description="The interview kit of every stage without its own.")


class Rated(BaseModel):
    criterion: str
    score: int | None = Field(description="1 to 4; null: not assessed.")
    note: str


class Scorecard(BaseModel):
    """An interviewer's scorecard: internal, never shown to a candidate."""

    stage: str
    author: str
    rating: int
    recommendation: str
    strengths: str
    concerns: str
    ratings: list[Rated]
    submitted: Moment
    edited: Moment | None


class Scorecards(BaseModel):
    items: list[Scorecard]


# --- applications -----------------------------------------------------------------------


class CandidateIn(Body):
    name: Name
    email: Email


class AtsId(Body):
    """A record's id in the applicant tracking system, so that its webhooks find it here."""

    vendor: Literal["greenhouse", "lever"]
    id: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class ApplicationIn(Body):
    job: Ref = Field(description="The job's ref; an existing application stays in its job.")
    candidate: CandidateIn
    stage: StageName | None = Field(
        None, description="For a new one: where it starts (left out: the first stage)."
    )
    tell: bool = Field(False, description="For a new one: email the candidate their link.")
    ats: AtsId | None = Field(
        None,
        description="Its id in the ATS (Lever: the opportunity): that system's webhooks "
        "then move and close it here.",
    )


class Candidate(BaseModel):
    name: str
    email: str


class ClosureReason(BaseModel):
    code: str
    label: str
    told_to_candidate: bool


class Application(BaseModel):
    ref: str
    job: str
    candidate: Candidate
    stage: str
    status: Status
    reply_by: date | None
    next_steps: str
    closure_note: str
    closure_reason: ClosureReason | None
    closed: Moment | None
    asked: Moment | None = Field(description="Since when the candidate waits for an answer.")
    created: Moment
    updated: Moment
    version: int


class Word(Body):
    """What a change tells the candidate."""

    message: Words = ""
    next_steps: Steps | None = Field(
        None, description="Replaces the next steps; left out: the stage's default."
    )
    reply_by: date | None = Field(None, description="The date they will hear from us by.")
    tell: bool = Field(True, description="Email the candidate; false: a quiet correction.")


class MoveIn(Word):
    version: Version
    stage: StageName


class UpdateIn(Word):
    version: Version
    message: Annotated[str, text(5000, said=True)]
    next_steps: Steps | None = Field(None, description="Replaces the next steps; left out: kept.")


class CloseIn(Body):
    version: Version
    status: ClosedStatus
    reason: Annotated[str, text(60)] = Field(
        "", description="A code of the company's closure reasons (rejected, withdrawn)."
    )
    closure_note: Words | None = Field(
        None, description="What the candidate reads; left out: the company's template."
    )
    internal_note: Annotated[str, text(2000)] = Field(
        "", description="The team's own note on why; never shown to the candidate."
    )
    tell: bool = True


class ReopenIn(Body):
    version: Version
    stage: StageName | None = None
    message: Annotated[str, text(5000, said=True)] | None = Field(
        None, description="Left out: the prefilled word."
    )
    reply_by: date | None = None
    tell: bool = True


class NoteIn(Body):
    message: Annotated[str, text(5000, said=True)]


class HistoryEntry(BaseModel):
    """One entry of what the candidate's page shows of their history."""

    kind: str
    created: Moment
    message: str
    next_steps: str
    reply_by: date | None
    stage: str | None


class History(BaseModel):
    items: list[HistoryEntry]


class Link(BaseModel):
    url: str
    expires: Moment
    last_viewed: Moment | None


class Owed(BaseModel):
    """An application in the follow-up queue: its candidate is owed word."""

    ref: str
    job: str
    stage: str
    reply_by: date | None
    asked: Moment | None
    recruiter: str


# --- lists and problems -----------------------------------------------------------------


class ListQuery(BaseModel):
    """A page of a list, in the order records were made."""

    cursor: Annotated[str, text(40)] | None = Field(
        None, description="The next_cursor of the page before; left out: the first page."
    )
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class ApplicationQuery(ListQuery):
    job: Ref | None = Field(None, description="Only this job's applications.")
    status: Status | None = None


class QueueQuery(ListQuery):
    job: Ref | None = Field(None, description="Only this job's applications.")


class Page(BaseModel):
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null: the end."
    )


class Jobs(Page):
    items: list[Job]


class Applications(Page):
    items: list[Application]


class Queue(Page):
    items: list[Owed]


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457's application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    current: Application | None = Field(None, description="On a 409: the application as it is now.")
