"""The company's closure reasons in the JSON document: ``closure_reasons``, each by its
``code``, and each application's ``closure_reason`` by that code."""

from portal.domain import reasons
from portal.errors import Invalid
from portal.interchange.fields import as_moment
from portal.interchange.fields import as_object
from portal.interchange.fields import Counts
from portal.interchange.fields import label
from portal.interchange.fields import naming
from portal.interchange.fields import text
from portal.interchange.fields import typed
from portal.store.models import ClosureReason

REASON_FIELDS = (
    *("code", "label", "status", "tellable", "candidate_text", "next_steps", "position"),
    "retired",
)


def exported():
    """Every reason of the list as it is stored, retired ones too, in the list's order."""
    query = ClosureReason.select().order_by(
        ClosureReason.status, ClosureReason.position, ClosureReason.id
    )
    for reason in query:
        yield {
            "code": reason.code,
            "label": reason.label,
            "status": reason.status,
            "tellable": reason.tellable,
            "candidate_text": reason.candidate_text,
            "next_steps": reason.next_steps,
            "position": reason.position,
            "retired": _iso(reason.retired),
        }


def _iso(moment):
    """As export.iso writes a time (which imports this module: the document's sections)."""
    return moment and moment.replace(microsecond=0).isoformat() + "Z"


def codes() -> dict[int, str]:
    """Each stored reason's code by id, for the applications that gave it."""
    return dict(ClosureReason.select(ClosureReason.id, ClosureReason.code).tuples())


class Reasons:
    """The reasons of one import: its section restored first (before anything seeds the
    list, so that a file's reasons are restored as they were), then looked up by code."""

    def __init__(self, source: str, counts: Counts):
        self.source, self.counts = source, counts
        self.found: dict[str, ClosureReason | None] = {}

    def section(self, rows: list) -> None:
        """Restore the reasons not yet there (by code); leave the others as they are."""
        seen = {}
        for index, data in enumerate(rows):
            with naming(self.source, label("closure_reasons", index, data, "code")):
                as_object(data, REASON_FIELDS)
                code = text(data, "code", True).strip()
                if code in seen:
                    raise Invalid(f"duplicate code {code} (also closure_reasons[{seen[code]}])")
                seen[code] = index
                if ClosureReason.select().where(ClosureReason.code == code).exists():
                    self.counts.present["closure_reasons"] += 1
                    continue
                reasons.restore_reason(
                    code=code,
                    label=text(data, "label", True),
                    status=text(data, "status", True),
                    tellable=typed(data, "tellable", (bool,), False),
                    candidate_text=text(data, "candidate_text"),
                    next_steps=text(data, "next_steps"),
                    position=typed(data, "position", (int,), index),
                    retired=as_moment(data, "retired"),
                )
                self.counts.created["closure_reasons"] += 1

    def get(self, code: str) -> ClosureReason | None:
        """The reason ``code`` names (None for none), or Invalid naming the unknown code."""
        code = code.strip()
        if not code:
            return None
        if code not in self.found:
            self.found[code] = reasons.by_code(code)
        if self.found[code] is None:
            raise Invalid(f"unknown closure_reason {code!r} (not in the file's nor the list)")
        return self.found[code]
