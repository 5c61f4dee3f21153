"""Why processes closed: the closures of a period counted by the company's reasons, by job
and by the stage the application closed at, for the health page and its CSV.

A closure here is an application that is rejected or withdrawn now and closed in the
period: one that was reopened since is not counted (its closure was undone), and one
closed twice counts once, for its latest reason. Hires need no reason and are left out;
closures without one (before the list, imports, scripts) count as "No reason given".
One grouped query, whatever the number of applications.
"""

from typing import NamedTuple

from peewee import fn
from peewee import JOIN

from portal.domain.reasons import REASONED
from portal.followup.metrics import Period
from portal.store.models import Application
from portal.store.models import ClosureReason
from portal.store.models import Job
from portal.store.models import Stage

#: How a closure without a reason from the list is named.
NO_REASON = "No reason given"


class ReasonCount(NamedTuple):
    """How many closures of one outcome gave one reason at one stage of one job."""

    status: str
    code: str
    reason: str
    tellable: bool | None  # None: no reason given
    job: str
    stage: str
    closures: int


class ReasonTotal(NamedTuple):
    """How many closures of one outcome gave one reason, across jobs and stages."""

    status: str
    code: str
    reason: str
    tellable: bool | None
    closures: int
    share: float  # of the outcome's closures in the period


#: What a count is of: the outcome, the reason, the job and the stage.
GROUPED = (
    Application.status,
    ClosureReason.code,
    ClosureReason.label,
    ClosureReason.tellable,
    ClosureReason.position,
    Job.title,
    Job.ref,
    Stage.name,
    Stage.position,
)


def counts(period: Period, job_id=None, recruiter_id=None) -> list[ReasonCount]:
    """The closures of ``period`` by outcome, reason, job and stage: by outcome, the
    list's order of reasons (none last), then job and pipeline order."""
    begin, end = period.bounds()
    query = (
        Application.select(*GROUPED, fn.COUNT(Application.id))
        .join(Job, on=(Application.job == Job.id))
        .join_from(Application, Stage, on=(Application.stage == Stage.id))
        .join_from(
            Application,
            ClosureReason,
            JOIN.LEFT_OUTER,
            on=(Application.closure_reason == ClosureReason.id),
        )
        .where(
            Application.status.in_(REASONED)
            & (Application.closed >= begin)
            & (Application.closed < end)
        )
    )
    if job_id:
        query = query.where(Application.job == job_id)
    if recruiter_id:
        query = query.where(Job.recruiter == recruiter_id)
    rows = query.group_by(*GROUPED).tuples()

    def order(row):
        """By outcome, the list's order (no reason last), job, then pipeline order."""
        status, code, _, _, position, title, ref, _, stage_position, _ = row
        return (status, code is None, position or 0, code or "", title.lower(), ref, stage_position)

    return [
        ReasonCount(
            status,
            code or "",
            label if code else NO_REASON,
            None if code is None else bool(tellable),
            f"{title} ({ref})",
            stage,
            count,
        )
        for status, code, label, tellable, _, title, ref, stage, _, count in sorted(rows, key=order)
    ]


def totals(rows: list[ReasonCount]) -> list[ReasonTotal]:
    """``rows`` summed per outcome and reason, in the same order, with each reason's
    share of its outcome's closures."""
    per_reason: dict[tuple[str, str], list] = {}
    per_status: dict[str, int] = {}
    for row in rows:
        key = (row.status, row.code)
        if key not in per_reason:
            per_reason[key] = [row.status, row.code, row.reason, row.tellable, 0]
        per_reason[key][4] += row.closures
        per_status[row.status] = per_status.get(row.status, 0) + row.closures
    return [
        ReasonTotal(status, code, reason, tellable, n, n / per_status[status])
        for status, code, reason, tellable, n in per_reason.values()
    ]
