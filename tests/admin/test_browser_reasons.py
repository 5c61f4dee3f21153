"""Closure reasons in a real headless Chromium, each flow at 1280 px and at 360 px, with
an axe-core scan of every page it passes: closing one application for a reason (through
the check page), closing a batch from the queue, an admin keeping the list and a template
per point of the process, and the health page counting the reasons."""

from datetime import timedelta

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in

from portal import domain
from portal.clock import today
from portal.domain import reasons
from portal.store.models import Application
from portal.store.models import ClosureTemplate
from portal.store.models import Mail
from portal.store.models import Stage

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])


@pytest.fixture
def data(make_user, make_job, make_application):
    """A recruiter and an admin, a job with candidates owed word, one of them interviewed."""
    rita = make_user("recruiter", name="Rita Recruiter", email="rita@example.com")
    admin = make_user("admin", name="Ann Admin", email="ann@example.com")
    job = make_job(title="Senior Backend Engineer", recruiter=rita)
    people = [
        make_application(job=job, name=name, email=f"{name.split()[0].lower()}@example.org")
        for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing")
    ]
    interviews = job.stages.where(Stage.interview).get()
    domain.move(rita, people[0], interviews, people[0].version, "See you Tuesday.")
    Application.update(reply_by=today() - timedelta(days=3)).execute()
    return {"rita": rita, "admin": admin, "job": job, "people": people}


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def looked_at(page, viewport, what: str) -> None:
    """The page, once loaded with its styles, fits the viewport and axe finds nothing
    serious on it."""
    page.wait_for_load_state("load")
    assert_fits(page, viewport, what)
    assert serious_violations(page) == [], what


@VIEWPORTS
def test_closing_one_for_a_reason_shows_its_words_before_sending(browser, server, data, viewport):
    ada = data["people"][0]
    context, page = signed_in(browser, server, data["rita"], viewport)
    page.goto(f"{server}/admin/applications/{ada.ref}/")
    page.click("summary:has-text('Close the process')")
    page.check("#close-status-1")  # rejected: the script puts the template in
    note = page.locator("#close-closure_note")
    assert "through every stage" in note.input_value()  # at the last interview stage
    assert "{reason}" in note.input_value()
    options = page.locator("#close-closure_reason optgroup[label=Rejected] option")
    assert "Role filled (the candidate is told)" in options.all_inner_texts()
    withdrawn = page.locator("#close-closure_reason optgroup[label=Withdrawn]")
    assert withdrawn.evaluate("group => group.disabled")  # the script: this outcome's only
    looked_at(page, viewport, "the close form")
    page.select_option("#close-closure_reason", "more_experienced")
    page.fill("#close-reason", "Chose the candidate with more Go experience")
    page.click("button:has-text('Check and close')")
    words = reasons.by_code("more_experienced")
    email = page.locator("pre.email-text").inner_text()
    assert words.candidate_text in email and words.next_steps in email and "{" not in email
    assert "Go experience" not in email
    looked_at(page, viewport, "the check page")
    assert fresh(ada).is_active
    page.click("button:has-text('Send and save')")
    page.wait_for_url(f"{server}/admin/applications/{ada.ref}/")
    standing = page.locator("section[aria-labelledby=standing]").inner_text()
    assert "More experienced candidates" in standing
    assert fresh(ada).closure_reason_id == words.id
    context.close()


@VIEWPORTS
def test_an_untold_reason_is_closed_without_a_word_of_it(browser, server, data, viewport):
    grace = data["people"][1]
    context, page = signed_in(browser, server, data["rita"], viewport, javascript=False)
    page.goto(f"{server}/admin/applications/{grace.ref}/close?status=rejected")
    page.select_option("#close-closure_reason", "conduct_references")
    page.click("button:has-text('Check and close')")
    assert "Conduct or references" not in page.locator("pre.email-text").inner_text()
    page.click("button:has-text('Send and save')")
    page.wait_for_url(f"{server}/admin/applications/{grace.ref}/")
    [mail] = Mail.select().where((Mail.application == grace.id) & (Mail.kind != "link"))
    assert "Conduct" not in mail.text and "Conduct" not in mail.html
    assert_fits(page, viewport, "the closed application")
    context.close()


@VIEWPORTS
def test_closing_a_batch_from_the_queue_for_one_reason(browser, server, data, viewport):
    grace, alan = data["people"][1:]
    context, page = signed_in(browser, server, data["rita"], viewport)
    page.goto(server + "/admin/followup/")
    page.check(f"#row-{grace.id} input[name=pick]")
    page.check(f"#row-{alan.id} input[name=pick]")
    page.select_option("#bulk-status", value="withdrawn")
    page.select_option("#bulk-closure_reason", "no_reply")
    looked_at(page, viewport, "the queue with the bulk close")
    page.click("button:has-text('Check and close ticked')")
    told = reasons.by_code("no_reply").candidate_text
    emails = page.locator("pre.email-text").all_inner_texts()
    assert len(emails) == 2 and all(told in email for email in emails)
    looked_at(page, viewport, "the check page of the batch")
    page.click("button:has-text('Send and save')")
    page.wait_for_url(server + "/admin/followup/")
    assert {fresh(a).closure_reason.code for a in (grace, alan)} == {"no_reply"}
    context.close()


@VIEWPORTS
def test_an_admin_keeps_the_list_and_a_template_per_point(browser, server, data, viewport):
    context, page = signed_in(browser, server, data["admin"], viewport)
    page.goto(server + "/admin/templates")
    for summary in page.locator("main details > summary").all():
        summary.click()  # every point's template and the new reason's form, open
    looked_at(page, viewport, "the templates and reasons page")
    page.fill("#rejected-applied-body", "Dear {first_name}, thank you for applying. {reason}")
    page.click("button:has-text('Save rejected template after applying')")
    assert "Saved the rejected template after applying." in page.content()
    assert ClosureTemplate.get(ClosureTemplate.point == "applied").status == "rejected"
    page.click("summary:has-text('Add a reason')")
    page.check("#new-status-0")
    page.fill("#new-label", "No visa sponsorship")
    page.check("#new-tellable")
    page.fill("#new-candidate_text", "We cannot sponsor a visa for this role.")
    page.click("button:has-text('Add the reason')")
    assert "Added “No visa sponsorship”" in page.content()
    page.click("a:has-text('Edit No visa sponsorship')")
    page.wait_for_url(server + "/admin/reasons/no_visa_sponsorship/edit")
    looked_at(page, viewport, "the reason's edit page")
    page.fill("#reason-label", "Visa sponsorship")
    page.click("button:has-text('Save the reason')")
    page.click("a:has-text('Retire Visa sponsorship')")
    page.wait_for_url(server + "/admin/reasons/no_visa_sponsorship/retire")
    looked_at(page, viewport, "the page that asks before retiring")
    assert reasons.by_code("no_visa_sponsorship").retired is None
    page.click("button:has-text('Retire the reason')")
    assert "Retired “Visa sponsorship”" in page.content()
    assert reasons.by_code("no_visa_sponsorship").retired is not None
    looked_at(page, viewport, "the list with a retired reason")
    context.close()


@VIEWPORTS
def test_the_health_page_counts_the_reasons(browser, server, data, viewport):
    rita = data["rita"]
    for application, code in zip(
        data["people"], ("role_filled", "role_filled", "conduct_references"), strict=True
    ):
        application = fresh(application)
        domain.close(
            rita,
            application,
            application.version,
            "rejected",
            "Dear you, thank you.",
            closure_reason=code,
        )
    context, page = signed_in(browser, server, rita, viewport)
    page.goto(server + "/admin/metrics/")
    section = page.locator("section#reasons")
    assert "Role filled" in section.inner_text() and "67%" in section.inner_text()
    looked_at(page, viewport, "the health page")
    context.close()
