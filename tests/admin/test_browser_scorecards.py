"""Scorecards that fit the job in a real headless Chromium (Debian's, driven by
Playwright), at 1280 px and 360 px: the kit editor, scoring each criterion and correcting
your own scorecard without JavaScript, the criteria side by side (a card per criterion on
a phone), no sideways scrolling, and an axe-core scan with nothing serious."""

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.factories import stage

from portal import domain
from portal.store.models import Application
from portal.store.models import Criterion
from portal.store.models import Feedback
from portal.store.models import Rating

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])


@pytest.fixture
def data(make_user, make_job, make_application):
    """A job whose interview stage has its own kit, an application there, Max's scorecard
    on it (rated, with notes) and Mia yet to give hers."""
    recruiter = make_user("recruiter", name="Rita Recruiter")
    max_ = make_user("manager", name="Maximilian Longname-Interviewer")
    mia = make_user("manager", name="Mia Manager")
    job = make_job(title="Senior Backend Engineer", recruiter=recruiter, managers=[max_, mia])
    interviews = stage(job, "Interviews")
    domain.set_kit(
        None,
        job,
        interviews,
        [
            ("System design", "What a good design shows.\nAsk: design a URL shortener."),
            ("Coding", "Ask: pair on a small refactoring."),
            ("Communication", ""),
        ],
    )
    application = make_application(job=job, name="Ada Lovelace")
    domain.move(recruiter, application, interviews, application.version)
    kit = domain.kit_for(job, interviews)
    card = domain.submit_feedback(
        max_,
        Application.get_by_id(application.id),
        interviews,
        3,
        "yes",
        "Clear thinker.",
        "",
        {
            kit[0].id: (4, "Weighed consistency against availability without prompting."),
            kit[1].id: (None, ""),
            kit[2].id: (3, "Answers were long but clear."),
        },
    )
    return {
        "recruiter": recruiter,
        "max": max_,
        "mia": mia,
        "job": job,
        "interviews": interviews,
        "application": application,
        "card": card,
    }


def visits(data) -> list[tuple[str, str]]:
    """(who, path): every page of the flows, as the person who uses it."""
    job, ref = data["job"].ref, data["application"].ref
    return [
        ("recruiter", f"/admin/jobs/{job}/kit"),
        ("recruiter", f"/admin/jobs/{job}/kit/{data['interviews'].id}"),
        ("recruiter", f"/admin/applications/{ref}/"),  # side by side
        ("mia", f"/admin/applications/{ref}/"),  # the scorecard form, others hidden
        ("max", f"/admin/feedback/{data['card'].id}/edit"),
    ]


@VIEWPORTS
def test_every_page_fits_and_axe_finds_nothing_serious(browser, server, data, viewport):
    for who in ("recruiter", "mia", "max"):
        context, page = signed_in(browser, server, data[who], viewport)
        for person, path in visits(data):
            if person != who:
                continue
            response = page.goto(server + path)
            assert response.status == 200, path
            assert_fits(page, viewport, path)
            assert serious_violations(page) == [], path
        context.close()


@VIEWPORTS
def test_the_kit_editor_works_without_javascript(browser, server, data, viewport):
    context, page = signed_in(browser, server, data["recruiter"], viewport, javascript=False)
    page.goto(f"{server}/admin/jobs/{data['job'].ref}/kit")
    page.click("button:has-text('+ Add a criterion')")
    assert "Not saved yet" in page.content()
    page.fill("#criteria-4-name", "Ownership")
    page.fill("#criteria-4-guidance", "Ask: what did you see through to the end?")
    page.click("button[aria-label='Move criterion 5 up']")
    assert page.locator("#criteria-3-name").input_value() == "Ownership"
    page.click("button.primary:has-text('Save the job')")
    assert "Saved the interview kit" in page.content()
    kit = (
        Criterion.select()
        .where((Criterion.job == data["job"].id) & Criterion.stage.is_null())
        .order_by(Criterion.position)
    )
    assert [c.name for c in kit][3:] == ["Ownership", "Collaboration"]
    assert_fits(page, viewport, "after saving the kit")
    context.close()


@VIEWPORTS
def test_a_manager_scores_then_corrects_without_javascript(browser, server, data, viewport):
    context, page = signed_in(browser, server, data["mia"], viewport, javascript=False)
    url = f"{server}/admin/applications/{data['application'].ref}/"
    page.goto(url)
    assert "Weighed consistency" not in page.content()  # hidden until her own
    assert page.locator("#compare").count() == 0
    page.click("summary:has-text('questions to ask') >> nth=0")
    assert page.get_by_text("Ask: design a URL shortener.").is_visible()
    page.check("#feedback-ratings-0-score-2")  # System design: 2
    page.fill("#feedback-ratings-0-note", "Needed hints on caching.")
    page.check("#feedback-ratings-2-score-4")  # Communication: 4
    page.check("#feedback-rating-1")  # overall 2
    page.select_option("#feedback-recommendation", "no")
    page.fill("#feedback-concerns", "Design depth.")
    page.click("button:has-text('Submit feedback')")
    page.wait_for_url(url)
    assert "Thank you: your feedback is saved." in page.content()
    table = page.locator("#compare table")
    assert table.is_visible() and "Weighed consistency" in table.inner_text()
    assert "Needed hints on caching." in table.inner_text()
    if viewport is PHONE:  # a card per criterion, each score labelled with its interviewer
        header = page.locator("#compare thead")
        assert header.bounding_box() is None or header.bounding_box()["width"] <= 1
        label = page.evaluate(
            "getComputedStyle(document.querySelector('#compare td[data-label=\"Mia Manager\"]'),"
            " '::before').content"
        )
        assert label == '"Mia Manager"'
    assert_fits(page, viewport, "side by side")
    page.click("a:has-text('Edit your scorecard')")
    assert page.locator("#feedback-ratings-0-score-2").is_checked()
    assert page.locator("#feedback-ratings-1-score-0").is_checked()  # not assessed
    page.check("#feedback-ratings-1-score-3")  # Coding: 3, now assessed
    page.click("button:has-text('Save your scorecard')")
    page.wait_for_url(url + "#feedback")
    assert "Your scorecard is corrected" in page.content()
    card = Feedback.get(Feedback.author == data["mia"].id)
    assert card.edited is not None
    assert [(r.name, r.score) for r in card.ratings.order_by(Rating.id)] == [
        ("System design", 2),
        ("Coding", 3),
        ("Communication", 4),
    ]
    context.close()
