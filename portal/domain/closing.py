"""Closure notes: the template for an outcome at the point of the process where an
application closes (after applying, after an interview, after the final stage), chosen
for each application and filled with its details and its reason's words.

Each point of the process uses one of three templates, and only an edit of that point
changes which: its own words; the outcome's template for any point (a point chooses it,
saved as a template with no words of its own); or, until either is chosen, the
portal's words for that point (the outcome's template for any point where the portal
has none for it). So saving the template for any point changes the points that follow
it, never which template another point uses. The recruiter edits the result before
anything is sent.
"""

from peewee import fn

from portal.domain.applications import fill
from portal.domain.base import clean_text
from portal.domain.base import require_staff
from portal.domain.placeholders import check as check_placeholders
from portal.domain.placeholders import CLOSURE_NOTE
from portal.domain.reasons import fill_reason
from portal.errors import Invalid
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import CLOSED_STATUSES
from portal.store.models import CLOSING_POINTS
from portal.store.models import ClosureReason
from portal.store.models import ClosureTemplate
from portal.store.models import Event
from portal.store.models import Stage

#: How the admin names each point of the process.
POINT_LABELS = {
    "": "At any point",
    "applied": "After applying",
    "interviewed": "After an interview",
    "final": "After the final stage",
}

DEFAULT_CLOSURE_NOTES = {
    "hired": "Dear {first_name},\n\nWelcome aboard! We are delighted that you accepted our "
    "offer for the {job} role. {recruiter} will be in touch about your first day.",
    "rejected": "Dear {first_name},\n\nThank you for the time and care you gave to your "
    "application for the {job} role. We have decided not to continue with your "
    "application. {reason}\n\n{next_steps}\n\nThis was not an easy decision, and we would "
    "be glad to hear from you again for future roles.\n\nWith best wishes,\n{recruiter}",
    "withdrawn": "Dear {first_name},\n\nThank you for letting us know. We have closed your "
    "application for the {job} role. {reason}\n\n{next_steps}\n\nWe wish you every "
    "success, and our door stays open.\n\n{recruiter}",
}

#: The built-in words for a point of the process, where they differ from the outcome's.
POINT_NOTES = {
    ("rejected", "applied"): "Dear {first_name},\n\nThank you for applying for the {job} "
    "role. We have read your application carefully. We have decided not to continue "
    "with your application. {reason}\n\n{next_steps}\n\nWe would be glad to hear from you "
    "again for future roles.\n\nWith best wishes,\n{recruiter}",
    ("rejected", "interviewed"): "Dear {first_name},\n\nThank you for the time you gave "
    "us in your interview for the {job} role. We have decided not to continue with your "
    "application. {reason}\n\n{next_steps}\n\nThis was not an easy decision, and we would "
    "be glad to hear from you again for future roles.\n\nWith best wishes,\n{recruiter}",
    ("rejected", "final"): "Dear {first_name},\n\nThank you for coming with us through "
    "every stage of the process for the {job} role, and for the care you put into each. "
    "We have decided not to continue with your application: it was a close decision. "
    "{reason}\n\n{next_steps}\n\nWe would be glad to hear from you again, and we will "
    "remember you for future roles.\n\nWith best wishes,\n{recruiter}",
}


#: The history entries that bring an application to a stage (a scorecard's names one too).
ARRIVALS = ("created", "moved", "reopened")


def closing_point(application: Application) -> str:
    """Where ``application`` closes: "applied" (it never reached an interview stage),
    "interviewed", or "final" (at or past the job's last interview stage)."""
    interviews = [
        position
        for (position,) in Stage.select(Stage.position)
        .where((Stage.job == application.job_id) & Stage.interview)
        .tuples()
    ]
    if not interviews:
        return "applied"
    furthest = application.stage.position
    if application.id is not None:  # an import's application has no history in the table yet
        reached = (
            Event.select(fn.MAX(Stage.position))
            .join(Stage, on=(Event.to_stage == Stage.id))
            .where((Event.application == application.id) & Event.kind.in_(ARRIVALS))
            .scalar()
        )
        furthest = max(furthest, reached if reached is not None else furthest)
    if furthest >= max(interviews):
        return "final"
    return "interviewed" if furthest >= min(interviews) else "applied"


def built_in(status: str, point: str = "") -> str:
    """The portal's own words for ``status`` at ``point``."""
    return POINT_NOTES.get((status, point), DEFAULT_CLOSURE_NOTES[status])


def saved_templates() -> dict[tuple[str, str], str]:
    """Every saved template's body, by (outcome, point); "" for a point that follows
    the outcome's template for any point."""
    return {(t.status, t.point): t.body for t in ClosureTemplate.select()}


#: Where a point's template comes from (``template_source``).
OWN, ANY_POINT, PORTAL = "own", "any point", "portal"


def template_source(status: str, point: str = "", saved=None) -> str:
    """Which template ``status`` uses at ``point``: OWN (saved words), ANY_POINT (the
    outcome's template for any point, chosen or where the portal has no words for the
    point), or PORTAL (the portal's words for it); ``saved`` as ``saved_templates``."""
    saved = saved_templates() if saved is None else saved
    body = saved.get((status, point))
    if body:
        return OWN
    if point and (body is not None or (status, point) not in POINT_NOTES):
        return ANY_POINT
    return PORTAL


def closure_template(status: str, point: str = "", saved=None) -> str:
    """The closure template for ``status`` at ``point``, placeholders unfilled, from the
    source ``template_source`` names (``saved``: the saved templates, when the caller
    has read them already)."""
    saved = saved_templates() if saved is None else saved
    source = template_source(status, point, saved)
    if source == OWN:
        return saved[(status, point)]
    if source == ANY_POINT:
        return saved.get((status, "")) or built_in(status)
    return built_in(status, point)


def stock_notes() -> set[str]:
    """Every template's text as a textarea would post it back untouched (its line ends
    normalised): a note that is one of these was not written for anyone."""
    saved = saved_templates()
    texts = set(saved.values()) | set(DEFAULT_CLOSURE_NOTES.values()) | set(POINT_NOTES.values())
    return {plain(text) for text in texts if text}


def plain(text: str) -> str:
    """``text`` as compared with a template: a browser posts a textarea's lines in CRLF."""
    return text.replace("\r\n", "\n").strip()


def closure_note_default(
    application: Application, status: str, reason: ClosureReason | None = None
) -> str:
    """The template for closing ``application`` as ``status`` at its point of the
    process, filled with its details and ``reason``'s words for the candidate (none for
    no reason, or one they may not be told)."""
    draft = closure_note_draft(application, status)
    return fill_reason(draft, reason, lambda text: fill(text, application))


def closure_note_draft(application: Application, status: str) -> str:
    """The note a closing form starts from: the template for the application's point of
    the process with its details filled, and {reason} and {next_steps} left for the
    reason the recruiter chooses (the closure fills them; the check page shows it)."""
    return fill(closure_template(status, closing_point(application)), application)


def set_closure_template(
    actor, status: str, body: str | None, point: str = ""
) -> ClosureTemplate | None:
    """Edit the closure template of one outcome, at one point of the process ("": any
    point), and only that one: no other point changes which template it uses. For a
    point, an empty ``body`` makes it follow the outcome's template for any point; None
    gives it back the portal's words. Placeholders other than those documented
    (``placeholders.CLOSURE_NOTE``), or mistyped, are refused."""
    require_staff(actor)
    if status not in CLOSED_STATUSES:
        raise Invalid(f"There is no closure template for {status!r}.")
    if point not in ("", *CLOSING_POINTS):
        raise Invalid(f"There is no point of the process {point!r}.")
    if body is not None:
        body = clean_text(body, "Template", not point, 5000)
        check_placeholders(body, CLOSURE_NOTE, "The template")
    if body == "" and (status, point) not in POINT_NOTES:
        body = None  # without words of the portal's for it, the point follows anyway
    with database.atomic():
        if body is None:
            ClosureTemplate.delete().where(
                (ClosureTemplate.status == status) & (ClosureTemplate.point == point)
            ).execute()
            return None
        template, _ = ClosureTemplate.get_or_create(
            status=status, point=point, defaults={"body": body}
        )
        template.body = body
        template.save()
    return template
