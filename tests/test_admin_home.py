"""The admin home: who is owed word, most overdue first."""

import re
from datetime import date

import pytest
import time_machine

from portal import domain
from portal.models import Application

# A Wednesday, with the following Friday and Monday ordinary business days.
WEDNESDAY = date(2026, 3, 11)


def names(response) -> list[str]:
    return re.findall(r'<td data-label="Candidate"><a href="[^"]+">([^<]+)</a>', response.text)


def set_reply_by(application, day):
    Application.update(reply_by=day).where(Application.id == application.id).execute()


@pytest.fixture
def traveller():
    with time_machine.travel(f"{WEDNESDAY.isoformat()} 10:00", tick=False) as traveller:
        yield traveller


def test_owed_word_lists_overdue_and_due_within_a_business_day(
    traveller, client, auth, make_user, make_job, make_application
):
    job = make_job(title="Backend Engineer")
    cases = {
        "Overdue Long": date(2026, 3, 2),  # Monday last week: 7 business days late
        "Overdue Yesterday": date(2026, 3, 10),
        "Due Today": WEDNESDAY,
        "Due Tomorrow": date(2026, 3, 12),
        "Due Friday": date(2026, 3, 13),  # two business days away: not yet
    }
    for name, day in cases.items():
        set_reply_by(make_application(job=job, name=name), day)
    closed = make_application(job=job, name="Closed Overdue")
    domain.close(None, closed, closed.version, "withdrawn", "")
    set_reply_by(closed, date(2026, 3, 2))
    auth.login(make_user("recruiter"))
    page = client.get("/admin/")
    assert page.status_code == 200
    assert names(page) == ["Overdue Long", "Overdue Yesterday", "Due Today", "Due Tomorrow"]
    assert "Overdue by 7 business days" in page.text
    assert "Overdue by 1 business day<" in page.text
    assert "Due today" in page.text
    assert "Due next business day" in page.text
    assert "4 candidates waiting." in page.text
    ref = Application.get(Application.reply_by == WEDNESDAY).ref
    assert f'href="/admin/applications/{ref}/"' in page.text


def test_friday_counts_monday_as_within_one_business_day(
    client, auth, make_user, make_job, make_application
):
    with time_machine.travel("2026-03-13 10:00", tick=False):
        set_reply_by(make_application(name="Due Monday"), date(2026, 3, 16))
        set_reply_by(make_application(name="Due Tuesday"), date(2026, 3, 17))
        auth.login(make_user("recruiter"))
        assert names(client.get("/admin/")) == ["Due Monday"]


def test_nobody_waiting(traveller, client, auth, make_user, make_application):
    set_reply_by(make_application(), date(2026, 3, 20))
    auth.login(make_user("recruiter"))
    page = client.get("/admin/")
    assert "Nobody is waiting for word." in page.text


def test_manager_sees_only_their_jobs(
    traveller, client, auth, make_user, make_job, make_application
):
    manager = make_user("manager")
    mine, other = make_job(managers=[manager]), make_job()
    set_reply_by(make_application(job=mine, name="Mine Overdue"), date(2026, 3, 9))
    set_reply_by(make_application(job=other, name="Other Overdue"), date(2026, 3, 9))
    auth.login(manager)
    assert names(client.get("/admin/")) == ["Mine Overdue"]


def test_owed_word_is_paginated(
    app, traveller, client, auth, make_user, make_job, make_application
):
    app.config["PAGE_SIZE"] = 3
    job = make_job()
    for n in range(7):
        set_reply_by(make_application(job=job, name=f"Person {n}"), date(2026, 3, 2 + n))
    auth.login(make_user("recruiter"))
    first = client.get("/admin/")
    assert names(first) == ["Person 0", "Person 1", "Person 2"]
    assert "7 candidates waiting, showing 1–3." in first.text
    assert names(client.get("/admin/?page=3")) == ["Person 6"]


def test_home_takes_three_queries_whatever_the_page_size(
    app, traveller, client, auth, make_user, make_job, make_application, sql_statements
):
    job = make_job()
    for _ in range(20):
        set_reply_by(make_application(job=job), date(2026, 3, 2))
    auth.login(make_user("recruiter"))
    counts = []
    for size in (5, 50):
        app.config["PAGE_SIZE"] = size
        sql_statements.clear()
        client.get("/admin/")
        counts.append(len(sql_statements))
    assert counts == [3, 3]
