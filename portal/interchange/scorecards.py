"""Interview kits and criteria ratings in the interchange document: read from a file's
records, checked as the operations check them, and written after their scorecards
(a rating is matched to the kit scored at its stage by the criterion's name)."""

from portal.domain.base import clean_text
from portal.domain.feedback import NOTE_LIMIT
from portal.domain.kits import kit_for
from portal.domain.kits import SCORES
from portal.errors import Invalid
from portal.interchange.fields import as_object
from portal.interchange.fields import KIT_FIELDS
from portal.interchange.fields import RATING_FIELDS
from portal.interchange.fields import text
from portal.interchange.fields import typed
from portal.store.models import Feedback
from portal.store.models import Rating

#: Rows per INSERT (as portal.interchange.restore writes them).
BATCH = 500


def read_kit(rows: list | None) -> list[dict] | None:
    """A job's ``kit`` as save_job takes it; None (the default kit) when the file has none."""
    if rows is None:
        return None
    kit = []
    for index, data in enumerate(rows):
        try:
            as_object(data, KIT_FIELDS)
            kit.append(
                {
                    "stage": typed(data, "stage", (str,)),
                    "name": text(data, "name", True),
                    "guidance": text(data, "guidance"),
                }
            )
        except Invalid as error:
            raise Invalid(f"kit[{index}]: {error.message}") from None
    return kit


def read_ratings(rows: list) -> list[dict]:
    """A scorecard's ``ratings`` as the file gives them, typed."""
    ratings = []
    for index, data in enumerate(rows):
        try:
            as_object(data, RATING_FIELDS)
            ratings.append(
                {
                    "name": text(data, "name", True),
                    "score": typed(data, "score", (int,)),
                    "note": text(data, "note"),
                }
            )
        except Invalid as error:
            raise Invalid(f"ratings[{index}]: {error.message}") from None
    return ratings


def checked_ratings(rows) -> list[dict]:
    """Imported ratings, checked as submit_feedback checks them: each criterion once,
    scored 1 to 4 or not at all (None)."""
    seen = set()
    ratings = []
    for row in rows:
        name = clean_text(row.get("name"), "Criterion", True, 100)
        if name.casefold() in seen:
            raise Invalid(f"The scorecard rates {name!r} twice.")
        seen.add(name.casefold())
        score = row.get("score")
        if score is not None and (isinstance(score, bool) or score not in SCORES):
            raise Invalid(f"{name}: the score must be a whole number between 1 and 4, or null.")
        note = clean_text(row.get("note"), f"{name}: note", limit=NOTE_LIMIT)
        ratings.append({"name": name, "score": score, "note": note})
    return ratings


def insert_ratings(rated: list[tuple]) -> None:
    """Write the ratings of just-inserted scorecards, each (application, scorecard) with
    its ``ratings``; a criterion no longer in its stage's kit leaves the rating its name."""
    if not rated:
        return
    ids = {}
    applications = sorted({application.id for application, _ in rated})
    for start in range(0, len(applications), BATCH):
        query = Feedback.select(
            Feedback.id, Feedback.application, Feedback.author, Feedback.stage
        ).where(Feedback.application.in_(applications[start : start + BATCH]))
        ids.update({(a, author, stage): card for card, a, author, stage in query.tuples()})
    kits: dict[int, dict[str, int]] = {}
    rows = []
    for application, card in rated:
        stage = card["stage"]
        if stage.id not in kits:
            criteria = kit_for(application.job, stage)
            kits[stage.id] = {c.name.casefold(): c.id for c in criteria}
        feedback = ids[(application.id, card["author"].id, stage.id)]
        for rating in card["ratings"]:
            criterion = kits[stage.id].get(rating["name"].casefold())
            rows.append({"feedback": feedback, "criterion": criterion, **rating})
    for start in range(0, len(rows), BATCH):
        Rating.insert_many(rows[start : start + BATCH]).execute()
