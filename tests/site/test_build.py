"""`portal build`: rows S1-S6, S9 and S10 of docs/security.md, and the command itself."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from helpers.http import CANDIDATE_HEADERS

from portal import clock
from portal import dates
from portal import domain
from portal import settings
from portal.candidates import links
from portal.candidates import page
from portal.candidates.actions import issue_link
from portal.candidates.actions import revoke_link
from portal.cli import cli
from portal.clock import now
from portal.conversation import actions as conversation
from portal.site import build
from portal.site import cli as build_cli
from portal.site import publish
from portal.store.models import Application
from portal.store.models import Link

EXPECTED_EXTRAS = {"404.html", "robots.txt", "_headers", "nginx-headers.conf"}


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "site"


@pytest.fixture
def applications(make_job, make_application):
    job = make_job(title="Platform Engineer")
    return [make_application(job=job, name=f"Candidate {n}") for n in range(5)]


def page_tokens(out: Path) -> set[str]:
    return {p.parent.name for p in (out / "c").glob("*/index.html")}


def live_tokens() -> set[str]:
    return {token for _, token in links.live_links().select(Link.id, Link.token).tuples()}


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Every file of the published site with its inode and modification time."""
    root = out.resolve()
    return {
        str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def token_of(application: Application) -> str:
    return links.live(application).token


def test_s1_pages_on_disk_are_exactly_the_live_links(out, applications):
    revoke_link(None, applications[0])
    summary = build.build(str(out))
    assert summary.kind == "full" and summary.written == 4
    assert page_tokens(out) == live_tokens() and len(live_tokens()) == 4
    root = out.resolve()
    others = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    others -= {f"c/{token}/index.html" for token in live_tokens()}
    assert {name for name in others if not name.startswith("assets/")} == EXPECTED_EXTRAS
    assert all(name.endswith(".css") for name in others if name.startswith("assets/"))
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "/login" not in text and "/admin" not in text, path


def test_s2_revoked_erased_and_expired_pages_disappear(app, out, applications):
    revoked, erased, *_ = applications
    build.build(str(out))
    revoke_link(None, revoked)
    erased_token = token_of(erased)
    erased.delete_instance()
    summary = build.build(str(out))
    assert summary.removed == 2
    assert page_tokens(out) == live_tokens()
    assert erased_token not in page_tokens(out)
    with time_machine.travel(Link.select().first().expires + timedelta(days=1)):
        build.build(str(out))  # a new year, too: a full build
    assert page_tokens(out) == set()


def test_s2_revocation_deletes_the_page_at_once_with_a_site_dir(app, out, applications):
    app.config["SITE_DIR"] = str(out)
    build.build(str(out))
    token = token_of(applications[1])
    assert (out / "c" / token / "index.html").exists()
    revoke_link(None, applications[1])
    assert not (out / "c" / token).exists()


def test_s2_retiring_a_key_ends_the_pages_it_signed(app, out, applications):
    """The live route refuses those tokens at once; the site must not keep serving them."""
    build.build(str(out))
    app.config.update(SECRET_KEY="a-brand-new-key", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    assert build.build(str(out)).kind == "full"  # the keys shape the pages' fate
    assert len(page_tokens(out)) == 5  # still a fallback: still served
    app.config.update(SECRET_KEY_FALLBACKS=[])
    summary = build.build(str(out))
    assert (summary.written, page_tokens(out)) == (0, set())
    fresh = links.issue(applications[0])  # a fresh link, signed with the new key
    assert build.build(str(out)).written == 1
    assert page_tokens(out) == {fresh.token}


def test_s2_a_shortened_link_lifetime_ends_pages_on_time(app, out, applications):
    """The live route refuses a token older than LINK_DAYS whatever its row says."""
    build.build(str(out))
    app.config["LINK_DAYS"] = 30
    build.build(str(out))
    assert len(page_tokens(out)) == 5
    with time_machine.travel(now() + timedelta(days=31)):
        build.build(str(out))
        assert page_tokens(out) == set() and links.live(applications[0]) is None


def test_watch_notices_a_link_ending_at_its_time_of_day(app, applications):
    with time_machine.travel(now().replace(hour=10, minute=0), tick=False) as traveller:
        Link.update(expires=now() + timedelta(minutes=1)).where(
            Link.application == applications[0].id
        ).execute()
        seen = build_cli.data_version()
        traveller.shift(timedelta(minutes=2))
        assert build_cli.data_version() != seen


def test_s2_a_closed_page_ends_after_the_closed_period(app, out, applications):
    application = applications[2]
    domain.close(None, application, application.version, "rejected", "Thank you for your time")
    build.build(str(out))
    assert token_of(application) in page_tokens(out)
    later = application.closed + timedelta(days=app.config["CLOSED_DAYS"] + 1)
    with time_machine.travel(later):
        build.build(str(out))
    assert len(page_tokens(out)) == 4


def test_s3_static_page_equals_the_dynamic_route(client, out, applications):
    application = applications[3]
    domain.post_update(None, application, application.version, "We loved meeting you")
    conversation.ask(application, "Shall I prepare anything for the next step?")
    conversation.ask(application, "And is the office reachable by train?", via="email")
    version = Application.get_by_id(application.id).version
    conversation.answer(None, application, version, "Nothing; yes, it is.")
    conversation.ask(application, "Thank you! One more: is there parking?")
    with time_machine.travel(Application.get_by_id(application.id).updated, tick=False):
        build.build(str(out))
        token = token_of(application)
        response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    assert (out / "c" / token / "index.html").read_bytes() == response.data
    assert b"is there parking?" in response.data and b"will answer by" in response.data
    assert (out / "404.html").read_bytes() == client.get("/c/not-a-token/").data


def test_s3_the_assets_the_page_names_are_in_the_build(client, out, applications):
    build.build(str(out))
    page = next((out / "c").glob("*/index.html")).read_text()
    for name in os.listdir(out / "assets"):
        assert f"/assets/{name}" in page
        assert client.get(f"/assets/{name}").data == (out / "assets" / name).read_bytes()


def test_s4_an_unchanged_build_rewrites_nothing(out, applications):
    build.build(str(out))
    before = snapshot(out)
    summary = build.build(str(out))
    assert (summary.kind, summary.written, summary.removed) == ("incremental", 0, 0)
    assert snapshot(out) == before


def test_s5_one_change_rewrites_one_page(out, applications):
    build.build(str(out))
    before = snapshot(out)
    changed = applications[4]
    domain.post_update(None, changed, changed.version, "Your interview is confirmed")
    summary = build.build(str(out))
    after = snapshot(out)
    rewritten = {name for name in after if after[name] != before.get(name)}
    assert rewritten == {f"c/{token_of(changed)}/index.html"}
    assert summary.written == 1
    assert (
        "Your interview is confirmed" in (out / "c" / token_of(changed) / "index.html").read_text()
    )


def test_s5_a_job_edit_rewrites_its_pages(out, applications, make_application, make_job):
    other = make_application(job=make_job(title="Designer"))
    build.build(str(out))
    job = applications[0].job
    domain.save_job(None, job=job, title="Staff Platform Engineer", recruiter=job.recruiter)
    summary = build.build(str(out))
    assert summary.written == 5
    assert "Staff Platform Engineer" not in (out / "c" / token_of(other) / "index.html").read_text()


@pytest.mark.parametrize("setting", ["COMPANY_NAME", "template", "code"])
def test_s6_a_template_setting_or_code_change_rebuilds_everything(app, out, applications, setting):
    build.build(str(out))
    code = Path(dates.__file__)  # outside the candidates package, yet it shapes every page
    before = code.read_bytes()
    if setting == "COMPANY_NAME":
        app.config["COMPANY_NAME"] = "Renamed Ltd"
    elif setting == "template":
        app.jinja_env.cache.clear()
        extra = Path(app.template_folder) / "candidate" / "_build_test_marker.html"
        extra.write_text("changed")
    else:
        code.write_bytes(before + b"\n# changed by test_build\n")
    try:
        summary = build.build(str(out))
    finally:
        if setting == "template":
            extra.unlink()
        code.write_bytes(before)
    assert (summary.kind, summary.written) == ("full", 5)


def test_the_fingerprint_covers_every_module_that_shapes_a_page():
    hashed = set(build.code_files())
    for module in (dates, clock, settings, page, links):
        assert Path(module.__file__) in hashed


def test_s9_a_symlink_planted_in_the_site_is_refused(tmp_path, out, applications):
    build.build(str(out))
    victim = tmp_path / "victim"
    victim.mkdir()
    token = token_of(applications[0])
    page_folder = out.resolve() / "c" / token
    for child in page_folder.iterdir():
        child.unlink()
    page_folder.rmdir()
    page_folder.symlink_to(victim)
    changed = applications[0]
    domain.post_update(None, changed, changed.version, "Something new")
    with pytest.raises(publish.UnsafePath, match="symlink"):
        build.build(str(out))
    assert list(victim.iterdir()) == []


@pytest.mark.parametrize("segment", ["..", ".", "../etc", "a/b", "", ".hidden", "x" * 600])
def test_s9_unsafe_path_segments_are_refused(tmp_path, segment):
    with pytest.raises(publish.UnsafePath):
        publish.write_file(tmp_path, ("c", segment, "index.html"), b"x")


def test_s9_an_output_folder_that_is_not_ours_is_refused(tmp_path, applications):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious")
    with pytest.raises(publish.UnsafePath, match="not a site made by"):
        build.build(str(mine))
    elsewhere = tmp_path / "link"
    elsewhere.symlink_to(mine)
    with pytest.raises(publish.UnsafePath, match="points outside"):
        build.build(str(elsewhere))
    assert (mine / "thesis.txt").read_text() == "precious"


def test_f2_a_symlink_planted_at_the_build_lock_is_refused(runner, tmp_path, out, applications):
    """F2: OUT.releases/.lock pointing at a file of ours: opening the lock truncated it."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    releases = publish.Site(out).releases
    releases.mkdir()
    (releases / ".lock").symlink_to(victim)
    result = runner.invoke(cli, ["build", str(out)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: Refusing to open the lock through the symlink {releases / '.lock'}.\n",
    )
    assert victim.read_text() == "precious"
    assert not os.path.lexists(out)


@pytest.mark.parametrize("args", [[], ["--rollback"]])
def test_f2_a_symlinked_releases_folder_is_refused(runner, tmp_path, out, applications, args):
    """F2: OUT.releases a symlink to a folder of someone else's: releases, manifests (every
    token) and journals (renames to carry out) went there. Refused in one line."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    releases = publish.Site(out).releases
    releases.symlink_to(elsewhere)
    result = runner.invoke(cli, ["build", str(out), *args])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {releases} is a symlink; refusing to use it for the site's releases.\n",
    )
    assert list(elsewhere.iterdir()) == [] and not os.path.lexists(out)


def test_f2_a_symlinked_staging_folder_is_refused(tmp_path, out, applications):
    """F2: an incremental build stages its pages in OUT.releases/.staging/: a symlink
    planted there must not take them elsewhere."""
    build.build(str(out))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (publish.Site(out).releases / ".staging").symlink_to(elsewhere)
    changed = applications[0]
    domain.post_update(None, changed, changed.version, "Something new")
    with pytest.raises(publish.UnsafePath, match="symlink"):
        build.build(str(out))
    assert list(elsewhere.iterdir()) == []


def test_f2_a_symlink_planted_among_the_releases_is_refused(runner, tmp_path, out, applications):
    """F2: a symlink named like a release, sorting just before the published one: a
    rollback published it (the site served from someone else's folder) and deleted dead
    pages inside it."""
    build.build(str(out))
    build.build(str(out), full=True)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "c").mkdir(parents=True)
    previous = publish.Site(out).previous()
    planted = previous.with_name(f"{previous.name}-z")
    planted.symlink_to(elsewhere)
    published = out.resolve()
    result = runner.invoke(cli, ["build", str(out), "--rollback"])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: Refusing the symlink {planted} among the releases.\n",
    )
    assert out.resolve() == published


def test_s10_robots_and_host_rules(app, out, applications):
    build.build(str(out))
    robots = (out / "robots.txt").read_text()
    assert robots == "User-agent: *\nDisallow: /c/\n"
    headers = (out / "_headers").read_text()
    nginx = (out / "nginx-headers.conf").read_text()
    for name in CANDIDATE_HEADERS:
        assert headers.count(f"  {name}: ") == 2  # pages and the 404
        assert f"add_header {name} " in nginx
    for token in live_tokens():
        assert token not in robots + headers + nginx


def test_rollback_publishes_the_previous_build(out, applications):
    build.build(str(out))
    first = out.resolve()
    build.build(str(out), full=True)
    assert out.resolve() != first
    assert build.rollback(str(out)) == first
    assert out.resolve() == first


def test_a_rollback_never_brings_back_a_dead_page(app, out, applications):
    """The kept release has the pages of its day; a link revoked or erased since must not
    come back with it, nor wait on disk with the erased person's name."""
    revoked, erased, *_ = applications
    build.build(str(out))
    build.build(str(out), full=True)
    previous = publish.Site(out).previous()
    revoked_token, erased_token = token_of(revoked), token_of(erased)
    revoke_link(None, revoked)  # no SITE_DIR: the build prunes
    erased.delete_instance()
    build.build(str(out))
    assert not (previous / "c" / erased_token).exists()  # gone from the kept release too
    build.rollback(str(out))
    assert out.resolve() == previous
    assert page_tokens(out) == live_tokens()
    assert revoked_token not in page_tokens(out) and erased_token not in page_tokens(out)


def test_the_manifest_listing_every_token_is_private(out, applications):
    build.build(str(out))
    manifest = publish.Site(out).manifest_path(publish.Site(out).current())
    assert manifest.stat().st_mode & 0o777 == 0o600


def test_the_command_prints_one_summary_line(runner, out, applications):
    result = runner.invoke(cli, ["build", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Built {out} (full): 5 written, 0 unchanged, 0 removed in ")
    assert runner.invoke(cli, ["build", str(out), "--quiet"]).output == ""
    mine = out.parent / "mine"
    (mine / "x").mkdir(parents=True)
    result = runner.invoke(cli, ["build", str(mine)])
    assert result.exit_code == 1 and "not a site made by `portal build`" in result.output


def test_watch_sees_every_kind_of_change(app, applications, make_user):
    """`portal build --watch` rebuilds when data_version moves: an update, a job edit,
    a new or revoked link each move it; nothing else does. Imported rows stamped by a
    clock ahead of ours (here two days) do not hide later changes."""
    ahead = build_cli.clock.now() + timedelta(days=2)
    Application.update(updated=ahead).execute()
    seen = build_cli.data_version()
    assert build_cli.data_version() == seen
    for change in (
        lambda: domain.post_update(None, applications[0], applications[0].version, "News"),
        lambda: domain.save_job(None, job=applications[0].job, title="Renamed",
                                recruiter=applications[0].job.recruiter),
        lambda: revoke_link(None, applications[1]),
        lambda: issue_link(None, applications[1]),
    ):  # fmt: skip
        with time_machine.travel(build_cli.clock.now() + timedelta(seconds=1)):
            change()
        assert build_cli.data_version() != seen
        seen = build_cli.data_version()


def test_watch_latency_runs_from_the_newest_change_that_is_not_in_the_future(app, applications):
    before = build_cli.data_version()
    with time_machine.travel(build_cli.clock.now() + timedelta(seconds=30)):
        domain.post_update(None, applications[0], applications[0].version, "News")
    Application.update(updated=build_cli.clock.now() + timedelta(days=2)).execute()
    with time_machine.travel(build_cli.clock.now() + timedelta(seconds=42), tick=False):
        assert build_cli._latency(before, build_cli.data_version()) == pytest.approx(12, abs=1)
    assert build_cli._latency(before, before) is None


def test_a_revocation_never_waits_for_a_running_build(app, out, applications):
    """Revoking during a build returns at once; the build drops the page when it ends."""
    app.config["SITE_DIR"] = str(out)
    build.build(str(out))
    token = token_of(applications[1])
    with publish.Site(out).locked():  # a build is running
        revoke_link(None, applications[1])
        assert (out / "c" / token / "index.html").exists()
    build.build(str(out))
    assert not (out / "c" / token).exists()
