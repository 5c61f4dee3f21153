"""A stage taken out of the pipeline is no milestone of any candidate's page; a closed
application still at that stage shows the milestones up to where it was, live and in
the static build alike."""

import re

from helpers.factories import stage

from portal import domain
from portal.candidates import links
from portal.candidates import page as pages
from portal.store.models import Application
from portal.store.models import Stage


def milestones(html: str) -> list[tuple[str, str]]:
    """(label, state) of each milestone of a candidate page, in order."""
    return re.findall(
        r'<li class="milestone milestone-(\w+)"[^>]*>\s*<span class="milestone-label">([^<]+)<',
        html,
    )


def remove(job, name) -> None:
    rows = [
        {"id": s.id, "name": s.name, "candidate_label": s.candidate_label}
        for s in domain.queries.stages(job)
        if s.name != name
    ]
    domain.set_stages(None, job, rows)


def test_a_closed_application_at_a_removed_stage(client, make_job, make_application):
    job = make_job()
    closed = make_application(job=job, name="Ada Lovelace")
    for name in ("Screen", "Interviews"):
        closed = Application.get_by_id(closed.id)
        domain.move(None, closed, stage(job, name), closed.version)
    closed = Application.get_by_id(closed.id)
    domain.close(None, closed, closed.version, "rejected", "Thank you for your time.")
    waiting = make_application(job=job, name="Grace Hopper")
    remove(job, "Interviews")
    assert Stage.get(Stage.name == "Interviews").removed is not None

    page = client.get(f"/c/{links.live(closed).token}/")
    assert page.status_code == 200
    shown = [(label, state) for state, label in milestones(page.text)]
    assert shown == [
        ("Application received", "past"),
        ("Introductory call", "current"),  # the furthest live step it reached
        ("Decision", "future"),
        ("Offer", "future"),
    ]
    assert "Last step" in page.text

    other = client.get(f"/c/{links.live(waiting).token}/").text
    labels = [label for _, label in milestones(other)]
    assert labels == ["Application received", "Introductory call", "Decision", "Offer"]


def test_the_static_build_shows_the_same(client, make_job, make_application):
    job = make_job()
    closed = make_application(job=job)
    domain.move(None, closed, stage(job, "Screen"), closed.version)
    closed = Application.get_by_id(closed.id)
    domain.close(None, closed, closed.version, "withdrawn", "")
    waiting = make_application(job=job)
    remove(job, "Screen")
    live = {a.id: links.live(a) for a in (closed, waiting)}
    ids = [link.id for link in live.values()]
    built = {link_id: html for link_id, _, html in pages.load_many(ids)}
    for link in live.values():
        route = client.get(f"/c/{link.token}/")
        assert route.text == built[link.id]
        # no milestone of the removed step; the history still names where it went
        assert "Introductory call" not in [label for _, label in milestones(route.text)]
    closed_page = client.get(f"/c/{live[closed.id].token}/").text
    assert "Moved on to: Introductory call" in closed_page
