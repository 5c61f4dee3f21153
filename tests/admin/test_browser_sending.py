"""Sending is a decision (admin/sending.py), in a real headless Chromium at 1280 and 360 px:
the check page shows the email and the framed page after the change, fits the screen,
passes axe, and both its buttons work, with and without JavaScript."""

from datetime import timedelta

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.factories import stage

from portal import dates
from portal import domain
from portal.candidates import links
from portal.clock import today
from portal.store.models import Application
from portal.store.models import Mail
from portal.store.models import ScheduledClosure

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
MESSAGE = "Lovely to meet you: Priya will call you on Thursday."
#: Words of the default rejection template that a hired candidate must never read.
REJECTION = "We have decided not to continue"
#: The keys that type ``day`` into a focused date input, in the order its parts show
#: in the browser's locale (Chromium moves to the next part by itself).
DATE_KEYS = """day => new Intl.DateTimeFormat(navigator.language)
  .formatToParts(new Date(day + "T12:00:00"))
  .filter(p => ["day", "month", "year"].includes(p.type))
  .map(p => ({day: day.slice(8, 10), month: day.slice(5, 7), year: day.slice(0, 4)})[p.type])
  .join("")"""


@pytest.fixture
def data(make_user, make_job, make_application):
    """Rita's job with three candidates, all owed word (so the follow-up queue lists them)."""
    rita = make_user("recruiter", name="Rita Recruiter", email="rita@example.com")
    job = make_job(title="Senior Backend Engineer", recruiter=rita)
    people = [
        make_application(job=job, name=name, email=email)
        for name, email in [
            ("Ada Lovelace", "ada@example.org"),
            ("Grace Hopper", "grace@example.org"),
            ("Alan Turing", "alan@example.org"),
        ]
    ]
    Application.update(reply_by=today() - timedelta(days=3)).execute()
    return {"rita": rita, "job": job, "people": people}


def url(server, application) -> str:
    return f"{server}/admin/applications/{application.ref}/"


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def shot(page, name: str) -> None:
    """A full-page screenshot for the report, in /tmp/shots/."""
    page.screenshot(path=f"/tmp/shots/{name}.png", full_page=True)


def check_page(page) -> None:
    """Wait for the check page an action answers with."""
    page.wait_for_selector("form.check-send")
    assert page.locator("h1").inner_text() == "Check before it goes"


def framed_text(page) -> str:
    """The visible text of the candidate's page inside the check page's inert frame."""
    frame = page.locator(".preview-frames iframe").element_handle().content_frame()
    return frame.locator("body").inner_text()


def move_with_message(page, screen, message=MESSAGE) -> None:
    page.select_option("#move-stage", value=str(screen.id))
    page.fill("#move-message", message)
    page.click("#move button:has-text('Check and move')")


@VIEWPORTS
def test_a_move_is_checked_edited_and_sent(browser, server, data, viewport):
    ada = data["people"][0]
    screen = stage(data["job"], "Screen")
    name = "laptop" if viewport is LAPTOP else "phone"
    context, page = signed_in(browser, server, data["rita"], viewport)
    page.goto(url(server, ada))
    mails = Mail.select().count()
    move_with_message(page, screen)
    check_page(page)
    shot(page, f"move-check-{name}")
    lead = page.locator(".page-head .lead").inner_text()
    assert "This email goes to ada@example.org as soon as you confirm." in lead
    email = page.locator("pre.email-text")
    assert email.count() == 1 and MESSAGE in email.inner_text()
    assert "Rita Recruiter <rita@example.com>" in page.locator("dl.email-head").inner_text()
    framed = framed_text(page)
    assert "Moved on to: Introductory call" in framed and MESSAGE in framed
    assert page.locator("form.check-send button.primary").inner_text() == "Send and save"
    assert_fits(page, viewport, "the check page of a move")
    assert serious_violations(page) == []
    assert (fresh(ada).stage_id, Mail.select().count()) == (ada.stage_id, mails)

    page.click("button:has-text('Back to edit')")
    page.wait_for_selector("#move-message")
    assert page.locator("#move-message").input_value() == MESSAGE
    assert page.locator("#move-stage").input_value() == str(screen.id)
    assert fresh(ada).stage_id == ada.stage_id

    page.click("#move button:has-text('Check and move')")
    check_page(page)
    page.click("button:has-text('Send and save')")
    page.wait_for_url(url(server, ada))
    flashed = page.locator("p.flash").all_inner_texts()
    assert any("Moved to Screen. Emailed ada@example.org: “" in text for text in flashed), flashed
    assert fresh(ada).stage_id == screen.id
    assert Mail.select().count() == mails + 1

    page.goto(f"{server}/c/{links.live(ada).token}/")
    current = page.locator("[aria-current=step]").inner_text()
    assert "Introductory call" in current
    assert MESSAGE in page.locator("main").inner_text()
    context.close()


def test_unticked_the_check_page_emails_nobody(browser, server, data):
    ada = data["people"][0]
    context, page = signed_in(browser, server, data["rita"], PHONE)
    page.goto(url(server, ada))
    mails = Mail.select().count()
    page.uncheck("#move-tell")
    move_with_message(page, stage(data["job"], "Screen"), "Quietly corrected.")
    check_page(page)
    shot(page, "move-check-untold-phone")
    lead = page.locator(".page-head .lead").inner_text()
    assert "Nobody will be emailed: you chose not to tell the candidate." in lead
    assert page.locator("pre.email-text").count() == 0
    button = page.locator("form.check-send button.primary")
    assert button.inner_text() == "Save without emailing"
    assert_fits(page, PHONE, "the check page of a quiet move")
    button.click()
    page.wait_for_url(url(server, ada))
    assert "Nobody was emailed" in page.locator("main").inner_text()
    assert fresh(ada).stage.name == "Screen"
    assert Mail.select().count() == mails
    context.close()


@pytest.mark.parametrize(
    ("viewport", "javascript"),
    [(LAPTOP, True), (PHONE, True), (LAPTOP, False)],
    ids=["laptop", "phone", "laptop-without-javascript"],
)
def test_a_bulk_hire_left_at_the_default_note_sends_no_rejection(
    browser, server, data, viewport, javascript
):
    ada, grace, alan = data["people"]
    name = f"{'laptop' if viewport is LAPTOP else 'phone'}-{'js' if javascript else 'nojs'}"
    context, page = signed_in(browser, server, data["rita"], viewport, javascript)
    page.goto(server + "/admin/followup/")
    assert page.locator("#bulk-note").input_value() == domain.closure_template("rejected")
    page.check(f"#row-{ada.id} input[name=pick]")
    page.check(f"#row-{grace.id} input[name=pick]")
    page.select_option("#bulk-status", value="hired")
    # untouched: the script puts the hire's template in; without it, the rejection stays
    expected = domain.closure_template("hired" if javascript else "rejected")
    assert page.locator("#bulk-note").input_value() == expected
    page.click("button:has-text('Check and close ticked')")
    check_page(page)
    shot(page, f"bulk-hire-check-{name}")
    lead = page.locator(".page-head .lead").inner_text()
    assert "2 emails go out as soon as you confirm" in lead
    emails = page.locator("pre.email-text").all_inner_texts()
    heads = page.locator("dl.email-head").all_inner_texts()
    assert len(emails) == 2
    assert "ada@example.org" in heads[0] and "grace@example.org" in heads[1]
    assert "Dear Ada" in emails[0] and "Dear Grace" in emails[1]
    assert_fits(page, viewport, "the check page of a bulk closure")
    if javascript:  # axe runs as a script in the page
        assert serious_violations(page) == []
    page.click("button:has-text('Send and save')")
    page.wait_for_url(server + "/admin/followup/")
    assert "Closed 2 applications as hired." in page.locator("main").inner_text()
    assert [fresh(a).status for a in (ada, grace, alan)] == ["hired", "hired", "active"]
    mails = Mail.select().where(Mail.application.in_([ada.id, grace.id])).order_by(Mail.id)
    sent = [mail.text for mail in mails]
    assert len(sent) == 2
    context.close()
    # the textarea comes back with CRLF line ends: still the stock template, still swapped
    assert not any(REJECTION in text for text in emails + sent)
    assert all("Welcome aboard" in text for text in emails + sent)


def test_unticking_the_bulk_closure_email_emails_nobody(browser, server, data):
    ada, grace, _ = data["people"]
    context, page = signed_in(browser, server, data["rita"], PHONE)
    page.goto(server + "/admin/followup/")
    mails = Mail.select().count()
    page.check(f"#row-{ada.id} input[name=pick]")
    page.check(f"#row-{grace.id} input[name=pick]")
    page.select_option("#bulk-status", value="withdrawn")
    page.select_option("#bulk-closure_reason", "not_right_time")
    page.uncheck("#bulk-close-tell")
    page.click("button:has-text('Check and close ticked')")
    check_page(page)
    shot(page, "bulk-close-untold-phone")
    lead = page.locator(".page-head .lead").inner_text()
    assert "Nobody will be emailed" in lead  # the close box, not the move's
    assert "you chose not to tell the candidate" in lead
    assert page.locator("pre.email-text").count() == 0
    page.click("button:has-text('Save without emailing')")
    page.wait_for_url(server + "/admin/followup/")
    assert [fresh(a).status for a in (ada, grace)] == ["withdrawn", "withdrawn"]
    assert Mail.select().count() == mails
    context.close()


def test_a_scheduled_rejection_is_shown_and_cancelled(browser, server, data):
    ada = data["people"][0]
    day = dates.add_business_days(today(), 3)
    context, page = signed_in(browser, server, data["rita"], LAPTOP)
    page.goto(url(server, ada) + "close?status=rejected")
    mails = Mail.select().count()
    send_on = page.locator("#close-send_on")
    send_on.focus()
    page.keyboard.type(page.evaluate(DATE_KEYS, day.isoformat()))
    assert send_on.input_value() == day.isoformat()
    assert page.locator("#close-send_on-words").inner_text() == dates.in_words(day)
    page.select_option("#close-closure_reason", "role_filled")
    page.click("button:has-text('Check and close')")
    check_page(page)
    shot(page, "scheduled-check-laptop")
    assert f"as rejected on {dates.in_words(day)}" in page.locator(".page-head").inner_text()
    # the email that will go on the day; nothing now
    assert "Dear Ada," in page.locator("pre.email-text").inner_text()
    lead = page.locator(".page-head .lead").inner_text()
    assert "Nothing is sent now and their page does not change" in lead
    assert_fits(page, LAPTOP, "the check page of a scheduled closure")
    page.click("button:has-text('Schedule it')")
    page.wait_for_url(url(server, ada))
    card = page.locator("#scheduled")
    assert card.locator("h2").inner_text().startswith("Closing as rejected on")
    assert fresh(ada).is_active and ScheduledClosure.select().count() == 1
    assert Mail.select().count() == mails  # it goes on the day, not now
    shot(page, "scheduled-card-laptop")
    card.locator("button:has-text('Cancel the scheduled closure')").click()
    page.wait_for_url(url(server, ada))
    assert page.locator("#scheduled").count() == 0
    assert "nothing was sent" in page.locator("main").inner_text()
    assert ScheduledClosure.select().count() == 0 and fresh(ada).is_active
    context.close()


def test_the_check_page_works_without_javascript(browser, server, data):
    ada = data["people"][0]
    context, page = signed_in(browser, server, data["rita"], PHONE, javascript=False)
    page.goto(url(server, ada))
    mails = Mail.select().count()
    page.click("summary:has-text('Give the candidate word')")
    page.fill("#update-message", "Still thinking of you, more by Friday.")
    page.click("button:has-text('Check and post')")
    check_page(page)
    assert "Still thinking of you" in page.locator("pre.email-text").inner_text()
    assert "Still thinking of you" in framed_text(page)
    assert_fits(page, PHONE, "the check page without JavaScript")
    page.click("button:has-text('Back to edit')")
    page.wait_for_selector("#update-message")
    assert page.locator("#update-message").input_value().startswith("Still thinking of you")
    assert fresh(ada).version == ada.version and Mail.select().count() == mails
    page.click("button:has-text('Check and post')")
    check_page(page)
    page.click("button:has-text('Send and save')")
    page.wait_for_url(url(server, ada))
    assert "Emailed ada@example.org" in page.locator("main").inner_text()
    assert Mail.select().count() == mails + 1
    assert fresh(ada).version == ada.version + 1
    context.close()


def test_back_to_edit_from_the_queue_keeps_what_was_typed(browser, server, data):
    ada = data["people"][0]
    typed = "Dear Ada, a short note in my own words."
    context, page = signed_in(browser, server, data["rita"], LAPTOP)
    page.goto(server + "/admin/followup/")
    row = page.locator(f"#row-{ada.id}")
    row.locator("summary:has-text('Post update')").click()
    row.locator(f"#row-{ada.id}-message").fill(typed)
    row.locator("button:has-text('Check and send')").click()
    check_page(page)
    assert typed in page.locator("pre.email-text").inner_text()
    page.click("button:has-text('Back to edit')")
    page.wait_for_selector(f"#row-{ada.id}-message", state="attached")
    assert fresh(ada).version == ada.version  # nothing was changed
    shown = page.locator(f"#row-{ada.id}-message").input_value()
    context.close()
    assert shown == typed  # the queue again, with the words they typed
