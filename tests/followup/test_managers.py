"""What a hiring manager owes (portal.followup.managers): the scorecards for interviews
that are over, the candidates waiting for a decision, what was decided lately; and the
manager's digest, which lists exactly the scorecards their page does."""

from datetime import date
from datetime import datetime

import pytest
import time_machine
from helpers import managers as world
from helpers.factories import stage
from helpers.interviews import arrange

from portal import domain
from portal.domain import closures
from portal.followup import managers
from portal.followup import remind
from portal.store.models import Mail

TUESDAY = date(2026, 12, 8)


@pytest.fixture
def clock():
    """The frozen clock of the test, at TUESDAY once the world is built."""
    with time_machine.travel(world.TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(clock, make_user, make_job, make_application):
    return world.build(clock, make_user, make_job, make_application)


def owed(manager, day=TUESDAY) -> list[tuple]:
    """(candidate, stage, with an interview, ended, waited) of each scorecard owed."""
    return [
        (
            row.application.candidate.name,
            row.stage.name,
            row.interview is not None,
            row.ended,
            row.waited,
        )
        for row in managers.owed_feedback(manager, day)
    ]


# --- scorecards owed ----------------------------------------------------------------------


def test_scorecards_owed_oldest_first_with_business_days_waited(team):
    assert owed(team["mo"]) == [
        # Friday's interview: Monday and Tuesday are the days waited, not the weekend
        ("Ivy Interviewed", "Interviews", True, datetime(2026, 12, 4, 11), 2),
        # left the interview stage without an interview arranged in the portal
        ("Lee Left", "Interviews", False, datetime(2026, 12, 7, 10), 1),
        # the team said it is deciding
        ("Dee Deciding", "Interviews", False, datetime(2026, 12, 7, 11), 1),
    ]


def test_a_scorecard_given_is_not_owed_and_another_managers_job_is_not_listed(team):
    # Pat gave hers on Lee; Cy's process is closed; Tim's interview is tomorrow
    assert [row[0] for row in owed(team["pat"])] == ["Ivy Interviewed", "Dee Deciding"]
    assert [row[0] for row in owed(team["ola"])] == ["Oda Other"]
    assert "Oda Other" not in [row[0] for row in owed(team["mo"])]


def test_giving_the_scorecard_takes_it_off_the_list(team):
    domain.submit_feedback(team["mo"], team["ivy"], stage(team["design"], "Interviews"), 4, "yes")
    assert [row[0] for row in owed(team["mo"])] == ["Lee Left", "Dee Deciding"]


def test_an_interview_that_ended_and_its_stage_left_is_one_row_with_its_interview(team, clock):
    ivy = world.fresh(team["ivy"])
    domain.move(team["rita"], ivy, stage(team["design"], "Decision"), ivy.version)
    rows = managers.owed_feedback(team["mo"], TUESDAY)
    [row] = [r for r in rows if r.application.id == ivy.id]
    assert row.interview.id == team["interviews"]["ivy"].id
    assert row.ended == datetime(2026, 12, 4, 11)  # the interview's end, not the move


def test_of_two_interviews_at_a_stage_the_wait_runs_from_the_last(team, clock):
    clock.move_to("2026-12-08 09:00 +0000")
    second = arrange(team["ivy"], team["rita"], starts=datetime(2026, 12, 8, 10))
    clock.move_to("2026-12-08 12:00 +0000")
    rows = managers.owed_feedback(team["mo"], TUESDAY)
    [row] = [r for r in rows if r.application.id == team["ivy"].id]
    assert row.interview.id == second.id and row.waited == 0
    assert row.waited_words == "less than a business day"


def test_an_interview_later_today_is_not_owed_yet(team, clock):
    clock.move_to("2026-12-09 09:00 +0000")  # Wednesday: Tim's interview is at 10:00
    assert "Tim Tomorrow" not in [row[0] for row in owed(team["mo"], date(2026, 12, 9))]
    clock.move_to("2026-12-09 11:30 +0000")
    assert ("Tim Tomorrow", "Interviews", True, datetime(2026, 12, 9, 11), 0) in owed(
        team["mo"], date(2026, 12, 9)
    )


@time_machine.travel("2026-12-22 09:00 +0000", tick=False)
def test_waited_days_skip_christmas_and_the_observed_boxing_day(
    make_user, make_job, make_application
):
    mo = make_user("manager")
    job = make_job(managers=[mo])
    application = make_application(job=job)
    domain.move(None, application, stage(job, "Interviews"), application.version)
    arrange(application, starts=datetime(2026, 12, 24, 10))
    with time_machine.travel("2026-12-29 09:00 +0000", tick=False):
        [row] = managers.owed_feedback(mo, date(2026, 12, 29))
    # 25th Christmas, 26th-27th the weekend, 28th Boxing Day observed: only the 29th counts
    assert row.waited == 1 and row.waited_words == "1 business day"


def test_interviews_older_than_the_window_are_no_longer_owed(team, clock):
    clock.move_to("2027-01-05 09:00 +0000")  # 32 days after Ivy's interview
    names = [row[0] for row in owed(team["mo"], date(2027, 1, 5))]
    assert "Ivy Interviewed" not in names and "Lee Left" in names


def test_an_inactive_manager_owes_nothing(team):
    domain.update_user(None, team["mo"], active=False)
    assert managers.owed_feedback(team["mo"], TUESDAY) == []
    assert "mo@example.com" not in [d.user.email for d in remind.manager_digests(TUESDAY)]


def test_the_owed_list_is_two_queries_however_many_rows(team, sql_statements, make_application):
    managers.owed_feedback(team["mo"], TUESDAY)
    few = len(sql_statements)
    for n in range(4):
        application = make_application(job=team["design"], name=f"Extra {n}")
        domain.move(None, application, stage(team["design"], "Interviews"), 1)
        domain.mark_deciding(team["rita"], world.fresh(application), 2, "Deciding.")
    del sql_statements[:]
    rows = managers.owed_feedback(team["mo"], TUESDAY)
    # what the page and the email show, without a query each
    shown = {(r.application.candidate.name, r.application.job.title, r.stage.name) for r in rows}
    assert len(shown) == 7 and ("Extra 3", "Designer", "Interviews") in shown
    assert len(sql_statements) == few == 2


# --- the digest lists exactly the page's items --------------------------------------------


def test_the_digest_has_exactly_the_owed_items_in_the_same_order(team):
    digests = {d.user.email: d for d in remind.manager_digests(TUESDAY)}
    assert set(digests) == {"mo@example.com", "pat@example.com", "ola@example.com"}
    for manager in (team["mo"], team["pat"], team["ola"]):
        page = [(r.application.id, r.stage.id) for r in managers.owed_feedback(manager, TUESDAY)]
        mail = [(i.application.id, i.stage.id) for i in digests[manager.email].items]
        assert mail == page


def test_the_digest_email_says_how_long_each_candidate_has_waited(team):
    [digest] = [d for d in remind.manager_digests(TUESDAY) if d.user.id == team["mo"].id]
    remind.send_digest(digest, TUESDAY)
    mail = Mail.get((Mail.kind == "digest_manager") & (Mail.to == "mo@example.com"))
    lines = [line for line in mail.text.splitlines() if line.startswith("- ")]
    assert [line.split(",")[0] for line in lines] == [
        "- Ivy Interviewed",
        "- Lee Left",
        "- Dee Deciding",
    ]
    assert "interview on Friday 4 December, waiting 2 business days" in lines[0]
    assert "interview over by Monday 7 December, waiting 1 business day" in lines[1]
    interviews = stage(team["design"], "Interviews").id
    # each opens the scorecard of the stage owed, whichever stage the candidate is at now
    owed = f"https://jobs.example.com/admin/applications/A-IVY/?scorecard={interviews}#feedback"
    assert owed in lines[0] and f'href="{owed}"' in mail.html
    assert f"/admin/applications/A-LEE/?scorecard={interviews}#feedback" in lines[1]
    assert "https://jobs.example.com/admin/" in mail.text.split("\n- ")[-1]
    assert "waiting 2 business days" in mail.html
    for candidate in (team["ivy"], team["lee"], team["dee"]):  # managers write to nobody
        assert candidate.candidate.email not in mail.text + mail.html


# --- waiting for a decision -----------------------------------------------------------------


def waiting(manager) -> list[tuple]:
    return [
        (row.application.candidate.name, row.since, row.waited, row.told)
        for row in managers.awaiting_decision(manager)
    ]


def test_waiting_for_a_decision_longest_first(team):
    assert waiting(team["mo"]) == [
        ("Ivy Interviewed", datetime(2026, 12, 4, 11), 2, False),  # interviews over
        ("Dee Deciding", datetime(2026, 12, 7, 11), 1, True),  # the team said so
    ]
    assert waiting(team["ola"]) == [("Oda Other", datetime(2026, 12, 4, 16), 2, False)]


def test_moved_on_closed_or_with_an_interview_to_come_is_not_waiting(team, clock):
    # Lee was moved on, Cy closed, Tim's interview is tomorrow: none listed (above).
    ivy = world.fresh(team["ivy"])
    domain.move(team["rita"], ivy, stage(team["design"], "Decision"), ivy.version)
    assert [row[0] for row in waiting(team["mo"])] == ["Dee Deciding"]
    clock.move_to("2026-12-09 11:30 +0000")  # Tim's interview is over now
    assert [row[0] for row in waiting(team["mo"])] == ["Dee Deciding", "Tim Tomorrow"]


def test_back_at_a_stage_whose_old_interviews_are_over_is_not_waiting(team, clock):
    design, ivy = team["design"], world.fresh(team["ivy"])
    domain.move(team["rita"], ivy, stage(design, "Decision"), ivy.version)
    ivy = world.fresh(ivy)
    clock.move_to("2026-12-08 09:05 +0000")
    domain.move(team["rita"], ivy, stage(design, "Interviews"), ivy.version)
    assert "Ivy Interviewed" not in [row[0] for row in waiting(team["mo"])]


def test_a_scheduled_closure_is_a_decision(team):
    ivy = world.fresh(team["ivy"])
    closures.schedule_close(
        None, ivy, ivy.version, "rejected", "Dear Ivy, thank you.", "", date(2026, 12, 10)
    )
    assert "Ivy Interviewed" not in [row[0] for row in waiting(team["mo"])]


def test_waiting_is_one_query(team, sql_statements):
    rows = managers.awaiting_decision(team["mo"])
    shown = [(r.application.candidate.name, r.application.stage.name) for r in rows]
    assert shown == [("Ivy Interviewed", "Interviews"), ("Dee Deciding", "Interviews")]
    assert [r.application.job.title for r in rows] == ["Designer", "Designer"]
    assert len(sql_statements) == 1


# --- decided recently -----------------------------------------------------------------------


def test_decided_recently_newest_first_on_the_managers_jobs_only(team):
    decided = managers.decided_recently(team["mo"])
    said = [(d.application.candidate.name, d.what, d.by.name if d.by else None) for d in decided]
    assert said[:2] == [
        ("Cy Closed", "Closed as rejected", None),
        ("Lee Left", "Moved from Interviews to Decision", "Rita Reyes"),
    ]
    assert [d.application.candidate.name for d in decided[2:]] == [
        "Dee Deciding",
        "Tim Tomorrow",
        "Cy Closed",
        "Lee Left",
        "Ivy Interviewed",
    ]
    assert {d.what for d in decided[2:]} == {"Moved from Applied to Interviews"}
    # Oda is Ola's; Otto was moved fifteen days ago; saying "deciding" decides nothing
    names = {d.application.candidate.name for d in decided}
    assert "Oda Other" not in names and "Otto Old" not in names
    assert [d.application.candidate.name for d in managers.decided_recently(team["mo"], 30)][
        -1
    ] == "Otto Old"


def test_a_closure_reopened_since_says_so(team):
    cy = world.fresh(team["cy"])
    domain.reopen(team["rita"], cy, cy.version)
    [closed] = [d for d in managers.decided_recently(team["mo"]) if d.event.kind == "closed"]
    assert closed.what == "Closed, and reopened since"


def test_decided_recently_is_one_query(team, sql_statements):
    decided = managers.decided_recently(team["mo"])
    shown = [(d.application.job.title, d.by.name if d.by else None) for d in decided]
    assert shown == [("Designer", None)] + [("Designer", "Rita Reyes")] * 6
    assert len(sql_statements) == 1
