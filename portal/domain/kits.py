"""Interview kits: per job, and per stage where it differs, the criteria an interviewer
scores (what to assess, the questions to ask), each on the scorecard's scale of 1 to 4.

A stage without criteria of its own scores the job's kit. Criteria are kept by name when
a kit is edited, so the scorecards that rated one stay side by side with later ones; a
criterion taken out leaves its ratings with the name it had (``Rating.name``).
"""

from typing import NamedTuple

from portal.domain.base import clean_text
from portal.domain.base import require_staff
from portal.domain.stamps import JOB_CHANGED
from portal.domain.stamps import touch
from portal.errors import Invalid
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import Criterion
from portal.store.models import Job
from portal.store.models import Stage


class CriterionSpec(NamedTuple):
    """One line of a kit as it is given: what to assess, and how (the questions to ask)."""

    name: str
    guidance: str = ""


#: The kit a new job starts from: what most interviews assess, with questions to ask.
DEFAULT_KIT = (
    CriterionSpec(
        "Role knowledge",
        "Depth in the skills and tools the role needs day to day.\n"
        "Ask: Tell me about a piece of work you are proud of. What did you decide, and why?\n"
        "Ask: Which part of this role would be new to you, and how would you learn it?",
    ),
    CriterionSpec(
        "Problem solving",
        "How they take apart an unfamiliar problem, weigh the options and check the answer.\n"
        "Ask: Walk me through a problem with no obvious solution. What did you try first?\n"
        "Ask: When did you change your mind halfway through, and what made you?",
    ),
    CriterionSpec(
        "Communication",
        "Clear and honest, sized for the listener: do they explain, listen and ask?\n"
        "Ask: Explain something from your work to someone outside your field.\n"
        "Ask: Tell me about news you had to give that nobody wanted to hear.",
    ),
    CriterionSpec(
        "Collaboration",
        "How they work with others: feedback given and taken, credit shared, disagreement.\n"
        "Ask: Tell me about a disagreement with a colleague. How did it end?\n"
        "Ask: What do you need from a team to do your best work?",
    ),
)

#: The scorecard's scale, for every criterion as for the overall rating.
SCORES = range(1, 5)
#: Criteria in one kit at most: a scorecard is filled in right after an interview.
MOST = 12
NAME_LIMIT = 100
GUIDANCE_LIMIT = 2000


def kit_for(job: Job, stage: Stage | None) -> list[Criterion]:
    """The criteria scored at ``stage``, in order: its own kit, else the job's."""
    where = Criterion.stage.is_null()
    if stage is not None:
        where |= Criterion.stage == stage.id
    rows = list(
        Criterion.select()
        .where((Criterion.job == job.id) & where)
        .order_by(Criterion.position, Criterion.id)
    )
    own = [c for c in rows if c.stage_id is not None]
    return own or rows


def kits_of(job: Job) -> dict[int | None, list[Criterion]]:
    """Every kit of ``job`` in order: None the job's own, a stage's id that stage's own."""
    kits: dict[int | None, list[Criterion]] = {}
    for criterion in (
        Criterion.select().where(Criterion.job == job.id).order_by(Criterion.position, Criterion.id)
    ):
        kits.setdefault(criterion.stage_id, []).append(criterion)
    return kits


def checked(criteria) -> list[CriterionSpec]:
    """``criteria`` as a kit: (name, guidance) pairs or dicts with those keys, in order.
    A row left blank is dropped; names are required and differ (whatever their case)."""
    kit, seen = [], {}
    for number, row in enumerate(criteria, 1):
        name, guidance = (row.get("name"), row.get("guidance")) if isinstance(row, dict) else row
        name = clean_text(name, f"Criterion {number}: name", limit=NAME_LIMIT)
        guidance = clean_text(guidance, f"Criterion {number}: guidance", limit=GUIDANCE_LIMIT)
        if not name and not guidance:
            continue
        if not name:
            raise Invalid(f"Criterion {number} has guidance but no name: name it, or remove it.")
        if name.casefold() in seen:
            raise Invalid(
                f"Criterion {number} is named {name!r} like criterion {seen[name.casefold()]}: "
                "names must differ within a kit."
            )
        seen[name.casefold()] = number
        kit.append(CriterionSpec(name, guidance))
    if len(kit) > MOST:
        raise Invalid(
            f"A kit has at most {MOST} criteria ({len(kit)} given): "
            "merge some, or give a stage its own kit."
        )
    return kit


def set_kit(actor, job: Job, stage: Stage | None, criteria, seen=None) -> list[Criterion]:
    """Make ``criteria`` (in order) the job's kit, or with a ``stage`` that stage's own
    (none: the stage scores the job's kit again); the criteria as saved.

    Only staff (or the system). With ``seen`` (the job's ``job_stamp`` when the user
    loaded the kit) it is refused with ``Conflict`` if the job changed since. A change
    writes one audit entry (``JOB_CHANGED``) naming the criteria before and after.
    """
    require_staff(actor)
    if stage is not None and (stage.job_id != job.id or stage.removed is not None):
        raise Invalid(f"Stage {stage.name!r} is not part of the pipeline of job {job.ref}.")
    kit = checked(criteria)
    with database.atomic():
        touch(job, seen)
        change = _write(job, stage, kit)
        if change:
            where = {"stage": stage.name if stage is not None else None}
            audit(actor, JOB_CHANGED, f"job {job.ref}", changed=["kit"], kit={**where, **change})
    return _own(job, stage)


def first_kit(job: Job, rows: list[dict] | None = None) -> None:
    """A new job's kits (inside the caller's transaction): the default kit, or ``rows``
    as an import gives them, each ``{"stage": a stage's name or None, "name", "guidance"}``."""
    if rows is None:
        _write(job, None, list(DEFAULT_KIT))
        return
    stages = {s.name: s for s in job.stages.where(Stage.removed.is_null())}
    kits: dict[str | None, list[dict]] = {}
    for row in rows:
        kits.setdefault(row.get("stage") or None, []).append(row)
    for name, kit in kits.items():
        if name is not None and name not in stages:
            raise Invalid(f"The kit names stage {name!r}, which is not in the job's pipeline.")
        _write(job, stages[name] if name is not None else None, checked(kit))


def _own(job: Job, stage: Stage | None) -> list[Criterion]:
    """The criteria of the job's kit (``stage`` None) or of ``stage``'s own, in order."""
    where = Criterion.stage.is_null() if stage is None else Criterion.stage == stage.id
    return list(
        Criterion.select()
        .where((Criterion.job == job.id) & where)
        .order_by(Criterion.position, Criterion.id)
    )


def _write(job: Job, stage: Stage | None, kit: list[CriterionSpec]) -> dict:
    """Write ``kit`` as the job's (``stage`` None) or ``stage``'s own, inside the caller's
    transaction; what changed as the audit entry says it (empty: nothing)."""
    current = _own(job, stage)
    before = [c.name for c in current]
    existing = {c.name.casefold(): c for c in current}
    edited = []
    for position, spec in enumerate(kit):
        criterion = existing.pop(spec.name.casefold(), None)
        if criterion is None:
            criterion = Criterion(job=job, stage=stage)
        elif criterion.guidance != spec.guidance:
            edited.append(spec.name)
        if criterion.id is None or (criterion.position, criterion.name, criterion.guidance) != (
            position,
            *spec,
        ):
            criterion.position, criterion.name, criterion.guidance = position, *spec
            criterion.save()
    if existing:  # their ratings keep the names they had (Rating.criterion goes NULL)
        Criterion.delete().where(Criterion.id.in_([c.id for c in existing.values()])).execute()
    change = {}
    after = [spec.name for spec in kit]
    if before != after:
        change.update({"from": before, "to": after})
    if edited:
        change["edited"] = edited
    return change
