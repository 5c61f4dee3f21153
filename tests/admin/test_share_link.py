"""The scorecard's author finds, on the application page, the way to share parts of it
with the candidate, and what sharing means; nobody else who may not share sees it."""

import re

import pytest

from portal import domain
from portal.store.models import Stage


@pytest.fixture
def team(make_user, make_job, make_application):
    recruiter = make_user("recruiter", name="Rita Recruiter")
    max_, mia = make_user("manager", name="Max Manager"), make_user("manager", name="Mia Manager")
    job = make_job(title="Backend Engineer", recruiter=recruiter, managers=[max_, mia])
    application = make_application(job=job, name="Ada Lovelace")
    interviews = Stage.get((Stage.job == job) & (Stage.name == "Interviews"))
    card = domain.submit_feedback(max_, application, interviews, 4, "yes", "Clear", "Slow")
    domain.submit_feedback(mia, application, interviews, 3, "yes", "Kind", "")
    return {"recruiter": recruiter, "max": max_, "mia": mia, "app": application, "card": card}


def scorecards(client, application) -> dict[str, str]:
    """Each scorecard shown on the application page, by its author's name."""
    html = client.get(f"/admin/applications/{application.ref}/").text
    section = html.split('id="feedback"')[1].split("</section>")[0]
    cards = re.findall(
        r'<article class="scorecard">\s*<h3>([^<]+?) <span.*?</article>', section, re.S
    )
    bodies = re.findall(r'<article class="scorecard">.*?</article>', section, re.S)
    return dict(zip((name.strip() for name in cards), bodies, strict=True))


def share_url(card) -> str:
    return f"/admin/feedback/{card.id}/share"


def test_the_author_finds_the_share_link_and_what_it_means(client, auth, team):
    auth.login(team["max"])
    cards = scorecards(client, team["app"])
    mine, theirs = cards["Max Manager"], cards["Mia Manager"]
    assert f'href="{share_url(team["card"])}"' in mine
    assert "Share parts with the candidate" in mine and "Nothing shared." in mine
    assert "quote the parts you choose, in your words, in the candidate’s closure note" in mine
    assert "/share" not in theirs  # Mia's card is hers to share
    assert client.get(share_url(team["card"])).status_code == 200


def test_the_link_says_what_is_shared(client, auth, team):
    domain.share_feedback(team["max"], team["card"], strengths=True, concerns=False)
    auth.login(team["max"])
    assert "You share your strengths." in scorecards(client, team["app"])["Max Manager"]


@pytest.mark.parametrize("who", ["recruiter", "mia"])
def test_others_who_may_not_share_it_see_no_link(client, auth, team, who):
    auth.login(team[who])
    cards = scorecards(client, team["app"])
    assert f'href="{share_url(team["card"])}"' not in "".join(cards.values())
    assert client.get(share_url(team["card"])).status_code == 403
