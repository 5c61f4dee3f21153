"""Follow-up health: the numbers per job and per recruiter over a period, as a page with
server-rendered SVG charts (readable without JavaScript) and as a CSV download."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from flask import abort
from flask import render_template
from flask import request
from flask import Response

from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import number_arg
from portal.clock import today
from portal.domain import queries
from portal.domain import STAFF
from portal.followup import metrics
from portal.followup import reason_counts

#: The longest period one page may cover.
MAX_DAYS = 3 * 366
#: Bars per chart; the table below it has every row.
CHART_ROWS = 12
#: The longest bar, in the SVG's units (360 wide: room for the value beside it).
BAR_WIDTH = 250
#: Candidates should hear from us every two or three business days.
TARGET_GAP = 3
#: The dates a period may cover: far enough either way for any real hiring, near enough
#: that a period's ends and the default start (89 days back) are valid times in any zone.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


def _date(name: str, default: date | None) -> date | None:
    value = request.args.get(name, "")
    if not value:
        return default
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400, f"The {name} date {value!r} is not a date: use YYYY-MM-DD.")
    if not FIRST_DAY <= day <= LAST_DAY:
        abort(
            400,
            f"The {name} date {value} is out of range: choose a date from "
            f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.",
        )
    return day


def chosen() -> dict:
    """The period and filters from the query string, checked."""
    end = _date("end", today())
    start = _date("start", None) or max(FIRST_DAY, end - timedelta(days=89))
    if start > end:
        abort(400, "The period starts after it ends: swap the dates.")
    if (end - start).days >= MAX_DAYS:
        abort(400, f"Choose a period of at most {MAX_DAYS} days.")
    by = request.args.get("by", "job")
    return {
        "start": start,
        "end": end,
        "job": number_arg("job") or None,
        "recruiter": number_arg("recruiter") or None,
        "by": by if by in ("job", "recruiter") else "job",
    }


def _reasons(args: dict):
    """The period's closures by reason, job and stage, with the page's filters."""
    return reason_counts.counts(
        metrics.Period(args["start"], args["end"]),
        job_id=args["job"],
        recruiter_id=args["recruiter"],
    )


def _health(args: dict):
    return metrics.health(
        metrics.Period(args["start"], args["end"]),
        job_id=args["job"],
        recruiter_id=args["recruiter"],
    )


@dataclass
class Bar:
    """One bar of a horizontal bar chart, in the SVG's own units."""

    label: str
    text: str
    y: int
    width: float
    warn: bool


@dataclass
class Chart:
    """A horizontal bar chart: rows worst first, and where the target line falls."""

    bars: list
    height: int
    target_x: float | None
    left_out: int


def bar_chart(rows, value, text, worse_than=None, maximum=None) -> Chart:
    """Bars for the rows that have a ``value``, largest first; ``worse_than`` colours
    and marks the bars beyond it."""
    scored = sorted(
        ((value(row), row) for row in rows if value(row) is not None), key=lambda p: -p[0]
    )
    shown = scored[:CHART_ROWS]
    top = maximum or max([v for v, _ in shown] + [worse_than or 0, 1e-9])
    bars = [
        Bar(
            row.label,
            text(v),
            40 * i,
            BAR_WIDTH * v / top,
            worse_than is not None and v > worse_than,
        )
        for i, (v, row) in enumerate(shown)
    ]
    target = BAR_WIDTH * worse_than / top if worse_than is not None else None
    return Chart(bars, 40 * len(bars) + 4, target, len(scored) - len(shown))


def days(value) -> str:
    """A number of business days, as people say it."""
    if value is None:
        return "–"
    number = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{number} day{'s' if value != 1 else ''}"


def share(value) -> str:
    """A share as a whole percentage."""
    return "–" if value is None else f"{round(100 * value)}%"


def rating(value) -> str:
    return "–" if value is None else f"{value:.1f} / 5"


@bp.route("/metrics/", endpoint="metrics")
@staff_required
def metrics_page():
    """Follow-up health per job and per recruiter over a period, with charts."""
    args = chosen()
    jobs, people, overall = _health(args)
    rows = jobs if args["by"] == "job" else people
    charts = {
        "gap": bar_chart(rows, lambda h: h.median_gap, days, worse_than=TARGET_GAP),
        "overdue": bar_chart(rows, lambda h: h.overdue_share, share, worse_than=0.2, maximum=1),
    }
    why = _reasons(args)
    total = sum(overall.ratings.values())
    ratings = [(score, overall.ratings.get(score, 0)) for score in range(1, 6)]
    peak = max([n for _, n in ratings] + [1])
    return render_template(
        "admin/metrics.html",
        args=args,
        query={k: (v.isoformat() if isinstance(v, date) else v) for k, v in args.items() if v},
        jobs=jobs,
        people=people,
        overall=overall,
        charts=charts,
        ratings=[(score, n, 120 * n / peak) for score, n in ratings],
        rated=total,
        all_jobs=queries.job_choices(open_first=False),
        recruiters=queries.staff(STAFF),
        days=days,
        share=share,
        rating=rating,
        target=TARGET_GAP,
        reasons=why,
        reason_totals=reason_counts.totals(why),
    )


COLUMNS = (
    "scope",
    "name",
    "median_business_days_between_words",
    "words",
    "active",
    "overdue",
    "overdue_share",
    "median_business_days_last_interview_to_closure",
    "closures",
    "closures_with_note_share",
    "acknowledged_share",
    "rating_mean",
    "ratings",
    "median_business_days_question_to_answer",
    "answers",
    "owed_an_answer",
)


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(jobs, people, overall):
    """The CSV's rows: a header, every job, every recruiter, then everyone."""
    yield COLUMNS
    for scope, rows in (("job", jobs), ("recruiter", people), ("overall", [overall])):
        for h in rows:
            yield [
                _cell(v)
                for v in (
                    scope,
                    h.label,
                    h.median_gap,
                    h.words,
                    h.active,
                    h.overdue,
                    h.overdue_share,
                    h.median_wait,
                    h.closures,
                    h.noted_share,
                    h.acknowledged_share,
                    h.rating,
                    sum(h.ratings.values()),
                    h.median_answer,
                    h.answer_waits.total(),
                    h.owed_answers,
                )
            ]


@bp.route("/metrics.csv", endpoint="metrics_csv")
@staff_required
def metrics_csv():
    """The same numbers as the page, as CSV."""
    args = chosen()
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(*_health(args)))
    name = f"follow-up-health-{args['start'].isoformat()}-{args['end'].isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


#: The closure reasons CSV: one row per outcome, reason, job and stage with closures.
REASON_COLUMNS = ("outcome", "reason_code", "reason", "candidate_may_be_told", "job", "stage")


@bp.route("/metrics-reasons.csv", endpoint="metrics_reasons_csv")
@staff_required
def metrics_reasons_csv():
    """The closures of the period by reason, job and stage, as CSV: a file of its own, so
    the health CSV's rows and columns stay as they were."""
    args = chosen()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow((*REASON_COLUMNS, "closures"))
    for row in _reasons(args):
        told = "" if row.tellable is None else ("yes" if row.tellable else "no")
        values = (row.status, row.code, row.reason, told, row.job, row.stage, row.closures)
        writer.writerow([_cell(value) for value in values])
    name = f"closure-reasons-{args['start'].isoformat()}-{args['end'].isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
