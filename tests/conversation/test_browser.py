"""The conversation in a real headless Chromium (Debian's, driven by Playwright), at 1280
and 360 px: a candidate asks from their page without JavaScript, the recruiter finds it in
the follow-up queue and answers through the check page, the candidate reads the answer;
words typed as markup never run; a late answer is owned up to; axe-core finds nothing
serious on any of these pages."""

from datetime import timedelta

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in

from portal import dates
from portal.candidates import links
from portal.clock import now
from portal.clock import today
from portal.conversation import actions as conversation
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
QUESTION = "Could I bring my portfolio to the second interview, and is there parking nearby?"
ANSWER = "Yes, please bring it! There is free parking behind the building."
#: The label a list's cell shows before it when the list is a stack of cards (phones).
LABELS = "cells => cells.map(c => getComputedStyle(c, '::before').content.replace(/^\"|\"$/g, ''))"
#: Markup a candidate might type, on purpose or not: it must show as words and never run.
HOSTILE = 'Hello <img src=x onerror=alert(1)> and <script>alert("script")</script> bye'


@pytest.fixture
def live(app, server):
    """The app served on loopback, its BASE_URL pointing at itself (the candidate page's
    form-action CSP names that origin)."""
    app.config["BASE_URL"] = server
    return server


@pytest.fixture
def data(make_user, make_job, make_application):
    """Rita's job with Ada's application, nobody owed anything yet."""
    rita = make_user("recruiter", name="Rita Recruiter", email="rita@example.com")
    job = make_job(title="Senior Backend Engineer", recruiter=rita)
    ada = make_application(job=job, name="Ada Lovelace", email="ada@example.org")
    return {"rita": rita, "job": job, "ada": ada}


def candidate_url(live, application) -> str:
    return f"{live}/c/{links.live(application).token}/"


def admin_url(live, application) -> str:
    return f"{live}/admin/applications/{application.ref}/"


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def watched(context):
    """A new page of ``context`` that records every dialog (alert, confirm) it opens."""
    page = context.new_page()
    page.dialogs = []

    def record(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return page


def ask_on_the_page(page, url: str, question: str) -> None:
    """Type ``question`` into the candidate page's form and send it, as a candidate does."""
    page.goto(url)
    form = page.locator("#conversation form.ask")
    form.get_by_label("Ask us anything about your application").fill(question)
    form.get_by_role("button", name="Send my question").click()
    page.wait_for_url(url + "#conversation")


def conversation_text(page) -> str:
    return " ".join(page.locator("#conversation").inner_text().split())


def scan(browser, url: str, viewport, signed_in_as=None, server=None) -> list:
    """axe-core's serious findings on ``url`` at ``viewport`` (scripts on, for axe only)."""
    if signed_in_as is None:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
    else:
        context, page = signed_in(browser, server, signed_in_as, viewport)
    page.goto(url)
    found = serious_violations(page)
    context.close()
    return found


@VIEWPORTS
def test_a_candidate_asks_from_their_page(browser, live, data, viewport):
    ada = data["ada"]
    url = candidate_url(live, ada)
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    ask_on_the_page(page, url, QUESTION)
    # the page came back at its conversation, the question in the candidate's own words
    assert page.evaluate("location.hash") == "#conversation"
    said = page.locator("#conversation li.said-mine")
    assert said.count() == 1
    assert "You asked" in said.locator(".history-head").inner_text()
    assert QUESTION in said.inner_text()
    due = conversation.answer_due(fresh(ada))
    assert due is not None and due >= today()
    words = conversation_text(page)
    assert f"Rita Recruiter will answer by {dates.in_words(due)}" in words
    assert "we are late" not in words
    assert page.get_by_role("heading", name="Your questions").is_visible()
    assert page.get_by_label("Ask something else").is_visible()  # another one may follow
    # the textarea is empty again: sending twice by reloading is not invited
    assert page.locator("#question").input_value() == ""
    assert_fits(page, viewport, "the candidate page with a conversation")
    context.close()
    event = Event.get(Event.kind == "question")
    assert (event.message, event.via, event.application_id) == (QUESTION, "page", ada.id)
    # the candidate is emailed nothing for their own question
    assert not Mail.select().where(Mail.to == "ada@example.org").exists()
    assert scan(browser, url, viewport) == []


@VIEWPORTS
def test_a_recruiter_answers_from_the_queue(browser, live, data, viewport):
    ada, rita = data["ada"], data["rita"]
    conversation.ask(ada, QUESTION)
    queue = live + "/admin/followup/"
    assert scan(browser, queue, viewport, rita, live) == []
    assert scan(browser, admin_url(live, ada), viewport, rita, live) == []

    context, page = signed_in(browser, live, rita, viewport)
    page.goto(queue)
    owed = page.locator("#owed-answer")
    assert owed.get_by_role("heading", name="Owed an answer").is_visible()
    row = owed.locator("tbody tr", has_text="Ada Lovelace")
    assert row.count() == 1
    assert QUESTION in row.locator("td.said").inner_text()
    due = dates.in_words(conversation.answer_due(fresh(ada)))
    if viewport is PHONE:  # the row is a card: each of its cells says what it is
        labels = row.locator("td").evaluate_all(LABELS)
        assert labels == ["Candidate", "They wrote", "Answer by", "Action"]
    assert_fits(page, viewport, "the follow-up queue with a question")

    row.get_by_role("link", name="Answer Ada Lovelace").click()
    page.wait_for_url(admin_url(live, ada) + "#conversation")
    section = page.locator("#conversation")
    top = section.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= round(top) < viewport["height"] / 2  # scrolled to the conversation
    assert "Owed an answer" in section.locator("h2").inner_text()
    assert due in section.inner_text()
    assert "Ada Lovelace asked" in section.inner_text()
    words = section.locator(".said-candidate .text p")
    assert words.inner_text() == QUESTION
    # the candidate's words read as words, not shouted in bold like the deadline
    assert words.evaluate("e => getComputedStyle(e).fontWeight") == "400"
    assert_fits(page, viewport, "the application page with a conversation")

    mails = Mail.select().where(Mail.to == "ada@example.org").count()
    form = section.locator("form.answer")
    form.get_by_label("Your answer").fill(ANSWER)
    assert form.get_by_label("Email the candidate about this").is_checked()
    form.get_by_role("button", name="Check and answer").click()
    page.wait_for_selector("form.check-send")
    assert page.locator("h1").inner_text() == "Check before it goes"
    lead = page.locator(".page-head .lead").inner_text()
    assert "Answer Ada Lovelace" in lead
    assert "This email goes to ada@example.org as soon as you confirm." in lead
    assert ANSWER in page.locator("pre.email-text").inner_text()
    assert "Rita Recruiter <rita@example.com>" in page.locator("dl.email-head").inner_text()
    # their page as it will read: the answer in it, no longer a promise of one
    frame = page.locator(".preview-frames iframe").element_handle().content_frame()
    framed = " ".join(frame.locator("#conversation").inner_text().split())
    assert f"Rita Recruiter answered {ANSWER}" in framed and "will answer by" not in framed
    assert_fits(page, viewport, "the check page of an answer")
    assert serious_violations(page) == []
    assert fresh(ada).asked is not None  # nothing happened yet
    assert Mail.select().where(Mail.to == "ada@example.org").count() == mails

    page.get_by_role("button", name="Send and save").click()
    page.wait_for_url(admin_url(live, ada))
    flashed = " ".join(page.locator("p.flash").all_inner_texts())
    assert "Your answer is on the candidate's page." in flashed
    assert "Emailed ada@example.org: “" in flashed
    assert page.locator("#conversation .badge-owed").count() == 0
    assert ANSWER in page.locator("#conversation").inner_text()
    page.goto(queue)
    assert page.locator("#owed-answer").count() == 0  # nobody is owed an answer now
    context.close()
    assert fresh(ada).asked is None
    [mail] = Mail.select().where(Mail.to == "ada@example.org")
    assert ANSWER in mail.text

    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    page.goto(candidate_url(live, ada))
    ours = page.locator("#conversation li.said-ours")
    assert "Rita Recruiter answered" in ours.locator(".history-head").inner_text()
    assert ANSWER in ours.inner_text()
    words = conversation_text(page)
    assert words.index("You asked") < words.index("Rita Recruiter answered")  # oldest first
    assert "will answer by" not in words and "we are late" not in words
    assert_fits(page, viewport, "the candidate page with an answer")
    context.close()
    assert scan(browser, candidate_url(live, ada), viewport) == []


def test_markup_in_a_question_never_runs(browser, live, data):
    ada, rita = data["ada"], data["rita"]
    url = candidate_url(live, ada)
    # scripts on: were the words not escaped, nothing but the CSP would stop them
    context = browser.new_context(viewport=PHONE)
    page = watched(context)
    ask_on_the_page(page, url, HOSTILE)
    said = page.locator("#conversation li.said-mine")
    assert HOSTILE in " ".join(said.inner_text().split())  # shown as typed
    assert page.locator("#conversation img, #conversation script").count() == 0
    page.reload()
    assert page.dialogs == []
    context.close()

    context, page = signed_in(browser, live, rita, LAPTOP)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live + "/admin/followup/")
    cell = page.locator("#owed-answer td.said")
    assert "<img src=x onerror=alert(1)>" in cell.inner_text()
    assert page.locator("#owed-answer img, #owed-answer script").count() == 0
    page.goto(admin_url(live, ada))
    section = page.locator("#conversation")
    assert HOSTILE in " ".join(section.locator(".said-candidate").inner_text().split())
    assert section.locator("img, script").count() == 0
    # the check page frames the candidate's page with the question in it
    section.get_by_label("Your answer").fill("Thanks, <b>noted</b>.")
    section.get_by_role("button", name="Check and answer").click()
    page.wait_for_selector("form.check-send")
    frame = page.locator(".preview-frames iframe").element_handle().content_frame()
    framed = frame.locator("#conversation")
    assert "<img src=x onerror=alert(1)>" in framed.inner_text()
    assert "Thanks, <b>noted</b>." in framed.inner_text()
    assert framed.locator("img, script, b").count() == 0
    page.wait_for_timeout(200)  # an onerror would fire as the image failed to load
    assert page.dialogs == []
    context.close()


def test_a_late_answer_is_owned_up_to(browser, live, data):
    ada, rita, job = data["ada"], data["rita"], data["job"]
    conversation.ask(ada, QUESTION)
    # asked three weeks ago: far more than the job's business days, holidays or not
    asked = now() - timedelta(days=21)
    Event.update(created=asked).where(Event.kind == "question").execute()
    Application.update(asked=asked).where(Application.id == ada.id).execute()
    due = conversation.answer_due(fresh(ada))
    assert job.answer_days == 2 and due < today()

    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(candidate_url(live, ada))
    words = conversation_text(page)
    assert f"We meant to answer by {dates.in_words(due)}, and we are late." in words
    assert "Rita Recruiter will answer you soon" in words
    assert "will answer by" not in words
    assert QUESTION in words
    assert_fits(page, PHONE, "the candidate page owed a late answer")
    context.close()
    assert scan(browser, candidate_url(live, ada), PHONE) == []

    context, page = signed_in(browser, live, rita, LAPTOP)
    page.goto(live + "/admin/followup/")
    late = page.locator("#owed-answer .owed")
    assert "owed-late" in late.get_attribute("class")
    assert "overdue" in late.inner_text()
    context.close()
