"""Import: an application's recorded history and scorecards, checked as the operations
that write them would check them, or made up as they would have written it."""

from portal.candidates.interviews import INTERVIEW_HEADLINES
from portal.conversation.actions import checked_via
from portal.conversation.actions import CONVERSATION_KINDS as TALK
from portal.domain.applications import VISIBLE_KINDS
from portal.domain.base import clean_text
from portal.errors import Invalid
from portal.interchange.scorecards import checked_ratings
from portal.store.models import Application
from portal.store.models import RECOMMENDATIONS


def history_of(application: Application) -> list[dict]:
    """The entries add_application and close write, for an import that brings none."""
    history = [{"kind": "created", "to_stage": application.stage, "created": application.created}]
    if application.closed and application.closure_reason is not None:
        label = application.closure_reason.label
        history.append({"kind": "closure_reason", "message": label, "created": application.closed})
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


def restored_event(row: dict) -> dict:
    """One imported history entry, checked, with every Event field (insert_many needs all)."""
    kind = clean_text(row.get("kind"), "Event kind", True, 40)
    if row.get("visible") and kind not in (*VISIBLE_KINDS, *INTERVIEW_HEADLINES, *TALK):
        raise Invalid(f"A {kind!r} event is internal and cannot be visible to the candidate.")
    if not row.get("created"):
        raise Invalid(f"The {kind!r} event needs its time.")
    return {
        "kind": kind,
        "actor": row.get("actor"),
        "visible": bool(row.get("visible")),
        "message": clean_text(row.get("message"), "Message", limit=5000),
        "next_steps": clean_text(row.get("next_steps"), "Next steps", limit=2000),
        "reply_by": row.get("reply_by"),
        "from_stage": row.get("from_stage"),
        "to_stage": row.get("to_stage"),
        "interview": row.get("interview"),
        "via": checked_via(kind, row.get("via") or ""),
        "created": row["created"],
    }


def restored_feedback(rows) -> list[dict]:
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
        if row.get("edited") and row["edited"] < row["created"]:
            raise Invalid("Feedback was corrected (edited) before it was first submitted (at).")
        scorecards.append(
            {
                "author": author,
                "stage": stage,
                "rating": row["rating"],
                "recommendation": row["recommendation"],
                "strengths": clean_text(row.get("strengths"), "Strengths"),
                "concerns": clean_text(row.get("concerns"), "Concerns"),
                "share_strengths": bool(row.get("share_strengths")),
                "share_concerns": bool(row.get("share_concerns")),
                "created": row["created"],
                "edited": row.get("edited"),
                # not a Feedback field: written after it (portal.interchange.scorecards)
                "ratings": checked_ratings(row.get("ratings") or []),
            }
        )
    return scorecards
