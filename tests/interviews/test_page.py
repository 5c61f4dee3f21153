"""'Your interviews' on the candidate's page, live and static: upcoming first, in the
company's time and the candidate's own, past ones dated, the form to ask to move one;
free texts escaped on the page and in the emails."""

import html
import re
from datetime import datetime

import pytest
from helpers.interviews import arrange
from helpers.interviews import fresh
from helpers.interviews import interview_mails
from helpers.interviews import VIDEO

from portal import domain
from portal.candidates import links
from portal.candidates import page as pages
from portal.interviews import actions
from portal.site import build
from portal.store.models import Application


def page_url(application) -> str:
    return f"/c/{links.live(application).token}/"


def text_of(page: str) -> str:
    """The visible words of a page, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str) -> str:
    """The page's "Your interviews" section."""
    found = re.search(r'<section class="card interviews".*?</section>', page, re.S)
    assert found, "no interviews section"
    return found.group(0)


def test_an_upcoming_interview_in_the_companys_words(client, make_application):
    application = make_application(name="Ada Lovelace")
    interview = arrange(application)
    page = client.get(page_url(application)).text
    words = text_of(section(page))
    assert words.startswith("Your interviews Video call, Wednesday 9 December")
    assert "When 10:00 to 11:00 London time" in words
    assert "Your time" not in words  # their zone is not known
    assert f'<a href="{VIDEO}" rel="noreferrer">{VIDEO}</a>' in page
    assert "You will meet Grace Hopper, Engineering Manager Alan Turing, Staff Engineer" in words
    assert "To prepare Bring a laptop." in words
    assert "An interview is arranged" in text_of(page)  # the updates say so too
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', section(page), re.S)
    assert form.group(1).endswith(f"/c/{links.live(application).token}/move-interview")
    assert f'name="interview" value="{interview.uid}"' in form.group(2)
    assert re.search(r'name="form_token" value="[^"]+"', form.group(2))
    assert re.search(r'<textarea [^>]*name="reason"[^>]*maxlength="2000" required', form.group(2))
    assert "Ask to move this interview" in section(page)


def test_the_candidates_own_time_zone_when_known_and_different(client, make_application):
    application = make_application()
    arrange(application)
    actions.set_timezone(None, application, "America/New_York")
    words = text_of(section(client.get(page_url(application)).text))
    assert "When 10:00 to 11:00 London time" in words
    assert "Your time Wednesday 9 December, 05:00 to 06:00 New York time" in words
    actions.set_timezone(None, application, "Asia/Tokyo")
    words = text_of(section(client.get(page_url(application)).text))
    assert "Your time Wednesday 9 December, 19:00 to 20:00 Tokyo time" in words
    actions.set_timezone(None, application, "Europe/London")  # the company's own
    assert "Your time" not in text_of(section(client.get(page_url(application)).text))


def test_upcoming_first_past_ones_dated_cancelled_ones_left_out(clock, client, make_application):
    application = make_application()
    arrange(application, starts=datetime(2026, 12, 8, 10), format="phone", place="")
    arrange(application, starts=datetime(2026, 12, 14, 15), format="on_site", place="1 Main St")
    arrange(application, starts=datetime(2026, 12, 10, 9))
    off = arrange(application, starts=datetime(2026, 12, 11, 9))
    actions.cancel(None, fresh(off))
    clock.move_to("2026-12-09 12:00 +0000")
    words = text_of(section(client.get(page_url(application)).text))
    soon, later = words.index("Video call, Thursday 10 December"), words.index("In person")
    assert soon < later < words.index("Past interviews Tuesday 8 December")
    assert words.endswith("Past interviews Tuesday 8 December : Phone call")
    assert "Friday 11 December" not in words
    assert "Where 1 Main St" in words
    assert words.count("Ask to move this interview") == 2  # not for the past one


def test_an_interview_under_way_is_still_upcoming(clock, client, make_application):
    application = make_application()
    arrange(application)
    clock.move_to("2026-12-09 10:30 +0000")
    words = text_of(section(client.get(page_url(application)).text))
    assert "Past interviews" not in words and "When 10:00 to 11:00" in words


def test_static_only_pages_say_to_reply_to_the_invitation(app, client, make_application):
    app.config["STATIC_ONLY"] = True
    application = make_application()
    arrange(application)
    part = section(client.get(page_url(application)).text)
    assert "<form" not in part and "Reply to the invitation email" in part


def test_a_closed_application_offers_no_move(client, make_application):
    application = make_application()
    arrange(application)
    application = Application.get_by_id(application.id)
    domain.close(None, application, application.version, "withdrawn", "")
    part = section(client.get(page_url(application)).text)
    assert "Video call" in part and "Ask to move" not in part and "Reply to" not in part


def test_the_static_build_shows_interviews_as_the_live_page(client, tmp_path, make_application):
    first, second = make_application(), make_application(name="Grace Hopper")
    arrange(first)
    actions.set_timezone(None, second, "America/New_York")
    arrange(second, format="on_site", place="1 Main St\nLondon")
    rendered = dict(
        (link_id, body)
        for link_id, _, body in pages.load_many([links.live(a).id for a in (first, second)])
    )
    for application in (first, second):
        live = client.get(page_url(application)).text
        assert live == rendered[links.live(application).id] and "Your interviews" in live
    out = tmp_path / "site"
    build.build(str(out), processes=1)
    token = links.live(second).token
    static = (out / "c" / token / "index.html").read_bytes()
    assert static == client.get(f"/c/{token}/").data
    assert b"New York time" in static


def test_the_page_reads_interviews_in_one_query(client, make_application, sql_statements):
    application = make_application()
    for day in (9, 10, 11):
        arrange(application, starts=datetime(2026, 12, day, 10))
    url = page_url(application)
    client.get(url)
    del sql_statements[:]
    assert client.get(url).status_code == 200
    assert len(sql_statements) == 4
    assert sum('"interview"' in sql for sql in sql_statements) == 1


PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>"&'


@pytest.mark.parametrize("field", ["place", "meeting", "prepare", "message"])
def test_free_text_is_escaped_on_the_page_and_in_the_email(client, make_application, field):
    application = make_application()
    values = {"format": "on_site", "place": "1 Main St", field: f"Before {PAYLOAD} after"}
    arrange(application, **values)
    page = client.get(page_url(application)).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    [mail] = interview_mails()
    assert "<script>alert(1)" not in mail.html and "<img src=x" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert f"Before {PAYLOAD} after" in mail.text  # plain text is not HTML


def test_a_video_link_is_linked_only_escaped(client, make_application):
    application = make_application()
    arrange(application, place='https://meet.example.com/x"><script>alert(1)</script>')
    page = client.get(page_url(application)).text
    assert "<script>alert(1)" not in page
    assert 'href="https://meet.example.com/x&#34;&gt;&lt;script&gt;' in page
