"""A hiring manager's home through the test client: the scorecards they owe (the very
list of their digest), the candidates waiting for a decision, what was decided lately,
empty states that say what will appear; admins and recruiters keep the follow-up queue."""

import re
from datetime import date
from datetime import datetime

import pytest
import time_machine
from helpers import managers as world
from helpers.factories import stage
from helpers.interviews import arrange

from portal import domain
from portal.followup import remind
from portal.store.models import Mail


@pytest.fixture
def clock():
    """The frozen clock of the test, at Tuesday 8 December 2026 09:00 once the world is built."""
    with time_machine.travel(world.TUESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(clock, make_user, make_job, make_application):
    return world.build(clock, make_user, make_job, make_application)


def section(html: str, name: str) -> str:
    """The HTML of the home's section ``name`` (owed, waiting, decided)."""
    match = re.search(rf'<section class="card" id="{name}".*?</section>', html, re.S)
    assert match, f"no section {name}"
    return match.group(0)


def names(html: str) -> list[str]:
    """The candidates of a section's rows, in order."""
    return re.findall(r'<td data-label="Candidate"><a href="[^"]+">([^<]+)</a>', html)


def home_of(client, auth, user) -> str:
    auth.login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.text


def test_a_manager_sees_the_scorecards_they_owe_oldest_first(client, auth, team):
    owed = section(home_of(client, auth, team["mo"]), "owed")
    assert names(owed) == ["Ivy Interviewed", "Lee Left", "Dee Deciding"]
    assert 'Scorecards you owe <span class="badge badge-owed">3</span>' in owed
    rows = owed.split("<tr>")[2:]
    assert '<span class="sub">Designer</span></td>' in rows[0]
    assert '<td data-label="Stage">Interviews</td>' in rows[0]
    assert ">4 Dec 2026, 10:00</time>" in rows[0]  # when the interview was
    assert '<span class="owed owed-late">2 business days</span>' in rows[0]
    assert (
        '<td data-label="Interview">Over by Monday 7 December'
        '<span class="sub">arranged outside the portal</span></td>' in rows[1]
    )
    assert '<span class="owed">1 business day</span>' in rows[1]
    interviews = stage(team["design"], "Interviews").id
    assert (
        f'<a class="button primary" href="/admin/applications/A-IVY/?scorecard={interviews}'
        '#feedback">Write your scorecard<span' in rows[0]
    )


def test_write_your_scorecard_opens_the_form_of_the_stage_owed(
    client, auth, clock, make_user, make_job, make_application
):
    """Owed for Portfolio, the candidate since moved on to Exercise (an interview stage
    too): the button opens the Portfolio scorecard, not the current stage's."""
    rita, mo = make_user("recruiter"), make_user("manager")
    pipeline = [
        {"name": "Applied", "candidate_label": "Received"},
        {"name": "Portfolio", "candidate_label": "Portfolio", "interview": True},
        {"name": "Exercise", "candidate_label": "Exercise", "interview": True},
    ]
    job = make_job(title="Designer", recruiter=rita, managers=[mo], stages=pipeline)
    application = make_application(job=job, name="Pia Portfolio")
    clock.move_to("2026-12-03 09:00 +0000")
    domain.move(rita, application, stage(job, "Portfolio"), application.version)
    arrange(application, rita, starts=datetime(2026, 12, 4, 10))
    clock.move_to("2026-12-07 10:00 +0000")
    application = world.fresh(application)
    domain.move(rita, application, stage(job, "Exercise"), application.version)
    clock.move_to(world.TUESDAY)
    owed = section(home_of(client, auth, mo), "owed")
    link = re.search(r'<a class="button primary" href="([^"]+)">Write your scorecard', owed)
    assert link.group(1).endswith(f"?scorecard={stage(job, 'Portfolio').id}#feedback")
    page = client.get(link.group(1)).text
    assert "Your scorecard for Portfolio" in page and "Your scorecard for Exercise" not in page


def test_the_rows_read_as_sentences(client, auth, team):
    html = home_of(client, auth, team["mo"])
    owed, waiting = section(html, "owed"), section(html, "waiting")
    assert "Not arranged here" not in owed and "over by" not in owed
    for cell in re.findall(r'<td data-label="Waiting">(.*?)</td>', waiting, re.S):
        assert cell.count("since") == 1, cell


def test_a_wait_of_less_than_a_business_day_says_so(client, auth, team, clock):
    clock.move_to("2026-12-08 08:00 +0000")
    arrange(team["tim"], team["rita"], starts=datetime(2026, 12, 8, 8, 5), hours=0.5)
    clock.move_to("2026-12-08 09:00 +0000")
    html = home_of(client, auth, team["mo"])
    [tim] = [row for row in section(html, "owed").split("<tr>") if "Tim Tomorrow" in row]
    assert '<span class="owed">less than a business day</span>' in tim
    assert "since today" not in html


def test_a_manager_never_sees_a_candidates_email_address(client, auth, team):
    """Managers assess, they do not write to candidates: no address on their home, on an
    application's page or in the list; those who write to candidates see it."""
    addresses = [team[name].candidate.email for name in ("ivy", "lee", "dee", "cy", "tim")]
    pages = [home_of(client, auth, team["mo"])]
    pages.append(client.get("/admin/applications/A-IVY/").text)
    pages.append(client.get("/admin/applications/").text)
    pages.append(client.get("/admin/applications/", query_string={"q": "example.org"}).text)
    for html in pages:
        assert "Ivy Interviewed" in html or "No applications match." in html
        for address in addresses:
            assert address not in html
    auth.logout()
    auth.login(team["rita"])
    assert team["ivy"].candidate.email in client.get("/admin/applications/A-IVY/").text
    assert team["ivy"].candidate.email in client.get("/admin/applications/").text


def test_the_page_and_the_digest_list_the_same_scorecards_in_the_same_order(client, auth, team):
    for manager in (team["mo"], team["pat"], team["ola"]):
        page = names(section(home_of(client, auth, manager), "owed"))
        auth.logout()
        [digest] = [d for d in remind.manager_digests(date(2026, 12, 8)) if d.user.id == manager.id]
        remind.send_digest(digest, date(2026, 12, 8))
        text = Mail.get((Mail.kind == "digest_manager") & (Mail.to == manager.email)).text
        emailed = [line[2:].split(",")[0] for line in text.splitlines() if line.startswith("- ")]
        assert emailed == page and page


def test_a_manager_sees_only_their_jobs(client, auth, team):
    html = home_of(client, auth, team["mo"])
    assert "Oda Other" not in html and "Operator" not in html
    auth.logout()
    ola = home_of(client, auth, team["ola"])
    assert names(section(ola, "owed")) == ["Oda Other"]
    assert "Ivy Interviewed" not in ola


def test_waiting_for_a_decision_says_where_it_stands(client, auth, team):
    waiting = section(home_of(client, auth, team["mo"]), "waiting")
    assert names(waiting) == ["Ivy Interviewed", "Dee Deciding"]
    ivy, dee = waiting.split("<tr>")[2:]
    assert "the candidate has not been told yet" in ivy
    assert "The candidate was told the team is deciding" in dee
    interviews = stage(team["design"], "Interviews").id
    assert (
        f'href="/admin/applications/A-IVY/?scorecard={interviews}#feedback">Your scorecard' in ivy
    )


def test_decided_recently_says_what_by_whom_and_when(client, auth, team):
    decided = section(home_of(client, auth, team["mo"]), "decided")
    assert names(decided)[:2] == ["Cy Closed", "Lee Left"]
    cy, lee = decided.split("<tr>")[2:4]
    assert '<td data-label="Decision">Closed as rejected</td>' in cy
    assert '<td data-label="By">System</td>' in cy
    assert '<td data-label="Decision">Moved from Interviews to Decision</td>' in lee
    assert '<td data-label="By">Rita Reyes</td>' in lee
    assert ">7 Dec 2026, 10:00</time>" in lee
    assert "Otto Old" not in decided  # fifteen days ago


def test_a_scorecard_given_leaves_the_page(client, auth, team):
    domain.submit_feedback(team["mo"], team["ivy"], stage(team["design"], "Interviews"), 3, "yes")
    html = home_of(client, auth, team["mo"])
    assert names(section(html, "owed")) == ["Lee Left", "Dee Deciding"]
    assert "Your scorecard is owed" not in section(html, "waiting").split("<tr>")[2]


def test_empty_states_say_what_will_appear(client, auth, clock, make_user, make_job):
    newcomer = make_user("manager")
    make_job(title="Analyst", managers=[newcomer])
    html = home_of(client, auth, newcomer)
    assert "You are up to date: no scorecard is owed." in section(html, "owed")
    assert "Interviews of the last 30 days count." in section(html, "owed")
    assert "Nobody is waiting for a decision on your jobs." in section(html, "waiting")
    assert "Nothing was decided on your jobs in the last 14 days." in section(html, "decided")
    assert "<table" not in html
    assert '<a href="/admin/jobs/">Your jobs</a>' in html


def test_the_nav_leads_a_manager_home(client, auth, team):
    html = home_of(client, auth, team["mo"])
    assert '<a href="/admin/" aria-current="page">What you owe</a>' in html
    jobs = client.get("/admin/jobs/").text
    assert '<a href="/admin/">What you owe</a>' in jobs and "Follow-up</a>" not in jobs


def test_the_page_is_a_fixed_number_of_queries(
    client, auth, team, sql_statements, make_application
):
    home_of(client, auth, team["mo"])
    del sql_statements[:]
    client.get("/admin/")
    few = len(sql_statements)
    for n in range(3):
        application = make_application(job=team["design"], name=f"Extra {n}")
        domain.move(None, application, stage(team["design"], "Interviews"), 1)
        domain.mark_deciding(team["rita"], world.fresh(application), 2, "Deciding.")
    del sql_statements[:]
    html = client.get("/admin/").text
    assert len(names(section(html, "owed"))) == 6
    assert len(sql_statements) == few


@pytest.mark.parametrize("role", ["admin", "recruiter"])
def test_admins_and_recruiters_keep_the_follow_up_queue(client, auth, team, make_user, role):
    html = home_of(client, auth, make_user(role))
    assert "Who is owed word" in html and "What you owe" not in html
    assert 'aria-current="page">Follow-up</a>' in html
