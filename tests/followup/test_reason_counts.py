"""Why processes closed, on the health page and in its closure reasons CSV: closures of
the period counted by reason, by job and by the stage they closed at."""

import csv
import io
from datetime import date

import pytest
import time_machine

from portal import domain
from portal.followup import reason_counts
from portal.followup.metrics import Period
from portal.store.models import Application
from portal.store.models import Stage

NOVEMBER = "start=2026-11-02&end=2026-11-27"
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 27))


def fresh(application):
    return Application.get_by_id(application.id)


def at(application, name):
    """Move ``application`` to its job's stage ``name``."""
    stage = application.job.stages.where(Stage.name == name).get()
    domain.move(None, application, stage, fresh(application).version)
    return fresh(application)


@pytest.fixture
def closed(make_user, make_job, make_application):
    """Two recruiters' jobs, closed in November for reasons (and one without), plus a
    hire, a reopened rejection, and a rejection from October: none of those counts."""
    rita, sam = make_user("recruiter", name="Rita"), make_user("recruiter", name="Sam")
    alpha = make_job(title="Alpha", ref="J1", recruiter=rita)
    beta = make_job(title="Beta", ref="J2", recruiter=sam)
    with time_machine.travel("2026-10-20 10:00 +0000", tick=False):
        people = [make_application(job=alpha if n < 5 else beta) for n in range(8)]
        october = people[7]
        domain.close(rita, october, 1, "rejected", "Sorry.", closure_reason="role_filled")

    def close(application, status, code, who=rita):
        application = fresh(application)
        note = "Dear you, thank you."
        domain.close(who, application, application.version, status, note, closure_reason=code)

    with time_machine.travel("2026-11-10 10:00 +0000", tick=False):
        close(people[0], "rejected", "role_filled")
        close(at(people[1], "Interviews"), "rejected", "role_filled")
        close(at(people[2], "Interviews"), "rejected", "conduct_references")
        close(people[3], "withdrawn", "other_offer")
        close(people[4], "hired", None)
        close(people[5], "rejected", "role_filled", sam)
        domain.close(None, fresh(people[6]), 1, "rejected", "Sorry.")  # the system: none
    with time_machine.travel("2026-11-12 10:00 +0000", tick=False):
        reopened = fresh(people[5])
        domain.reopen(sam, reopened, reopened.version)
        close(people[5], "withdrawn", "not_right_time", sam)
    return {"rita": rita, "sam": sam, "alpha": alpha, "beta": beta}


def test_closures_by_reason_job_and_stage(closed):
    rows = reason_counts.counts(PERIOD)
    assert [(r.status, r.reason, r.job, r.stage, r.closures) for r in rows] == [
        ("rejected", "Role filled", "Alpha (J1)", "Applied", 1),
        ("rejected", "Role filled", "Alpha (J1)", "Interviews", 1),
        ("rejected", "Conduct or references", "Alpha (J1)", "Interviews", 1),
        ("rejected", "No reason given", "Beta (J2)", "Applied", 1),
        ("withdrawn", "Took another offer", "Alpha (J1)", "Applied", 1),
        ("withdrawn", "Not the right time for them", "Beta (J2)", "Applied", 1),
    ]
    totals = reason_counts.totals(rows)
    assert [(t.status, t.code, t.closures, round(t.share, 2)) for t in totals] == [
        ("rejected", "role_filled", 2, 0.5),
        ("rejected", "conduct_references", 1, 0.25),
        ("rejected", "", 1, 0.25),
        ("withdrawn", "other_offer", 1, 0.5),
        ("withdrawn", "not_right_time", 1, 0.5),
    ]
    assert [r.tellable for r in totals] == [True, False, None, True, True]


def test_the_counts_narrow_to_a_job_or_a_recruiter(closed):
    beta = reason_counts.counts(PERIOD, job_id=closed["beta"].id)
    assert {r.job for r in beta} == {"Beta (J2)"} and sum(r.closures for r in beta) == 2
    rita = reason_counts.counts(PERIOD, recruiter_id=closed["rita"].id)
    assert {r.job for r in rita} == {"Alpha (J1)"} and sum(r.closures for r in rita) == 4


@time_machine.travel("2026-11-27 12:00 +0000", tick=False)
def test_the_page_shows_why_processes_closed(client, auth, closed):
    auth.login(closed["rita"])
    page = client.get(f"/admin/metrics/?{NOVEMBER}")
    section = page.text.split('id="reasons-title"', 1)[1].split("</section>", 1)[0]
    assert "Role filled" in section and "Conduct or references" in section
    assert '<span class="badge badge-internal">Never told</span>' in section
    assert "No reason given" in section and "50%" in section
    assert '<td data-label="Stage">Interviews</td>' in section
    assert "metrics-reasons.csv?start=2026-11-02&amp;end=2026-11-27" in page.text


@time_machine.travel("2026-11-27 12:00 +0000", tick=False)
def test_the_closure_reasons_csv(client, auth, closed):
    auth.login(closed["sam"])
    response = client.get(f"/admin/metrics-reasons.csv?{NOVEMBER}&job={closed['alpha'].id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "closure-reasons-2026-11-02-2026-11-27.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "outcome",
        "reason_code",
        "reason",
        "candidate_may_be_told",
        "job",
        "stage",
        "closures",
    ]
    assert [(r["reason_code"], r["stage"], r["closures"]) for r in rows] == [
        ("role_filled", "Applied", "1"),
        ("role_filled", "Interviews", "1"),
        ("conduct_references", "Interviews", "1"),
        ("other_offer", "Applied", "1"),
    ]
    assert [r["candidate_may_be_told"] for r in rows] == ["yes", "yes", "no", "yes"]


@time_machine.travel("2026-11-27 12:00 +0000", tick=False)
def test_the_health_csv_keeps_its_columns(client, auth, closed):
    auth.login(closed["rita"])
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/metrics.csv?{NOVEMBER}").text)))
    assert rows[0][0] == "scope" and rows[0][-1] == "owed_an_answer"
    assert {row[0] for row in rows[1:]} == {"job", "recruiter", "overall"}


def test_a_manager_gets_no_reasons_csv(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/admin/metrics-reasons.csv").status_code == 403
