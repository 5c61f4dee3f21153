"""Follow-up health on a small data set whose every number is counted by hand below."""

import statistics
from collections import Counter
from datetime import date
from datetime import datetime

import pytest
import time_machine
from helpers.factories import promise
from hypothesis import given
from hypothesis import strategies as st

from portal import domain
from portal.candidates.actions import acknowledge_closure
from portal.candidates.actions import rate_experience
from portal.followup import metrics
from portal.followup import queries as followup
from portal.store.models import Application
from portal.store.models import Stage

NOVEMBER = metrics.Period(date(2026, 11, 2), date(2026, 11, 27))  # Monday to Friday
FRIDAY_27 = date(2026, 11, 27)


def at(traveller, moment: str):
    traveller.move_to(datetime.fromisoformat(moment + "+00:00"))


def fresh(application):
    return Application.get_by_id(application.id)


def to(application, name):
    return application.job.stages.where(Stage.name == name).get()


def move(application, name):
    application = fresh(application)
    domain.move(None, application, to(application, name), application.version)


def update(application, **fields):
    application = fresh(application)
    domain.post_update(None, application, application.version, "Word", **fields)


def close(application, status, note):
    application = fresh(application)
    domain.close(None, application, application.version, status, note)


def acknowledge(application):
    """The candidate says "got it" to the closure on their page."""
    acknowledge_closure(fresh(application))


def rate(application, score):
    """The candidate rates the experience on their page."""
    rate_experience(fresh(application), score)


@pytest.fixture
def november(app, make_user, make_job, make_application):
    """Three jobs, two recruiters, November 2026 in London (GMT: UTC dates are local).

    Wednesday 11 November is a company holiday.
    """
    app.config["EXTRA_HOLIDAYS"] = ["2026-11-11"]
    rita = make_user("recruiter", name="Rita Reyes")
    sam = make_user("recruiter", name="Sam Stone")
    j1 = make_job(title="Alpha", ref="J1", recruiter=rita)
    j2 = make_job(title="Beta", ref="J2", recruiter=rita)
    j3 = make_job(title="Gamma", ref="J3", recruiter=sam)
    with time_machine.travel(datetime(2026, 10, 20, 12), tick=False) as t:
        # J1, C: words before the period do not count, but the last one starts a gap.
        c = make_application(job=j1, name="Cleo C")
        at(t, "2026-10-30 12:00")
        move(c, "Screen")
        # J3, G: closed before the period, not counted.
        g = make_application(job=j3, name="Gus G")
        close(g, "rejected", "Sorry")

        at(t, "2026-11-02 10:00")
        a = make_application(job=j1, name="Ada A")
        d = make_application(job=j2, name="Dan D")
        e = make_application(job=j3, name="Eve E")  # reply-by Monday 9th: overdue on the 27th
        f = make_application(job=j3, name="Fay F")
        close(f, "hired", "Welcome")  # gap 0, noted, never interviewed
        at(t, "2026-11-02 14:00")
        move(d, "Interviews")  # gap 0; entered the last interview stage
        at(t, "2026-11-03 09:00")
        b = make_application(job=j1, name="Bob B")  # reply-by Tuesday 10th: overdue
        at(t, "2026-11-04 10:00")
        move(a, "Screen")  # gap Mon 2 -> Wed 4: 2
        at(t, "2026-11-05 10:00")
        update(c)  # gap Fri 30 Oct -> Thu 5: 4
        at(t, "2026-11-06 10:00")
        close(d, "withdrawn", "")  # gap Mon 2 -> Fri 6: 4; wait Mon 2 -> Fri 6: 4; no note
        rate(d, 2)  # not acknowledged
        at(t, "2026-11-09 10:00")
        update(a)  # gap Wed 4 -> Mon 9: 3
        at(t, "2026-11-10 10:00")
        move(a, "Interviews")  # gap 1; entered the last interview stage
        at(t, "2026-11-13 10:00")
        move(a, "Decision")  # gap Tue 10 -> Fri 13: 2 (the 11th is a holiday)
        at(t, "2026-11-18 10:00")
        close(a, "rejected", "Dear Ada")  # gap Fri 13 -> Wed 18: 3; wait Tue 10 -> Wed 18: 5
        at(t, "2026-11-19 10:00")
        acknowledge(a)
        rate(a, 4)
        at(t, "2026-11-26 10:00")
        update(c, reply_by=date(2026, 11, 30))  # gap Thu 5 -> Thu 26: 14; not overdue
        at(t, "2026-11-28 10:00")
        update(c, reply_by=date(2026, 12, 1))  # after the period: not counted
    return {"rita": rita, "sam": sam, "j1": j1, "j2": j2, "j3": j3, "b": b, "e": e}


def by_key(rows):
    return {row.key: row for row in rows}


def test_per_job(november):
    jobs, _, _ = metrics.health(NOVEMBER, day=FRIDAY_27)
    jobs = by_key(jobs)
    alpha, beta, gamma = jobs[november["j1"].id], jobs[november["j2"].id], jobs[november["j3"].id]

    # Alpha: A's gaps 2, 3, 1, 2, 3 and C's 4, 14: sorted 1 2 2 3 3 4 14.
    assert sorted(alpha.gaps.elements()) == [1, 2, 2, 3, 3, 4, 14]
    assert alpha.median_gap == 3
    assert (alpha.active, alpha.overdue, alpha.overdue_share) == (2, 1, 0.5)  # B late, C not
    assert alpha.median_wait == 5
    assert (alpha.closures, alpha.noted, alpha.noted_share) == (1, 1, 1.0)
    assert alpha.words == 7
    assert alpha.acknowledged_share == 1.0  # A's closure
    assert alpha.rating == 4

    # Beta: D's gaps 0 and 4; the closure not acknowledged.
    assert sorted(beta.gaps.elements()) == [0, 4] and beta.median_gap == 2
    assert (beta.active, beta.overdue_share) == (0, None)
    assert beta.median_wait == 4 and beta.noted_share == 0
    assert beta.acknowledged_share == 0 and beta.rating == 2

    # Gamma: F closed the day it came (gap 0, with a note, never interviewed); E is late.
    assert sorted(gamma.gaps.elements()) == [0]
    assert (gamma.active, gamma.overdue) == (1, 1)
    assert gamma.median_wait is None
    assert (gamma.closures, gamma.noted) == (1, 1)
    assert gamma.acknowledged_share == 0 and gamma.rating is None


def test_per_recruiter_and_overall(november):
    _, people, overall = metrics.health(NOVEMBER, day=FRIDAY_27)
    people = by_key(people)
    rita, sam = people[november["rita"].id], people[november["sam"].id]
    # Rita: Alpha and Beta together: 0 1 2 2 3 3 4 4 14.
    assert rita.median_gap == 3
    assert rita.overdue_share == 0.5
    assert rita.median_wait == 4.5  # 5 and 4
    assert rita.noted_share == 0.5
    assert rita.acknowledged_share == 0.5
    assert rita.rating == 3  # 4 and 2
    assert sam.median_gap == 0 and sam.overdue_share == 1.0
    # Everyone: 0 0 1 2 2 3 3 4 4 14.
    assert overall.median_gap == 2.5
    assert overall.overdue_share == pytest.approx(2 / 3)
    assert overall.noted_share == pytest.approx(2 / 3)
    assert overall.acknowledged_share == pytest.approx(1 / 3)
    assert dict(overall.ratings) == {4: 1, 2: 1}


def test_narrowed_to_a_recruiter_or_a_job(november):
    jobs, people, overall = metrics.health(
        NOVEMBER, recruiter_id=november["rita"].id, day=FRIDAY_27
    )
    assert [j.label for j in jobs] == ["Alpha (J1)", "Beta (J2)"]
    assert [p.label for p in people] == ["Rita Reyes"] and overall.median_gap == 3
    jobs, _, overall = metrics.health(NOVEMBER, job_id=november["j2"].id, day=FRIDAY_27)
    assert [j.label for j in jobs] == ["Beta (J2)"] and overall.median_wait == 4


def test_a_shorter_period_counts_only_its_words(november):
    second_week = metrics.Period(date(2026, 11, 9), date(2026, 11, 13))
    jobs, _, _ = metrics.health(second_week, day=FRIDAY_27)
    alpha = by_key(jobs)[november["j1"].id]
    assert sorted(alpha.gaps.elements()) == [1, 2, 3]  # Mon 9, Tue 10, Fri 13
    assert alpha.closures == 0 and alpha.noted_share is None


@time_machine.travel("2026-11-06 10:00 +0000", tick=False)
def test_business_days_are_counted_in_company_dates(app, make_job, make_application):
    app.config["TIMEZONE"] = "Asia/Tokyo"
    application = make_application(job=make_job())  # Friday 19:00 in Tokyo
    with time_machine.travel("2026-11-08 16:00 +0000", tick=False):  # Monday 01:00 in Tokyo
        update(application)
    week = metrics.Period(date(2026, 11, 9), date(2026, 11, 13))  # starts on Tokyo's Monday
    _, _, overall = metrics.health(week, day=date(2026, 11, 9))
    assert dict(overall.gaps) == {1: 1}  # Friday to Monday; in UTC, Friday to Sunday: 0
    app.config["TIMEZONE"] = "Europe/London"  # Sunday 16:00 in London: before the period
    _, _, overall = metrics.health(week, day=date(2026, 11, 9))
    assert overall.words == 0


def test_a_word_given_late_on_the_last_night_of_summer_time(app, make_job, make_application):
    # 23:30 UTC on Saturday 24 October is 00:30 on Sunday the 25th in London (BST).
    with time_machine.travel("2026-10-23 10:00 +0000", tick=False):
        application = make_application(job=make_job())  # Friday
    with time_machine.travel("2026-10-24 23:30 +0000", tick=False):
        update(application)
    _, _, overall = metrics.health(metrics.Period(date(2026, 10, 25), date(2026, 10, 25)))
    assert overall.words == 1
    _, _, overall = metrics.health(metrics.Period(date(2026, 10, 24), date(2026, 10, 24)))
    assert overall.words == 0


# --- the page and the CSV ---------------------------------------------------------------

NOVEMBER_QUERY = "start=2026-11-02&end=2026-11-27"


@time_machine.travel("2026-11-27 12:00 +0000", tick=False)
def test_the_page_shows_the_numbers_and_charts(client, auth, november):
    auth.login(november["rita"])
    page = client.get(f"/admin/metrics/?{NOVEMBER_QUERY}")
    assert page.status_code == 200
    cards = page.text.split('class="health-cards"', 1)[1].split("</ul>", 1)[0]
    for number in ("2.5 days", "67%", "4.5 days", "33%", "3.0 / 5"):
        assert number in cards
    assert page.text.count('<svg class="bars"') == 2 and '<svg class="columns"' in page.text
    # Chart bars are worst first, with their values beside them; the table has every job.
    gap_chart = page.text.split('id="chart-gap"', 1)[1].split("</svg>", 1)[0]
    assert gap_chart.index("Alpha (J1)") < gap_chart.index("Beta (J2)")
    assert "Alpha (J1): 3 days; Beta (J2): 2 days; Gamma (J3): 0 days." in gap_chart
    assert ' style="' not in page.text  # the staff CSP allows no inline styles
    by_recruiter = client.get(f"/admin/metrics/?{NOVEMBER_QUERY}&by=recruiter")
    assert "Rita Reyes: 3 days; Sam Stone: 0 days." in by_recruiter.text
    # Ids beyond 64 bits are nonsense, ignored like "abc": every job, no error.
    huge = client.get(f"/admin/metrics/?{NOVEMBER_QUERY}&job={2**64}&recruiter={2**64}")
    assert "Alpha (J1): 3 days; Beta (J2): 2 days; Gamma (J3): 0 days." in huge.text


@time_machine.travel("2026-11-27 12:00 +0000", tick=False)
def test_the_csv_has_the_same_numbers(client, auth, november):
    import csv
    import io

    auth.login(november["sam"])
    response = client.get(f"/admin/metrics.csv?{NOVEMBER_QUERY}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "follow-up-health-2026-11-02-2026-11-27.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["scope"], r["name"]) for r in rows] == [
        ("job", "Alpha (J1)"),
        ("job", "Beta (J2)"),
        ("job", "Gamma (J3)"),
        ("recruiter", "Rita Reyes"),
        ("recruiter", "Sam Stone"),
        ("overall", "Everyone"),
    ]
    alpha, everyone = rows[0], rows[-1]
    assert alpha["median_business_days_between_words"] == "3"
    assert alpha["overdue_share"] == "0.5" and alpha["active"] == "2"
    assert alpha["median_business_days_last_interview_to_closure"] == "5"
    assert everyone["median_business_days_between_words"] == "2.5"
    assert everyone["closures_with_note_share"] == "0.6667"
    assert everyone["acknowledged_share"] == "0.3333"
    assert everyone["rating_mean"] == "3" and everyone["ratings"] == "2"
    assert rows[2]["median_business_days_last_interview_to_closure"] == ""  # Gamma: none


def test_csv_cells_never_start_a_formula(app, make_user, make_job):
    from admin.metrics import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("-1") == "'-1"
    assert _cell("Designer") == "Designer" and _cell(0.25) == "0.25" and _cell(None) == ""


@pytest.mark.parametrize(
    "query",
    ["start=2026-11-30&end=2026-11-01", "start=yesterday", "start=2020-01-01&end=2026-01-01"],
)
def test_a_bad_period_is_a_400_that_says_why(client, auth, make_user, query):
    auth.login(make_user("admin"))
    response = client.get(f"/admin/metrics/?{query}")
    assert response.status_code == 400
    assert any(
        words in response.text
        for words in ("starts after it ends", "is not a date", "at most 1098 days")
    )


@pytest.mark.parametrize("path", ["/admin/metrics/", "/admin/metrics.csv"])
@pytest.mark.parametrize(
    ("query", "name", "value"),
    [
        ("end=9999-12-31", "end", "9999-12-31"),
        ("start=9999-12-30&end=2026-12-31", "start", "9999-12-30"),
        ("start=0001-01-01&end=2026-01-02", "start", "0001-01-01"),
        ("end=0001-01-05", "end", "0001-01-05"),  # the default start would be before year 1
    ],
)
def test_a_date_out_of_range_is_a_400_that_says_which(
    client, auth, make_user, path, query, name, value
):
    auth.login(make_user("admin"))
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert f"The {name} date {value} is out of range" in response.text
    assert "choose a date from 1970-01-01 to 2999-12-31" in response.text


@time_machine.travel("2026-12-09 12:00 +0000", tick=False)
def test_overdue_means_what_the_queue_and_the_reminders_mean(make_job, make_application):
    job = make_job()
    late = promise(make_application(job=job), date(2026, 12, 1))
    promise(make_application(job=job), date(2026, 12, 15))
    unpromised = make_application(job=job)
    Application.update(reply_by=None).where(Application.id == unpromised.id).execute()
    day = date(2026, 12, 9)

    _, _, overall = metrics.health(metrics.Period.last(30, day), day=day)
    assert {a.id for a in followup.overdue(day)} == {late.id, unpromised.id}
    assert (overall.active, overall.overdue) == (3, 2)


@time_machine.travel("2026-11-27 12:00 +0000", tick=False)
def test_the_page_costs_the_same_queries_whatever_the_data(
    client, auth, make_user, make_job, make_application, sql_statements
):
    auth.login(make_user("admin"))

    def add(jobs, per_job):
        for n in range(jobs):
            job = make_job(title=f"Job {n}")
            for _ in range(per_job):
                close(make_application(job=job), "rejected", "Sorry")

    def cost():
        sql_statements.clear()
        assert client.get("/admin/metrics/").status_code == 200
        return len(sql_statements)

    cost()  # the first visit notes the settings the facts are counted with
    add(1, 1)
    few = cost()  # counts the new events' facts, then reads them
    add(6, 5)
    assert cost() == few
    steady = cost()  # nothing new to count
    assert steady < few and cost() == steady


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_the_median_of_counted_values_is_the_median(values):
    assert metrics._median(Counter(values)) == statistics.median(values)


# --- the facts the numbers are counted from -----------------------------------------


def test_facts_are_counted_once_and_a_full_refresh_finds_stragglers(
    monkeypatch, make_job, make_application
):
    from portal.followup import facts
    from portal.store.models import WordFact

    job = make_job()
    first, second = make_application(job=job), make_application(job=job)
    update(first)
    update(second)
    assert facts.refresh() == 2 and facts.refresh() == 0
    straggler = WordFact.select().order_by(WordFact.event).first().event_id
    WordFact.delete().where(WordFact.event == straggler).execute()
    monkeypatch.setattr(facts, "OVERLAP", 0)  # as if far below the newest counted event
    assert facts.refresh() == 0
    assert facts.refresh(full=True) == 1
    assert WordFact.get_or_none(WordFact.event == straggler) is not None


def test_an_acknowledgement_marks_the_closure_it_follows(make_application):
    from portal.followup import facts
    from portal.store.models import ClosureFact

    application = make_application()
    close(application, "rejected", "Dear Ada")
    facts.refresh()
    domain.reopen(None, fresh(application), fresh(application).version)
    close(application, "withdrawn", "")
    acknowledge(application)
    facts.refresh()
    closures = list(ClosureFact.select().order_by(ClosureFact.event))
    assert [(c.noted, c.acknowledged) for c in closures] == [(True, False), (False, True)]
