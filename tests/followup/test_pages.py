"""The follow-up queue in the admin: order, filters, one-click actions, bulk closure and
moves, proposed closures, the close page with shared feedback, and its query count."""

import re
from datetime import date

import pytest
import time_machine
from helpers.admin_client import CONFIRMED
from helpers.admin_client import confirmed
from helpers.factories import promise
from helpers.http import csrf_token

from portal import domain
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail
from portal.store.models import Stage

WEDNESDAY = "2026-12-09 09:00 +0000"


def fresh(application):
    return Application.get_by_id(application.id)


def pick(application) -> str:
    return f"{application.id}:{application.version}"


def names(page) -> list[str]:
    """Candidates in the queue's table, top to bottom."""
    table = page.text.split('<table class="list queue">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'/admin/applications/[^/]+/">([^<]+)</a>', table)


@pytest.fixture
def rita(make_user):
    return make_user("recruiter", name="Rita Reyes")


@pytest.fixture
def queue(rita, make_user, make_job, make_application):
    """Rita's Designer job and Sam's Operator job, with candidates at every lateness."""
    sam = make_user("recruiter", name="Sam Stone")
    mo = make_user("manager", name="Mo Mensah")
    design = make_job(title="Designer", ref="J-DES", recruiter=rita, managers=[mo])
    ops = make_job(title="Operator", ref="J-OPS", recruiter=sam)
    with time_machine.travel("2026-11-02 10:00 +0000", tick=False):
        made = {
            "late": promise(make_application(job=design, name="Lee Late"), date(2026, 12, 1)),
            "forgotten": promise(
                make_application(job=design, name="Fen Forgot"), date(2026, 11, 20)
            ),
            "soon": promise(make_application(job=design, name="Sol Soon"), date(2026, 12, 10)),
            "later": promise(make_application(job=design, name="Tim Later"), date(2026, 12, 14)),
            "other": promise(make_application(job=ops, name="Oda Other"), date(2026, 12, 8)),
        }
    return {"design": design, "ops": ops, "sam": sam, "mo": mo, **made}


@time_machine.travel(WEDNESDAY, tick=False)
def test_the_queue_lists_who_is_owed_word_most_overdue_first(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    assert page.status_code == 200
    assert names(page) == ["Fen Forgot", "Lee Late", "Oda Other", "Sol Soon"]
    assert "13 business days overdue" in page.text and "Due next business day" in page.text
    assert "proposed for closure" in page.text
    # The holding update is ready to send, with a date in words and the new date set.
    lee = queue["late"]
    assert "We have no decision yet on your application for the Designer role" in page.text
    assert "You will hear from us by Wednesday 16 December." in page.text  # Applied: 5 days
    assert 'name="reply_by" value="2026-12-16"' in page.text
    assert f'action="/admin/followup/{lee.ref}/update"' in page.text
    assert ' style="' not in page.text  # the staff CSP allows no inline styles


@time_machine.travel(WEDNESDAY, tick=False)
def test_the_queue_filters_by_job_and_recruiter(client, auth, rita, queue):
    auth.login(rita)
    by_job = client.get(f"/admin/followup/?job={queue['ops'].id}")
    assert names(by_job) == ["Oda Other"]
    mine = client.get(f"/admin/followup/?recruiter={rita.id}")
    assert names(mine) == ["Fen Forgot", "Lee Late", "Sol Soon"]
    nobody = client.get(f"/admin/followup/?job={queue['ops'].id}&recruiter={rita.id}")
    assert "Nobody is waiting for word." in nobody.text
    # Numbers beyond 64 bits are nonsense, ignored like "abc": the whole queue, no error.
    huge = client.get(f"/admin/followup/?job={2**64}&recruiter={2**64}&page={2**64}")
    assert names(huge) == ["Fen Forgot", "Lee Late", "Oda Other", "Sol Soon"]


def test_managers_and_strangers_cannot_see_the_queue(client, auth, make_user):
    assert client.get("/admin/followup/").status_code == 302  # to the sign-in page
    auth.login(make_user("manager"))
    assert client.get("/admin/followup/").status_code == 403
    assert client.get("/admin/metrics/").status_code == 403


@time_machine.travel(WEDNESDAY, tick=False)
def test_posting_the_holding_update(client, auth, rita, queue):
    auth.login(rita)
    page = client.get(f"/admin/followup/?recruiter={rita.id}")
    lee = queue["late"]
    response = client.post(
        f"/admin/followup/{lee.ref}/update?recruiter={rita.id}",
        data={
            "csrf_token": csrf_token(page),
            "version": lee.version,
            "message": "No news yet, Lee: you will hear from us by Monday 14 December.",
            "reply_by": "2026-12-14",
            "tell": "y",
            **CONFIRMED,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/followup/?recruiter={rita.id}"
    after = fresh(lee)
    assert after.reply_by == date(2026, 12, 14) and after.version == lee.version + 1
    word = (
        Event.select()
        .where((Event.application == lee.id) & (Event.kind == "update"))
        .order_by(Event.id.desc())
        .first()
    )
    assert word.visible and word.message.startswith("No news yet, Lee")
    assert "Lee Late" not in names(client.get(f"/admin/followup/?recruiter={rita.id}"))


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_promise_in_the_past_is_refused_from_the_queue_too(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    lee = queue["late"]
    before = (fresh(lee).reply_by, fresh(lee).version)
    response = client.post(
        f"/admin/followup/{lee.ref}/update",
        data={"csrf_token": csrf_token(page), "version": lee.version, "message": "Hello",
              "reply_by": "2001-01-01"},
        follow_redirects=True,
    )  # fmt: skip
    assert "is in the past" in response.text
    assert (fresh(lee).reply_by, fresh(lee).version) == before


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_stale_form_changes_nothing_and_says_why(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    lee = queue["late"]
    promise(lee, date(2026, 12, 15))  # someone else gave word meanwhile
    response = client.post(
        f"/admin/followup/{lee.ref}/update",
        data={"csrf_token": csrf_token(page), "version": lee.version, "message": "Hello"},
        follow_redirects=True,
    )
    assert "Someone else changed this application" in response.text
    assert fresh(lee).reply_by == date(2026, 12, 15)


@time_machine.travel(WEDNESDAY, tick=False)
def test_moving_one_from_the_queue(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    sol = queue["soon"]
    screen = Stage.get((Stage.job == sol.job_id) & (Stage.name == "Screen"))
    response = client.post(
        f"/admin/followup/{sol.ref}/move",
        data={"csrf_token": csrf_token(page), "version": sol.version, "stage": screen.id,
              **CONFIRMED},
    )  # fmt: skip
    assert response.status_code == 302
    assert fresh(sol).stage_id == screen.id
    other_job = Stage.get((Stage.job == queue["ops"].id) & (Stage.name == "Screen"))
    refused = client.post(
        f"/admin/followup/{sol.ref}/move",
        data={"csrf_token": csrf_token(page), "version": sol.version + 1, "stage": other_job.id},
    )
    assert refused.status_code == 400


@time_machine.travel(WEDNESDAY, tick=False)
def test_bulk_close_with_one_note_filled_for_each(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    lee, sol = queue["late"], queue["soon"]
    mails = Mail.select().count()
    check = client.post(
        "/admin/followup/bulk",
        data={
            "csrf_token": csrf_token(page),
            "pick": [pick(lee), pick(sol)],
            "action": "close",
            "status": "rejected",
            "note": "Dear {first_name}, thank you for applying to be our {job}.",
            "closure_reason": "role_filled",
            "close-tell": "y",
            "move-tell": "",  # the other fieldset's box says nothing about closing
        },
    )
    # first the check: each candidate's own email, and nothing changed or sent yet
    assert "2 emails go out as soon as you confirm" in check.text
    assert "Dear Lee, thank you for applying" in check.text
    assert "Dear Sol, thank you for applying" in check.text
    assert fresh(lee).is_active and Mail.select().count() == mails
    response = confirmed(client, check, "/admin/followup/bulk", follow_redirects=True)
    assert "Closed 2 applications as rejected." in response.text
    assert "Emailed 2 candidates, each their own" in response.text
    assert fresh(lee).closure_note == "Dear Lee, thank you for applying to be our Designer."
    assert fresh(sol).closure_note == "Dear Sol, thank you for applying to be our Designer."
    assert fresh(sol).status == "rejected"


@time_machine.travel(WEDNESDAY, tick=False)
def test_bulk_close_is_all_or_nothing(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    lee, sol = queue["late"], queue["soon"]
    stale = pick(sol)
    promise(sol, date(2026, 12, 16))
    response = client.post(
        "/admin/followup/bulk",
        data={
            "csrf_token": csrf_token(page),
            "pick": [pick(lee), stale],
            "action": "close",
            "status": "rejected",
            "note": "Dear {first_name}",
            "closure_reason": "role_filled",
        },
        follow_redirects=True,
    )
    assert "Nothing was changed: Someone else changed this application" in response.text
    assert fresh(lee).status == fresh(sol).status == "active"


@time_machine.travel(WEDNESDAY, tick=False)
def test_bulk_move_and_nothing_ticked(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    lee, other = queue["late"], queue["other"]
    moved = client.post(
        "/admin/followup/bulk",
        data={
            "csrf_token": csrf_token(page),
            "pick": [pick(lee), pick(other)],
            "action": "move",
            "stage": "Screen",
            "message": "Hello {first_name}, on to a call.",
            **CONFIRMED,
        },
        follow_redirects=True,
    )
    assert "Moved 2 applications to Screen. Nobody was emailed" in moved.text
    assert {fresh(a).stage.name for a in (lee, other)} == {"Screen"}
    nothing = client.post(
        "/admin/followup/bulk",
        data={"csrf_token": csrf_token(page), "action": "move", "stage": "Screen"},
        follow_redirects=True,
    )
    assert "Nothing was changed: Choose at least one application." in nothing.text
    bad = client.post(
        "/admin/followup/bulk",
        data={"csrf_token": csrf_token(page), "pick": ["1:x"], "action": "move"},
    )
    assert bad.status_code == 400


@time_machine.travel(WEDNESDAY, tick=False)
def test_confirming_the_proposed_closures(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    fen = queue["forgotten"]
    proposals = page.text.split('id="proposed-title"', 1)[1].split("</details>", 1)[0]
    assert "Fen Forgot" in proposals and "Lee Late" not in proposals  # 13 vs 6 days late
    assert "Dear {first_name}," in proposals  # the template, filled per candidate on send
    assert "Dear Fen," in proposals  # and its preview
    response = client.post(
        "/admin/followup/proposed",
        data={
            "csrf_token": csrf_token(page),
            "pick": [pick(fen)],
            "status": "rejected",
            "note": "Dear {first_name}, we are sorry to have kept you waiting.",
            "closure_reason": "role_closed",
            "tell": "y",
            **CONFIRMED,
        },
        follow_redirects=True,
    )
    assert "Closed 1 application as rejected." in response.text
    assert fresh(fen).closure_note == "Dear Fen, we are sorry to have kept you waiting."
    assert 'id="proposed-title"' not in response.text


@time_machine.travel(WEDNESDAY, tick=False)
def test_closing_one_with_shared_feedback(client, auth, rita, queue):
    mo = queue["mo"]
    lee = queue["late"]
    feedback = domain.submit_feedback(
        mo, lee, lee.stage, 3, "no", "Thoughtful portfolio", "Little print experience"
    )
    # Mo chooses to share the strengths, on the share page.
    auth.login(mo)
    share_page = client.get(f"/admin/feedback/{feedback.id}/share")
    assert share_page.status_code == 200 and "Little print experience" in share_page.text
    client.post(
        f"/admin/feedback/{feedback.id}/share",
        data={"csrf_token": csrf_token(share_page), "strengths": "y"},
    )
    auth.logout()
    auth.login(rita)
    url = f"/admin/followup/{lee.ref}/close?status=rejected"
    page = client.get(url)
    assert "Dear Lee," in page.text and "Thoughtful portfolio" in page.text
    assert "Little print experience" not in page.text  # not shared
    inserted = client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "version": lee.version,
            "note": "Dear Lee, not this time.",
            "insert": f"{feedback.id}-strengths",
        },
    )
    assert inserted.status_code == 200
    assert "Dear Lee, not this time.\n\nThoughtful portfolio</textarea>" in inserted.text
    assert fresh(lee).is_active
    closed = client.post(
        url,
        data={
            "csrf_token": csrf_token(inserted),
            "version": lee.version,
            "note": "Dear Lee, not this time. The panel loved your thoughtful portfolio.",
            "reason": "Needs print experience",
            "closure_reason": "skills_gap",
            "tell": "y",
            **CONFIRMED,
        },
    )
    assert closed.status_code == 302
    after = fresh(lee)
    assert after.status == "rejected" and after.closed_reason == "Needs print experience"
    assert after.closure_note.endswith("thoughtful portfolio.")


def test_only_the_author_may_share(client, auth, make_user, make_job, make_application):
    mo, pat = make_user("manager"), make_user("manager")
    application = make_application(job=make_job(managers=[mo, pat]))
    feedback = domain.submit_feedback(mo, application, application.stage, 3, "yes", "Kind")
    auth.login(pat)
    assert client.get(f"/admin/feedback/{feedback.id}/share").status_code == 403
    assert client.get(f"/admin/feedback/{feedback.id + 99}/share").status_code == 404


@time_machine.travel(WEDNESDAY, tick=False)
def test_the_queue_costs_the_same_queries_for_few_rows_or_many(
    client, auth, rita, make_job, make_application, sql_statements
):
    design = make_job(title="Designer", recruiter=rita, stale_days=4)
    other = make_job(title="Operator", recruiter=rita)

    def add(count, job):
        with time_machine.travel("2026-11-02 10:00 +0000", tick=False):
            for _ in range(count):
                promise(make_application(job=job), date(2026, 11, 20))

    auth.login(rita)
    add(2, design)
    sql_statements.clear()
    assert len(names(client.get("/admin/followup/"))) == 2
    few = len(sql_statements)
    add(30, design)
    add(10, other)
    sql_statements.clear()
    assert len(names(client.get("/admin/followup/"))) == 42
    assert len(sql_statements) == few


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_bulk_close_with_its_box_unticked_emails_nobody(client, auth, rita, queue):
    auth.login(rita)
    page = client.get("/admin/followup/")
    lee = queue["late"]
    mails = Mail.select().count()
    response = client.post(
        "/admin/followup/bulk",
        data={"csrf_token": csrf_token(page), "pick": [pick(lee)], "action": "close",
              "status": "rejected", "note": "Dear {first_name}, no.", "move-tell": "y",
              "closure_reason": "role_filled", **CONFIRMED},
        follow_redirects=True,
    )  # fmt: skip
    assert "Closed 1 application as rejected. Nobody was emailed" in response.text
    assert Mail.select().count() == mails and fresh(lee).status == "rejected"
