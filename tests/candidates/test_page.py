"""The candidate page: what it shows, in what words, and what the candidate can do on it."""

import re
import threading
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine

from portal import domain
from portal.candidates import links
from portal.candidates import page as pages
from portal.candidates import words as words_of
from portal.candidates.actions import acknowledge_closure
from portal.candidates.actions import rate_experience
from portal.candidates.actions import reissue_link
from portal.candidates.actions import revoke_link
from portal.clock import now
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Link
from portal.store.models import Mail
from portal.store.models import Stage


def page_url(application) -> str:
    return f"/c/{links.live(application).token}/"


def stage(application, position: int) -> Stage:
    return application.job.stages.where(Stage.position == position).get()


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def form_token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def text_of(html: str) -> str:
    """The visible words of a page, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- what the page shows ---------------------------------------------------------------


@time_machine.travel("2026-11-26 10:00 +0000", tick=False)
def test_an_active_application(client, make_application):
    application = make_application(name="Ada Lovelace")
    domain.move(
        None,
        application,
        stage(application, 2),
        application.version,
        message="Great talking to you!",
        next_steps="Expect an invitation for two interviews.",
        reply_by=date(2026, 12, 4),
    )
    response = client.get(page_url(application))
    assert response.status_code == 200
    words = text_of(response.text)
    assert "Backend Engineer" in words
    assert "Hello Ada." in words
    # Milestones in the candidate's words, the current one marked, past ones dated.
    assert re.search(
        r'milestone-current" aria-current="step">\s*<span class="milestone-label">Interviews',
        response.text,
    )
    assert "Application received Done, " in words
    assert "Introductory call Done" in words
    assert words.index("Application received") < words.index("Interviews") < words.index("Offer")
    # What happens next: the stage's description and the latest next steps.
    assert "Two or three conversations with the people you would work with" in words
    assert "Expect an invitation for two interviews." in words
    # When: in words.
    assert "By Friday 4 December" in words
    # Who: the recruiter, with a mailto link.
    recruiter = application.job.recruiter
    assert f'href="mailto:{recruiter.email}"' in response.text
    assert f"write to {recruiter.name} at {recruiter.email}" in words
    # Withdraw is offered while active; no closure actions yet.
    assert "Withdraw my application" in words
    assert "Got it" not in words


def test_history_is_newest_first_and_only_candidate_visible(client, make_application):
    application = make_application()
    for n in range(3):
        domain.post_update(None, application, fresh(application).version, f"Update number {n}")
    domain.add_note(None, application, "An internal note")
    words = text_of(client.get(page_url(application)).text)
    assert words.index("Update number 2") < words.index("Update number 1")
    assert words.index("Update number 1") < words.index("Update number 0")
    assert "An internal note" not in words


def test_a_late_reply_by_is_owned_up_to(client, make_application):
    application = make_application()
    Application.update(reply_by=date.today() - timedelta(days=3)).where(
        Application.id == application.id
    ).execute()
    words = text_of(client.get(page_url(application)).text)
    assert "we are late. We are sorry." in words


def test_dates_are_in_the_company_time_zone(app, client, make_application):
    app.config["TIMEZONE"] = "Pacific/Auckland"
    application = make_application()
    # 20:00 UTC on Thursday 26 November is Friday morning in Auckland.
    with time_machine.travel(datetime(2026, 11, 26, 20, 0), tick=False):
        domain.post_update(None, application, application.version, "Time zones!")
    response = client.get(page_url(application))
    assert '<time datetime="2026-11-27">Friday 27 November' in response.text


@pytest.mark.parametrize("status", ["hired", "rejected", "withdrawn"])
def test_a_closed_application_shows_its_outcome_and_note(client, make_application, status):
    application = make_application()
    domain.close(None, application, application.version, status, f"Dear Ada, the note ({status}).")
    response = client.get(page_url(application))
    assert response.status_code == 200
    words = text_of(response.text)
    assert f'class="outcome outcome-{status}"' in response.text
    assert words_of.OUTCOMES[status][0] in words
    assert f"Dear Ada, the note ({status})." in words
    assert "Withdraw my application" not in words
    # closed by the team: nothing the candidate asked for, and theirs to acknowledge
    assert "as you asked" not in words
    assert "Got it, thank you" in words
    assert "How were you treated" in words
    # The note is in its own section, not repeated in the history.
    assert words.count(f"the note ({status})") == 1


def test_the_closure_note_stays_readable_then_the_link_ends(app, client, make_application):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    url = page_url(application)
    days = app.config["CLOSED_DAYS"]
    with time_machine.travel(now() + timedelta(days=days - 1)):
        response = client.get(url)
        assert response.status_code == 200
        assert "Thank you, Ada." in response.text
    with time_machine.travel(now() + timedelta(days=days, minutes=1)):
        response = client.get(url)
        assert response.status_code == 404
        assert "This link no longer works" in response.text


def test_the_page_states_until_when_it_works(client, make_application):
    application = make_application()
    link = links.live(application)
    words = text_of(client.get(page_url(application)).text)
    from portal import dates
    from portal.clock import local

    assert f"works until {dates.in_words(local(link.expires).date())}" in words


def test_free_text_is_inert(client, make_application):
    """A5 on the candidate page: markup in every free-text field is escaped."""
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    application = make_application(name=f"Eve {evil}")
    domain.move(
        None,
        application,
        stage(application, 1),
        application.version,
        message=evil,
        next_steps=evil,
    )
    domain.close(None, fresh(application), fresh(application).version, "rejected", evil)
    html = client.get(page_url(application)).text
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


# --- the page is the same bytes for everyone ---------------------------------------------


def test_the_page_does_not_depend_on_a_session(client, app, make_application, make_user, auth):
    application = make_application()
    url = page_url(application)
    anonymous = client.get(url)
    auth.login(make_user("admin"))
    signed_in = client.get(url)
    assert anonymous.data == signed_in.data
    assert "Set-Cookie" not in anonymous.headers


def test_the_view_model_renders_what_the_route_serves(client, make_application):
    """What the static build renders (pages.load_many) is byte for byte the live page."""
    first, second = make_application(), make_application(name="Grace Hopper")
    domain.post_update(None, second, second.version, "See you Tuesday")
    ids = [links.live(first).id, links.live(second).id]
    rendered = {link_id: html for link_id, _token, html in pages.load_many(ids)}
    for application in (first, second):
        live = client.get(page_url(application)).get_data(as_text=True)
        assert live == rendered[links.live(application).id]


def test_a_fixed_number_of_queries_whatever_the_history(client, make_application, sql_statements):
    short, long = make_application(), make_application()
    domain.post_update(None, short, short.version, "Only one update")
    for n in range(40):
        domain.post_update(None, long, fresh(long).version, f"Update {n}")
        domain.add_note(None, long, f"Note {n}")
    counts = []
    for application in (short, long):
        url = page_url(application)
        client.get(url)  # the first visit may note the link as opened
        del sql_statements[:]
        assert client.get(url).status_code == 200
        counts.append(len(sql_statements))
    assert counts[0] == counts[1] == 4  # link, stages, events, interviews


# --- GET changes nothing ----------------------------------------------------------------


def test_get_changes_nothing_but_the_opened_time(client, make_application):
    """L10: email scanners open links; a GET never changes the application."""
    application = make_application()
    before = fresh(application)
    events, mails = Event.select().count(), Mail.select().count()
    url = page_url(application)
    for _ in range(3):
        client.get(url)
        client.head(url)
    after = fresh(application)
    assert (after.version, after.updated, after.status) == (
        before.version,
        before.updated,
        before.status,
    )
    assert (Event.select().count(), Mail.select().count()) == (events, mails)


def test_opened_is_noted_at_most_hourly_and_not_by_head(client, make_application):
    application = make_application()
    url = page_url(application)
    client.head(url)
    assert links.live(application).last_viewed is None
    client.get(url)
    first = links.live(application).last_viewed
    assert first is not None
    client.get(url)
    assert links.live(application).last_viewed == first
    with time_machine.travel(now() + timedelta(hours=2)):
        client.get(url)
        assert links.live(application).last_viewed > first


# --- actions ------------------------------------------------------------------------------


def post(client, application, action, **data):
    url = page_url(application)
    data.setdefault("form_token", form_token(client.get(url).text))
    return client.post(f"{url}{action}", data=data)


def test_withdraw_needs_confirmation(client, make_application):
    application = make_application()
    response = post(client, application, "withdraw", reason="Found another job")
    assert response.status_code == 400
    assert "Tick the box" in response.text
    assert fresh(application).status == "active"


def test_withdraw(client, make_application):
    application = make_application()
    url = page_url(application)
    response = post(client, application, "withdraw", confirm="yes", reason="Took another offer")
    assert response.status_code == 303
    assert response.headers["Location"] == url
    withdrawn = fresh(application)
    assert withdrawn.status == "withdrawn"
    assert "Took another offer" in withdrawn.closed_reason
    assert [e.kind for e in withdrawn.events.order_by(Event.id)][-2:] == [
        "candidate_withdrew",
        "closed",
    ]
    words = text_of(client.get(url).text)
    assert "Your application is withdrawn" in words
    assert "We have closed it, as you asked." in words
    assert "Your application was withdrawn, as you asked" in words  # the history's line
    assert "Thank you for letting us know" in words  # the default withdrawn note
    assert "Took another offer" not in words  # their reason is for the hiring team
    # a candidate who withdrew is not asked to acknowledge their own withdrawal
    assert "Got it, thank you" not in words


def test_a_withdrawal_by_the_team_never_says_as_you_asked(client, make_user, make_application):
    """Withdrawn by a recruiter because the candidate did not reply: the page (live and
    as the static build renders it) and the email say it neutrally."""
    application = make_application(name="Ada Lovelace")
    recruiter = application.job.recruiter
    note = "{reason}"  # no greeting of its own: the email opens with its own words
    domain.close(recruiter, application, 1, "withdrawn", note, closure_reason="no_reply")
    live = client.get(page_url(application)).get_data(as_text=True)
    [(_, _, static)] = pages.load_many([links.live(application).id])
    assert static == live
    words = text_of(live)
    assert "Your application is closed" in words and "We have closed your application." in words
    assert "Your application was closed" in words  # the history's line
    assert "as you asked" not in words and "Your application is withdrawn" not in words
    assert "Got it, thank you" in words  # nothing they told us: theirs to acknowledge
    mail = Mail.get((Mail.application == application.id) & (Mail.kind == "closure"))
    assert mail.subject == "Your application for Backend Engineer is closed"
    assert "We have closed your application for Backend Engineer." in mail.text
    for said in (mail.text, mail.html):
        assert "as you asked" not in said and "withdrawn" not in said.lower()


def test_a_withdrawal_they_asked_for_says_so_in_the_email(client, make_application):
    application = make_application(name="Ada Lovelace")
    post(client, application, "withdraw", confirm="yes")
    mail = Mail.get((Mail.application == application.id) & (Mail.kind == "closure"))
    assert mail.subject == "Your application for Backend Engineer is withdrawn"
    assert "Your application is withdrawn." in mail.html  # its preview line


def test_acknowledge_once(client, make_application):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    assert post(client, application, "acknowledge").status_code == 303
    assert post(client, application, "acknowledge").status_code == 303
    kinds = [e.kind for e in fresh(application).events]
    assert kinds.count("acknowledged") == 1
    words = text_of(client.get(page_url(application)).text)
    assert "You told us on" in words
    assert "Got it, thank you" not in words


def test_rate_the_experience(client, make_application):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    assert post(client, application, "rate", score="4").status_code == 303
    event = fresh(application).events.where(Event.kind == "rated").get()
    assert event.message == "4 out of 5"
    assert not event.visible
    words = text_of(client.get(page_url(application)).text)
    assert "Thank you for telling us how it went" in words
    assert post(client, application, "rate", score="1").status_code == 303
    assert fresh(application).events.where(Event.kind == "rated").count() == 1


@pytest.mark.parametrize("score", ["0", "6", "x", ""])
def test_rate_refuses_bad_scores(client, make_application, score):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    response = post(client, application, "rate", score=score)
    assert response.status_code == 400
    assert fresh(application).events.where(Event.kind == "rated").count() == 0


def test_closure_actions_need_a_closed_application(client, make_application):
    application = make_application()
    assert post(client, application, "acknowledge").status_code == 400
    assert post(client, application, "rate", score="5").status_code == 400
    assert fresh(application).events.where(Event.kind.in_(["acknowledged", "rated"])).count() == 0


def test_withdraw_of_a_closed_application_is_refused(client, make_application):
    application = make_application()
    token = form_token(client.get(page_url(application)).text)
    domain.close(None, application, application.version, "hired", "Welcome!")
    response = post(client, application, "withdraw", confirm="yes", form_token=token)
    assert response.status_code == 400
    assert fresh(application).status == "hired"


def test_actions_show_in_the_staff_history(client, make_application):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    post(client, application, "acknowledge")
    post(client, application, "rate", score="5")
    kinds = {e.kind for e in fresh(application).events}
    assert {"acknowledged", "rated"} <= kinds


def test_a_reissued_link_refuses_the_old_pages_form(client, make_application):
    application = make_application()
    old_url = page_url(application)
    token = form_token(client.get(old_url).text)
    reissue_link(None, application)
    response = client.post(f"{old_url}withdraw", data={"form_token": token, "confirm": "yes"})
    assert response.status_code == 404
    assert fresh(application).status == "active"
    assert Link.select().where(Link.revoked.is_null()).count() == 1


def test_page_dates_read_like_everywhere_else(app):
    """The page's fast date words are exactly ``dates.in_words``."""
    from portal import dates

    days = words_of.Days()
    start = date(2025, 1, 1)
    for offset in range(0, 800, 3):
        day = start + timedelta(days=offset)
        assert days.words(day) == dates.in_words(day)


@pytest.mark.parametrize("status", ["active", "rejected"])
def test_static_only_pages_carry_no_forms(app, client, make_application, status):
    """With no app behind BASE_URL (PORTAL_STATIC_ONLY) a form could only fail."""
    app.config["STATIC_ONLY"] = True
    application = make_application()
    if status != "active":
        domain.close(None, application, application.version, status, "Thank you, Ada.")
    html = client.get(page_url(application)).text
    assert "Thank you, Ada." in html or status == "active"
    assert "<form" not in html and "form_token" not in html
    dead = client.get("/c/nope/").text
    assert "<form" not in dead
    assert "reply to the email that brought you here" in dead


def at_once(app, application, action, times: int = 6) -> list[Exception]:
    """Run ``action`` on ``application`` from ``times`` threads released together, each
    with its own connection, as simultaneous requests would: the errors they raised."""
    ready, errors = threading.Barrier(times), []

    def request():
        with app.app_context(), database.connection_context():
            mine = Application.get_by_id(application.id)
            ready.wait()
            try:
                action(mine)
            except Exception as error:  # noqa: BLE001 - reported to the test
                errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_a_double_click_counts_once(app, make_application):
    """On PostgreSQL (READ COMMITTED) simultaneous requests once each passed the "not yet"
    check and recorded their own acknowledgement and rating."""
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you.")
    assert at_once(app, application, acknowledge_closure) == []
    assert at_once(app, application, lambda mine: rate_experience(mine, 4)) == []
    kinds = [e.kind for e in Event.select().where(Event.application == application.id)]
    assert (kinds.count("acknowledged"), kinds.count("rated")) == (1, 1)


def test_simultaneous_fresh_links_leave_one_live_link(app, make_application):
    application = make_application()
    revoke_link(None, application)
    assert at_once(app, application, links.issue) == []
    assert (
        Link.select().where(Link.application == application.id, Link.revoked.is_null()).count() == 1
    )
