"""The company's list of closure reasons: why a process ended, counted by job and stage,
and told to the candidate only when the reason may be told (its sentence, and what they
could do next), the way the UK DfE's apply service shows structured reasons with next
steps matched to each.

The list starts as ``DEFAULT_REASONS`` (portal.domain.default_reasons), written the
first time anything writes that needs it (``seed``: a closure, an edit, an import) and
read as those defaults, unsaved, until then, so that no page view writes. Not when the
schema is created: that is the store's layer and knows nothing of the company's words;
and not only in `portal init-db`: a database upgraded from before the list would have
none to choose from. A list that has any reason, even retired, is never seeded again.
Only admins change it (or the system: the import); every change is audited.
"""

import re

import peewee

from portal.clock import now
from portal.domain.base import clean_text
from portal.domain.default_reasons import DEFAULT_REASONS
from portal.domain.default_reasons import OWN_WITHDRAWAL
from portal.domain.default_reasons import SYSTEM_REASONS
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.errors import NotFound
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import ClosureReason
from portal.store.models import User

#: The outcomes a reason explains; a hire needs none.
REASONED = ("rejected", "withdrawn")

#: The placeholders of a closure note that a tellable reason fills, as ``fill_reason``
#: splits them out of the note.
PLACEHOLDERS = re.compile(r"\{(reason|next_steps)\}")


def seed() -> None:
    """Fill an empty list with ``DEFAULT_REASONS``; a list with any reason is left alone.
    Only what writes seeds (a closure, an edit, an import): reading an empty list gives
    the defaults unsaved, so that no page view writes."""
    if ClosureReason.select().exists():
        return
    rows = [{**d._asdict(), "position": n} for n, d in enumerate(DEFAULT_REASONS)]
    try:
        with database.atomic():
            ClosureReason.insert_many(rows).execute()
    except peewee.IntegrityError:
        pass  # another request seeded it at the same moment: the list is there


def company_list() -> list[ClosureReason]:
    """Every reason, retired ones too, by outcome and position (the defaults, unsaved,
    while the list was never written)."""
    rows = list(
        ClosureReason.select().order_by(
            ClosureReason.status, ClosureReason.position, ClosureReason.id
        )
    )
    if rows:
        return rows
    defaults = [ClosureReason(**d._asdict(), position=n) for n, d in enumerate(DEFAULT_REASONS)]
    return sorted(defaults, key=lambda r: (r.status, r.position))


def offered(status: str | None = None) -> list[ClosureReason]:
    """The reasons staff may choose when closing (as ``status``): not retired, and not
    one that only the system sets (``SYSTEM_REASONS``)."""
    return [
        r
        for r in company_list()
        if r.retired is None and r.code not in SYSTEM_REASONS and status in (None, r.status)
    ]


def find(code: str) -> ClosureReason | None:
    """The reason ``code`` as the list reads now (unsaved while never written), to show."""
    return next((r for r in company_list() if r.code == code), None)


def by_code(code: str) -> ClosureReason | None:
    """The stored reason ``code``, retired or not, for a change to refer to (the list is
    seeded first); None when there is none."""
    seed()
    return ClosureReason.get_or_none(ClosureReason.code == code)


def system_reason(code: str) -> ClosureReason:
    """The reason ``code`` of ``SYSTEM_REASONS`` (a candidate's own withdrawal, the
    reminder's automatic closure), made if the list lacks it: a list written before the
    reason existed, or someone deleted it from the database."""
    reason = by_code(code)
    if reason is None:
        default = next(d for d in DEFAULT_REASONS if d.code == code)
        reason, _ = ClosureReason.get_or_create(code=code, defaults=default._asdict())
    return reason


def checked_reason(actor: User | None, status: str, value) -> ClosureReason | None:
    """The reason ``value`` (a code or a row; empty for none) of a closure as ``status``,
    checked: a member of staff rejecting or withdrawing gives one from the list (the
    system, ``actor`` None, may close without: imports, scripts); a retired reason or
    one of another outcome is refused."""
    if value is None or value == "":
        if actor is not None and status in REASONED:
            raise Invalid(
                f"Choose why it closed from the list of reasons for {status} applications; "
                "anything more goes in the internal note."
            )
        return None
    reason = value if isinstance(value, ClosureReason) else by_code(str(value).strip())
    if reason is None:
        raise Invalid(f"There is no closure reason {value!r}: choose one from the list.")
    if status not in REASONED:
        raise Invalid(f"A {status} application needs no reason: choose none.")
    if reason.status != status:
        raise Invalid(
            f"“{reason.label}” is a reason for {reason.status} applications, not {status} "
            "ones: choose another reason or outcome."
        )
    if reason.retired is not None:
        raise Invalid(f"“{reason.label}” is no longer offered: choose a current reason.")
    return reason


def words(reason: ClosureReason | None) -> tuple[str, str]:
    """What the candidate may be told of ``reason``: its sentence and what they could do
    next; nothing at all for a reason that may not be told."""
    if reason is None or not reason.tellable:
        return "", ""
    return reason.candidate_text, reason.next_steps


def withdrew_themselves(status: str, code: str | None) -> bool:
    """Whether a process closed as ``status`` for the reason ``code`` ended because the
    candidate withdrew: on their page, or by asking for their data to be erased (both
    count it under OWN_WITHDRAWAL). Only then may their page and email say "as you
    asked"; a withdrawal by staff (the candidate stopped replying, say) is not theirs."""
    return status == "withdrawn" and code == OWN_WITHDRAWAL


def fill_reason(note: str, reason: ClosureReason | None, fill_words=None) -> str:
    """``note`` with {reason} and {next_steps} as ``reason``'s words for the candidate
    (empty for no reason, or one they may not be told), and every other placeholder of
    the note and of those words filled by ``fill_words`` ({first_name}, {job}...): in one
    pass, so that nothing filled in is read as a placeholder again. Where the reason
    leaves one empty, the blank lines and spaces it leaves go, whatever the note's line
    ends (a browser posts CRLF): never three line ends in a row, nor a line ending in
    spaces."""
    fill_words = fill_words or str
    pieces = PLACEHOLDERS.split(note.replace("\r\n", "\n"))
    if len(pieces) == 1:
        return fill_words(pieces[0])
    sentence, next_steps = (fill_words(text) for text in words(reason))
    said = {"reason": sentence, "next_steps": next_steps}
    text = fill_words(pieces[0])
    for name, after in zip(pieces[1::2], pieces[2::2], strict=True):
        if said[name]:
            text += said[name]
        else:  # the spaces around an empty one go with it
            text = text.rstrip(" \t")
            after = after.lstrip(" \t") if not text or text.endswith("\n") else after
        text += fill_words(after)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- the admin's changes to the list ---------------------------------------------------


def require_admin(actor: User | None) -> None:
    """Only an admin (or the system) changes the company's list."""
    if actor is not None and actor.role != "admin":
        raise Forbidden("Only an admin can change the list of closure reasons.")


def _code(label: str) -> str:
    """A new reason's code from its label: lower-case words joined by underscores, made
    unique with a number when taken."""
    base = "_".join(re.findall(r"[a-z0-9]+", label.lower()))[:50].strip("_") or "reason"
    code, n = base, 1
    while ClosureReason.select().where(ClosureReason.code == code).exists():
        n += 1
        code = f"{base}_{n}"
    return code


def _checked(label, tellable, candidate_text, next_steps, status, reason=None) -> dict:
    """A reason's fields, checked as every writer of the list checks them."""
    label = clean_text(label, "Label", True, 200)
    candidate_text = clean_text(candidate_text, "Sentence for the candidate", limit=1000)
    next_steps = clean_text(next_steps, "What they could do next", limit=1000)
    if tellable and not candidate_text:
        raise Invalid("A reason the candidate is told needs the sentence they read.")
    if status not in REASONED:
        raise Invalid(f"A closure reason explains {' or '.join(REASONED)} applications.")
    same = ClosureReason.select().where(
        (ClosureReason.status == status) & (peewee.fn.LOWER(ClosureReason.label) == label.lower())
    )
    if reason is not None:
        same = same.where(ClosureReason.id != reason.id)
    if same.exists():
        raise Invalid(f"There is already a {status} reason “{label}”: edit that one.")
    return {
        "label": label,
        "tellable": bool(tellable),
        "candidate_text": candidate_text,
        "next_steps": next_steps,
    }


def _new_code(code: str, label: str) -> str:
    """``code`` checked, or one made from ``label``; refused when taken."""
    code = clean_text(code, "Code", limit=60) or _code(label)
    if not re.fullmatch(r"[a-z0-9_]+", code):
        raise Invalid(f"The code {code!r} is not lower-case letters, digits and underscores.")
    if ClosureReason.select().where(ClosureReason.code == code).exists():
        raise Invalid(f"The code {code} is taken: choose another.")
    return code


def save_reason(
    actor: User | None,
    reason: ClosureReason | None = None,
    *,
    label: str,
    tellable: bool,
    candidate_text: str = "",
    next_steps: str = "",
    status: str = "rejected",
    code: str = "",
) -> ClosureReason:
    """Add a reason (``reason`` None) or edit one. A reason's outcome and code are fixed
    once made: closures and imports name it by code, and counts go by outcome."""
    require_admin(actor)
    status = reason.status if reason is not None else status
    with database.atomic():
        if reason is None:
            seed()  # the defaults first: a new reason joins the list, not replaces it
        fields = _checked(label, tellable, candidate_text, next_steps, status, reason)
        if reason is None:
            last = ClosureReason.select(peewee.fn.MAX(ClosureReason.position)).scalar()
            reason = ClosureReason.create(
                code=_new_code(code, fields["label"]),
                status=status,
                position=(last or 0) + 1,
                **fields,
            )
            audit(actor, "closure_reason_added", reason.code, status=status)
            return reason
        changed = sorted(name for name, value in fields.items() if getattr(reason, name) != value)
        for name, value in fields.items():
            setattr(reason, name, value)
        reason.save()
        if changed:
            audit(actor, "closure_reason_changed", reason.code, fields=changed)
    return reason


def restore_reason(
    *, code: str, status: str, position: int, retired=None, **words
) -> ClosureReason:
    """Recreate an exported reason as it was (the import's counterpart of save_reason):
    its code, place in the list and retirement kept, its words checked alike."""
    fields = _checked(status=status, **words)
    reason = ClosureReason.create(
        code=_new_code(code, fields["label"]),
        status=status,
        position=position,
        retired=retired,
        **fields,
    )
    audit(None, "closure_reason_added", reason.code, status=status, imported=True)
    return reason


def retire_reason(actor: User | None, reason: ClosureReason, retired: bool = True) -> None:
    """Stop offering ``reason`` (closures that gave it keep it), or offer it again."""
    require_admin(actor)
    if (reason.retired is not None) == retired:
        state = "retired" if retired else "offered"
        raise Invalid(f"“{reason.label}” is already {state}.")
    with database.atomic():
        reason.retired = now() if retired else None
        reason.save()
        action = "closure_reason_retired" if retired else "closure_reason_offered"
        audit(actor, action, reason.code)


def reason_or_404(code: str) -> ClosureReason:
    """The stored reason ``code`` (the list seeded first), or NotFound."""
    reason = by_code(code)
    if reason is None:
        raise NotFound("That closure reason no longer exists; reload the page.")
    return reason
