"""Candidate links: issuing, the token's contents, lifetime, key rotation, revoking,
reissuing, and the `portal link` command."""

import base64
import json
import re
from datetime import timedelta

import pytest
import time_machine
from itsdangerous import Signer
from itsdangerous import URLSafeTimedSerializer

from portal import domain
from portal.candidates import links
from portal.candidates.actions import issue_link
from portal.candidates.actions import reissue_link
from portal.candidates.actions import revoke_link
from portal.cli import cli
from portal.clock import now
from portal.interchange.restore import restore_application
from portal.site import publish
from portal.store.models import Application
from portal.store.models import Link


def _payload(token: str):
    """Decode a token's payload the way anyone can, without the key."""
    segment = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_every_new_application_has_one_live_link(make_application):
    application = make_application()
    link = links.live(application)
    assert link is not None
    assert link.token and link.expires > now()
    assert Link.select().where(Link.application == application).count() == 1


def test_issue_returns_the_live_link_and_its_stable_token(make_application):
    application = make_application()
    first = links.live(application)
    again = issue_link(None, application)
    assert (again.id, again.token) == (first.id, first.token)
    assert Link.select().count() == 1


def test_the_token_carries_only_an_opaque_id(make_application):
    """L7: decoded without the key, the payload is the link's random id and nothing else."""
    application = make_application(name="Grace Hopper", email="grace@example.org")
    link = links.live(application)
    payload = _payload(link.token)
    assert payload == link.id
    assert len(payload) >= 20
    for private in ("Grace", "Hopper", "grace@", "Backend", "Applied"):
        assert private not in payload
        assert private not in link.token


def test_unsign_accepts_a_good_token_and_nothing_else(app, make_application):
    link = links.live(make_application())
    assert links.unsign(link.token) == link.id
    assert links.unsign(link.token + "x") is None
    assert links.unsign("") is None
    assert links.unsign("a" * 10_000) is None


def test_a_token_dies_with_its_lifetime(app, make_application):
    """L3 at the signing layer: max_age applies on every load."""
    link = links.live(make_application())
    with time_machine.travel(now() + timedelta(days=app.config["LINK_DAYS"], minutes=1)):
        assert links.unsign(link.token) is None
    with time_machine.travel(now() + timedelta(days=app.config["LINK_DAYS"] - 1)):
        assert links.unsign(link.token) == link.id


def test_key_rotation(app, make_application):
    """L5: a token signed with the previous key works while that key is a fallback."""
    link = links.live(make_application())
    app.config.update(SECRET_KEY="the-new-key", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    assert links.unsign(link.token) == link.id
    app.config.update(SECRET_KEY_FALLBACKS=[])
    assert links.unsign(link.token) is None


def test_a_link_whose_key_was_retired_is_replaced_not_sent_again(app, runner, make_application):
    """Once the old key leaves the fallbacks its tokens open nothing: asking for the
    link (fresh-link email, `portal link`) must not hand out the same dead address."""
    application = make_application()
    old = links.live(application)
    app.config.update(SECRET_KEY="the-new-key", SECRET_KEY_FALLBACKS=[])
    assert runner.invoke(cli, ["link", "--all"]).output == ""
    new = links.issue(application)
    assert new.id != old.id and links.unsign(new.token) == new.id
    assert Link.get_by_id(old.id).revoked is not None
    assert runner.invoke(cli, ["link", "--all"]).output == f"{application.ref}\t{links.url(new)}\n"


def test_new_tokens_are_signed_with_the_current_key(app, make_application):
    app.config.update(SECRET_KEY="the-new-key", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    link = links.live(make_application())
    app.config.update(SECRET_KEY_FALLBACKS=[])
    assert links.unsign(link.token) == link.id


def test_form_tokens_are_per_link_and_not_link_tokens(make_application):
    one, two = links.live(make_application()), links.live(make_application())
    assert links.check_form_token(one.id, links.form_token(one.id))
    assert not links.check_form_token(one.id, links.form_token(two.id))
    assert not links.check_form_token(one.id, "")
    assert not links.check_form_token(one.id, None)
    # Another salt: a form token never passes as a link token, nor the reverse.
    assert links.unsign(links.form_token(one.id)) is None
    assert not links.check_form_token(one.id, one.token)


def test_revoke_ends_the_link(make_application):
    application = make_application()
    assert revoke_link(None, application) == 1
    assert links.live(application) is None
    assert [e.kind for e in application.events][-1] == "link_revoked"


def test_reissue_kills_the_old_link(make_application):
    application = make_application()
    old = links.live(application)
    new = reissue_link(None, application)
    assert new.token != old.token
    assert links.live(application).id == new.id
    assert Link.get_by_id(old.id).revoked is not None


def test_a_closed_application_keeps_its_link_for_closed_days(app, make_application):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    assert links.live(application) is not None
    later = now() + timedelta(days=app.config["CLOSED_DAYS"], minutes=1)
    with time_machine.travel(later):
        assert links.live(application) is None
        assert application.id not in [link.application_id for link in links.live_links()]


def test_imported_applications_get_a_live_link(make_job):
    job = make_job()
    stage = job.stages.first()
    application = restore_application(
        job, "Imported Person", "imported@example.org", ref="IMP-1", stage=stage
    )
    assert links.live(application) is not None


def test_revoking_deletes_the_published_page_at_once(app, make_application, tmp_path):
    application = make_application()
    link = links.live(application)
    site = publish.Site(tmp_path / "site")
    release = site.new_release()
    publish.write_file(release, ("c", link.token, "index.html"), b"<p>page</p>")
    site.publish(release)
    page = tmp_path / "site" / "c" / link.token / "index.html"
    assert page.exists()
    app.config["SITE_DIR"] = str(tmp_path / "site")
    revoke_link(None, application)
    assert not page.exists()


# --- the command ---------------------------------------------------------------------


def test_portal_link_prints_the_url(runner, make_application):
    application = make_application(ref="A-LINK1")
    result = runner.invoke(cli, ["link", "A-LINK1"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == links.url(links.live(application))
    assert result.output.startswith("https://jobs.example.com/c/")


def test_portal_link_issues_one_when_none_is_live(runner, make_application):
    application = make_application(ref="A-LINK2")
    old = links.live(application)
    revoke_link(None, application)
    result = runner.invoke(cli, ["link", "A-LINK2"])
    assert result.exit_code == 0, result.output
    fresh = links.live(application)
    assert fresh is not None and fresh.token != old.token
    assert fresh.token in result.output


def test_portal_link_all_lists_every_live_link(runner, make_application):
    refs = ["A-ALL1", "A-ALL2", "A-ALL3"]
    applications = [make_application(ref=ref) for ref in refs]
    revoke_link(None, applications[1])
    result = runner.invoke(cli, ["link", "--all"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines == [
        f"{a.ref}\t{links.url(links.live(a))}" for a in (applications[0], applications[2])
    ]


def test_portal_link_revoke(runner, make_application):
    application = make_application(ref="A-REV")
    result = runner.invoke(cli, ["link", "A-REV", "--revoke"])
    assert result.exit_code == 0, result.output
    assert "Revoked 1" in result.output
    assert links.live(application) is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["link"], "Give an application REF"),
        (["link", "A-X", "--all"], "Give an application REF"),
        (["link", "NOPE"], "No application with the reference 'NOPE'"),
    ],
)
def test_portal_link_refuses_bad_input(runner, make_application, args, message):
    make_application(ref="A-X")
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert message in result.output


def test_erased_application_takes_its_links(make_application):
    application = make_application()
    link = links.live(application)
    Application.delete().where(Application.id == application.id).execute()
    assert Link.get_or_none(Link.id == link.id) is None


def test_the_demo_prints_three_candidate_pages(app, runner, client):
    app.config["DEMO"] = True
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    urls = re.findall(r"^  (in progress|waiting on a decision|closed, with a note) +(\S+)$",
                      result.output, re.M)  # fmt: skip
    assert [label for label, _ in urls] == [
        "in progress",
        "waiting on a decision",
        "closed, with a note",
    ]
    pages = {}
    for label, url in urls:
        assert url.startswith("https://jobs.example.com/c/")
        response = client.get(url.removeprefix("https://jobs.example.com"))
        assert response.status_code == 200, label
        pages[label] = response.text
    assert "outcome" not in pages["in progress"]
    assert re.search(r'aria-current="step">\s*<span class="milestone-label">Decision',
                     pages["waiting on a decision"])  # fmt: skip
    assert "We are not moving forward" in pages["closed, with a note"]
    assert "A note from" in pages["closed, with a note"]


def test_links_and_form_tokens_signed_by_earlier_versions_still_open(app, make_application):
    """The salts are part of every live link: a link emailed before an upgrade must open
    the same page after it (a moved module once renamed them by accident)."""
    link = links.live(make_application())
    key = app.config["SECRET_KEY"]
    earlier = URLSafeTimedSerializer(key, salt="portal.candidate-link").dumps(link.id)
    assert links.unsign(earlier) == link.id
    form = Signer(key, salt="portal.candidate-form").get_signature(link.id).decode()
    assert links.check_form_token(link.id, form)
