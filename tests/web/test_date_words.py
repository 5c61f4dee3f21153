"""Date fields of the admin say the chosen date in the company's words (dates.in_words)
beside the browser's own picker, whose words follow the browser's locale: rendered by the
server for the value it sends (templates/admin/_macros.html, ``field``), and kept
current by static/js/admin.js as the date changes, under the staff CSP."""

import re
from datetime import date
from datetime import timedelta

import pytest
import time_machine
from helpers.chromium import LAPTOP
from helpers.chromium import signed_in

from portal import dates
from portal.clock import today
from portal.store.models import Application

DATE_FIELD = re.compile(
    r'<input (?P<input>[^>]*type="date"[^>]*)>\s*'
    r'<p class="hint date-words" id="(?P<id>[\w-]+)-words"[^>]*>(?P<words>[^<]*)</p>'
)


@pytest.fixture
def world(make_user, make_job, make_application):
    recruiter = make_user("recruiter", name="Rita Recruiter")
    application = make_application(job=make_job(recruiter=recruiter))
    return {"recruiter": recruiter, "application": application}


def date_fields(page: str) -> list[tuple[str, str, str]]:
    """Each date field of a page: its id, its value and the words under it."""
    fields = []
    for match in DATE_FIELD.finditer(page):
        value = re.search(r'value="([^"]*)"', match["input"])
        fields.append((match["id"], value[1] if value else "", match["words"]))
    return fields


@pytest.mark.parametrize(
    "moment",
    ["2026-11-24 12:00 +0000", "2026-12-29 12:00 +0000"],  # the promise next year: with it
    ids=["this year", "next year"],
)
def test_the_server_says_each_date_fields_date_in_the_companys_words(client, auth, world, moment):
    with time_machine.travel(moment):
        auth.login(world["recruiter"])
        page = client.get(f"/admin/applications/{world['application'].ref}/").text
        fields = date_fields(page)
        assert len(fields) == page.count('type="date"') >= 3  # move, update, close
        for field_id, value, words in fields:
            expected = dates.in_words(date.fromisoformat(value)) if value else ""
            assert words == expected, field_id
            described = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', page)[0]
            assert f"{field_id}-words" in described, field_id  # read out with the field
        assert any(value for _, value, _ in fields)
        update = dict((f[0], f[2]) for f in fields)["update-reply_by"]
        assert update.endswith(" 2027") == moment.startswith("2026-12")


@pytest.mark.browser
def test_the_script_keeps_the_words_current_under_the_csp(browser, server, world):
    """The words are the company's, whatever the browser: this year is the company's
    (2030 here, while the browser's clock says otherwise) and the weekday is right in
    every zone."""
    with time_machine.travel("2030-06-03 09:00 +0000"):
        context, page = signed_in(browser, server, world["recruiter"], LAPTOP)
        problems = []
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{server}/admin/applications/{world['application'].ref}/")
        page.evaluate("document.querySelectorAll('details.action').forEach(d => d.open = true)")
        words = page.locator("#update-reply_by-words")
        initial = page.input_value("#update-reply_by")
        assert words.text_content() == dates.in_words(date.fromisoformat(initial))
        for chosen in ("2030-12-08", "2031-01-06", "2029-02-28", "2030-03-31"):
            page.fill("#update-reply_by", chosen)
            assert words.text_content() == dates.in_words(date.fromisoformat(chosen), 2030)
        assert page.locator("#update-reply_by-words").text_content() == "Sunday 31 March"
        page.fill("#move-reply_by", "2030-12-24")
        assert page.locator("#move-reply_by-words").text_content() == "Tuesday 24 December"
        page.fill("#move-reply_by", "")
        assert page.locator("#move-reply_by-words").text_content() == ""
        assert problems == []
        context.close()


@pytest.mark.browser
def test_a_date_input_outside_the_macro_gets_its_words_too(browser, server, world):
    """The follow-up queue writes its quick-update date inputs by hand: the script adds
    their words, linked for screen readers."""
    Application.update(reply_by=today() - timedelta(days=3)).execute()
    context, page = signed_in(browser, server, world["recruiter"], LAPTOP)
    page.goto(f"{server}/admin/followup/")
    field = page.locator("input[type=date][name=reply_by]").first
    field_id = field.get_attribute("id")
    words = page.locator(f"#{field_id}-words")
    assert words.text_content() == dates.in_words(date.fromisoformat(field.input_value()))
    assert f"{field_id}-words" in field.get_attribute("aria-describedby")
    page.locator("details.quick summary", has_text="Post update").first.click()
    field.fill("2031-07-04")
    assert words.text_content() == "Friday 4 July 2031"
    context.close()
