"""The admin home: the follow-up queue for admins and recruiters; for managers, what they
owe (tests/admin/test_manager_home.py)."""

from datetime import date

import pytest

from portal.store.models import Application


@pytest.mark.parametrize("role", ["admin", "recruiter"])
def test_home_is_the_follow_up_queue(client, auth, make_user, make_application, role):
    overdue = make_application(name="Overdue Olga")
    Application.update(reply_by=date(2020, 1, 6)).where(Application.id == overdue.id).execute()
    auth.login(make_user(role))
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "Who is owed word" in home.text and "Overdue Olga" in home.text
    assert 'aria-current="page">Follow-up</a>' in home.text


def test_a_manager_lands_on_what_they_owe(client, auth, make_user):
    auth.login(make_user("manager"))
    response = client.get("/admin/")
    assert response.status_code == 200 and "<h1>What you owe</h1>" in response.text
    assert "Who is owed word" not in response.text
