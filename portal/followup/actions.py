"""Follow-up actions: the words a candidate is sent (holding update, closure notes with
placeholders, shared feedback) and the bulk actions of the follow-up queue.

Every change of state still goes through ``portal.domain`` (move, post_update, close):
the bulk operations only wrap many of those calls in one transaction, so that a failure
part-way changes nothing.
"""

from dataclasses import dataclass
from datetime import date

from peewee import JOIN

from portal import dates
from portal import domain
from portal.clock import today
from portal.domain import fill
from portal.domain.closing import plain
from portal.domain.closing import stock_notes
from portal.domain.queries import rows
from portal.errors import Invalid
from portal.errors import NotFound
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Feedback
from portal.store.models import Stage
from portal.store.models import User

# --- words for the candidate -----------------------------------------------------------

HOLDING_UPDATE = (
    "Hello {first_name},\n\n"
    "We have no decision yet on your application for the {job} role, and we did not want "
    "to leave you waiting without word. You are still very much under consideration. "
    "You will hear from us by {reply_by}.\n\n"
    "{recruiter}"
)


def holding_update(application: Application, day: date | None = None) -> tuple[str, date]:
    """The pre-filled "no decision yet" update and the new reply-by date it promises."""
    reply_by = domain.reply_by_default(application.stage, day or today())
    text = HOLDING_UPDATE.replace("{reply_by}", dates.in_words(reply_by))
    return fill(text, application), reply_by


def stale_note(application: Application) -> str:
    """The humane default note proposed when an application has gone quiet too long."""
    return domain.closure_note_default(application, "rejected")


# --- bulk actions, one transaction each -------------------------------------------------


def chosen(pairs) -> list[tuple[Application, int]]:
    """The applications of ``(id, version)`` pairs from a form, in the order given."""
    pairs = [(int(id_), int(version)) for id_, version in pairs]
    if not pairs:
        raise Invalid("Choose at least one application.")
    found = {a.id: a for a in rows().where(Application.id.in_([i for i, _ in pairs]))}
    missing = [str(i) for i, _ in pairs if i not in found]
    if missing:
        raise NotFound(f"Application {', '.join(missing)} no longer exists; reload the page.")
    return [(found[i], version) for i, version in pairs]


def notes_for(items, status: str, note: str) -> list[str]:
    """The note to close each application of ``items`` as ``status`` with, its
    placeholders filled: a template left as it was (another outcome's too: a hire must
    never be sent the rejection) gives way to each one's own template for this outcome
    at its point of the process; a note written for the batch is used for all."""
    if plain(note) not in stock_notes():
        return [fill(note, application) for application, _ in items]
    return [domain.closure_note_draft(application, status) for application, _ in items]


def close_many(
    actor, items, status: str, note: str, reason: str = "", tell=True, closure_reason=None
) -> int:
    """Close every application of ``items`` with one note (placeholders filled per
    candidate) and one reason from the list: all of them, or none if any one fails."""
    if not items:
        raise Invalid("Choose at least one application.")
    with database.atomic():
        for (application, version), text in zip(items, notes_for(items, status, note), strict=True):
            domain.close(
                actor,
                application,
                version,
                status,
                text,
                reason,
                tell=tell,
                closure_reason=closure_reason,
            )
    return len(items)


def move_many(actor, items, stage_name: str, message: str = "", next_steps=None, tell=True) -> int:
    """Move every application of ``items`` to its job's stage named ``stage_name``:
    all of them, or none if any one fails. Without ``next_steps``, each gets its stage's."""
    if not items:
        raise Invalid("Choose at least one application.")
    job_ids = {application.job_id for application, _ in items}
    stages = {
        s.job_id: s
        for s in Stage.select().where(
            Stage.job.in_(job_ids) & (Stage.name == stage_name) & Stage.removed.is_null()
        )
    }
    with database.atomic():
        for application, version in items:
            stage = stages.get(application.job_id)
            if stage is None:
                raise Invalid(f"Job {application.job.ref} has no stage named {stage_name!r}.")
            domain.move(
                actor,
                application,
                stage,
                version,
                fill(message, application),
                next_steps,
                tell=tell,
            )
    return len(items)


def stage_names(job_ids=None) -> list[str]:
    """Stage names to offer for a bulk move, in pipeline order (removed stages are no
    step anyone can be moved to)."""
    query = Stage.select(Stage.name, Stage.position).where(Stage.removed.is_null())
    if job_ids:
        query = query.where(Stage.job.in_(list(job_ids)))
    seen: dict[str, int] = {}
    for name, position in query.tuples():
        seen[name] = min(position, seen.get(name, position))
    return sorted(seen, key=lambda name: (seen[name], name))


# --- shareable feedback ------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """One part of a manager's feedback that its author lets the candidate read."""

    key: str  # "<feedback id>-strengths" or "<feedback id>-concerns"
    author: str
    part: str  # "strengths" or "concerns"
    text: str


def shareable(application: Application) -> list[Shared]:
    """Every part of the feedback on ``application`` that its author shared, oldest first."""
    parts = []
    query = (
        Feedback.select(Feedback, User)
        .join(User, JOIN.INNER, on=(Feedback.author == User.id))
        .where(
            (Feedback.application == application)
            & (Feedback.share_strengths | Feedback.share_concerns)
        )
        .order_by(Feedback.created, Feedback.id)
    )
    for feedback in query:
        for part in ("strengths", "concerns"):
            text = getattr(feedback, part)
            if getattr(feedback, f"share_{part}") and text:
                parts.append(Shared(f"{feedback.id}-{part}", feedback.author.name, part, text))
    return parts
