"""docs/security.md, rows L1-L12: candidate links in the dynamic mode. (L7 is in
test_links.py, L13 in test_redact.py.)

"Dead link" means one response, identical in status, headers and body, for every kind
of failure."""

import re
import statistics
import time
from datetime import timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from portal import domain
from portal.candidates import links
from portal.candidates import page as pages
from portal.candidates.actions import reissue_link
from portal.candidates.actions import revoke_link
from portal.clock import now
from portal.store import db
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail
from portal.store.models import Task
from portal.worker import tasks

STRICT_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def snapshot(response):
    """Status, headers and body: what 'identical' compares."""
    return response.status_code, sorted(response.headers.items()), response.data


@pytest.fixture
def dead(client):
    """The reference dead-link response."""
    return snapshot(client.get("/c/not-a-token/"))


@pytest.fixture
def application(make_application):
    return make_application(name="Ada Lovelace")


@pytest.fixture
def token(application):
    return links.live(application).token


def flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def mutations(token: str) -> dict[str, str]:
    payload, stamp, signature = token.split(".")
    return {
        "payload": ".".join([flip(payload, 5), stamp, signature]),
        "timestamp": ".".join([payload, flip(stamp, 2), signature]),
        "signature": ".".join([payload, stamp, flip(signature, 10)]),
        "truncated by one": token[:-1],
        "truncated by half": token[: len(token) // 2],
        "without signature": f"{payload}.{stamp}",
        "junk appended": token + "x",
        "junk segment appended": token + ".x",
    }


def test_the_dead_link_page(dead):
    status, headers, body = dead
    assert status == 404
    assert b"This link no longer works" in body
    assert b"Email me a fresh link" in body


# --- L1, L2, L3, L4: every failure gets the same response --------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "payload",
        "timestamp",
        "signature",
        "truncated by one",
        "truncated by half",
        "without signature",
        "junk appended",
        "junk segment appended",
    ],
)
def test_l1_tampered_tokens_are_dead_without_a_query(client, dead, token, sql_statements, kind):
    tampered = mutations(token)[kind]
    assert tampered != token
    del sql_statements[:]
    assert snapshot(client.get(f"/c/{tampered}/")) == dead
    assert sql_statements == []


def test_l2_other_salts_and_session_cookies_are_dead(app, client, dead, application):
    link = links.live(application)
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else")
    session = app.session_interface.get_signing_serializer(app)
    for forged in (
        other_salt.dumps(link.id),
        session.dumps({"_user_id": "1", "link": link.id}),
        session.dumps(link.id),
        links.form_token(link.id),
    ):
        assert snapshot(client.get(f"/c/{forged}/")) == dead


def test_l3_an_old_token_is_dead(app, client, dead, token):
    with time_machine.travel(now() + timedelta(days=app.config["LINK_DAYS"], hours=1)):
        assert snapshot(client.get(f"/c/{token}/")) == dead


def test_l4_revoked_reissued_erased(client, dead, make_application):
    revoked, reissued, erased = (make_application() for _ in range(3))
    tokens = {
        "revoked": links.live(revoked).token,
        "reissued": links.live(reissued).token,
        "erased": links.live(erased).token,
    }
    for token in tokens.values():
        assert client.get(f"/c/{token}/").status_code == 200
    revoke_link(None, revoked)
    reissue_link(None, reissued)
    Application.delete().where(Application.id == erased.id).execute()
    for kind, token in tokens.items():
        assert snapshot(client.get(f"/c/{token}/")) == dead, kind
    assert client.get(f"/c/{links.live(reissued).token}/").status_code == 200


def test_l5_key_rotation(app, client, dead, token):
    app.config.update(SECRET_KEY="a-brand-new-key", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    assert client.get(f"/c/{token}/").status_code == 200
    app.config.update(SECRET_KEY_FALLBACKS=[])
    # The dead page itself does not depend on the key.
    assert snapshot(client.get(f"/c/{token}/")) == dead


# --- L6: hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/c/" + "A" * 10_240 + "/",
        "/c/ünïcødé.tøkén.☃/",
        "/c/%00/",
        "/c/abc%00def/",
        "/c/..%2f..%2fetc%2fpasswd/",
        "/c/..%2f/",
        "/c/!!!!.@@@@.####/",
        "/c/====.====.====/",
        "/c/a.b.c/",
        "/c/..../",
        "/c/x/y/z/",
        "/c/x",
    ],
)
def test_l6_hostile_tokens_get_the_dead_page(client, dead, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert b"This link no longer works" in response.data
    assert snapshot(response)[2] == dead[2]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_l6_no_input_makes_the_lookup_fail(app, text):
    assert pages.find(text) is None


# --- L8, L9: headers and HTML -------------------------------------------------------------


def assert_strict(response):
    for name, value in STRICT_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["style-src"] == ["'self'"]
    assert "'self'" in directives["form-action"]
    assert "https://jobs.example.com" in directives["form-action"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src" not in directives  # default-src 'none' covers scripts


def test_l8_headers_on_the_page_and_dead_page(client, token):
    assert_strict(client.get(f"/c/{token}/"))
    assert_strict(client.get("/c/nope/"))


def test_l8_headers_on_error_pages(app, client, token, make_application):
    # A form that did not come from the page: 400.
    response = client.post(f"/c/{token}/withdraw", data={"confirm": "yes"})
    assert response.status_code == 400
    assert_strict(response)
    # Any other method gets the dead-link page, not a 405 that says the address exists.
    response = client.put(f"/c/{token}/")
    assert response.status_code == 404
    assert_strict(response)
    # A body too large to read: 413, in the candidate's words.
    response = client.post(f"/c/{token}/withdraw", data={"reason": "x" * (6 * 2**20)})
    assert response.status_code == 413
    assert b"That was too long" in response.data
    assert_strict(response)
    # The database is down: 503, the candidate's kind words, the same headers.
    working = db.database.obj
    db.database.initialize(db.open_database("sqlite:////nonexistent-dir/nothing/here.db"))
    try:
        response = client.get(f"/c/{token}/")
    finally:
        db.database.initialize(working)
    assert response.status_code == 503
    assert b"Please try again in a minute" in response.data
    assert_strict(response)


def test_l8_headers_on_the_rate_limit_page(app, client):
    app.config["DEAD_LINK_RATE_LIMIT"] = "2 per minute"
    responses = [client.get(f"/c/bad{n}/") for n in range(3)]
    assert responses[-1].status_code == 429
    assert_strict(responses[-1])


def assert_self_contained(html: str):
    assert "<script" not in html.lower()
    assert "<iframe" not in html.lower() and "<img" not in html.lower()
    assert " style=" not in html.lower() and "<style" not in html.lower()
    for attribute, value in re.findall(r'\s(src|href|action)="([^"]*)"', html):
        assert value.startswith("/") or value.startswith("mailto:"), (attribute, value)
        assert not value.startswith("//"), value
    for anchor in re.findall(r"<a\s[^>]*>", html):
        assert 'rel="noreferrer"' in anchor, anchor


def test_l9_nothing_from_another_origin(client, application, token):
    assert_self_contained(client.get(f"/c/{token}/").text)
    assert_self_contained(client.get("/c/nope/").text)
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    assert_self_contained(client.get(f"/c/{token}/").text)


# --- L10: GET never acts; POST needs the form token ------------------------------------------


def test_l10_get_on_an_action_does_nothing(client, application, token):
    before = (Event.select().count(), Mail.select().count(), application.version)
    for action in ("withdraw", "acknowledge", "rate"):
        response = client.get(f"/c/{token}/{action}")
        assert response.status_code == 404
    fresh = Application.get_by_id(application.id)
    assert (Event.select().count(), Mail.select().count(), fresh.version) == before
    assert fresh.status == "active"


@pytest.mark.parametrize("form_token", [None, "", "forged", "another link's"])
def test_l10_post_without_a_valid_form_token_is_refused(
    client, make_application, application, token, form_token
):
    if form_token == "another link's":
        form_token = links.form_token(links.live(make_application()).id)
    data = {"confirm": "yes"} | ({"form_token": form_token} if form_token is not None else {})
    response = client.post(f"/c/{token}/withdraw", data=data)
    assert response.status_code == 400
    assert Application.get_by_id(application.id).status == "active"


# --- L11: rate limit on bad tokens -------------------------------------------------------------


def test_l11_many_bad_tokens_are_rate_limited_per_client(app, client, token):
    app.config["DEAD_LINK_RATE_LIMIT"] = "5 per minute"
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [client.get(f"/c/guess{n}/", environ_base=attacker).status_code for n in range(8)]
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429] * 3
    # Another client is not affected, with a good link or a bad one.
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get(f"/c/{token}/", environ_base=other).status_code == 200
    assert client.get("/c/typo/", environ_base=other).status_code == 404
    # Good links are never counted nor refused, even for the limited client.
    assert client.get(f"/c/{token}/", environ_base=attacker).status_code == 200


# --- L12: "email me a fresh link" ---------------------------------------------------------------


def ask(client, email, **environ):
    """Ask for a fresh link, timed to the connection's close; then let the worker do its
    round, as `portal worker` would a moment later."""
    started = time.perf_counter()
    response = client.post("/c/fresh-link", data={"email": email}, environ_base=environ)
    response.close()
    elapsed = time.perf_counter() - started
    tasks.run_due()
    return response, elapsed


def test_l12_known_and_unknown_addresses_get_the_same_answer(app, client, make_application):
    app.config["FRESH_LINK_RATE_LIMIT"] = "100 per minute"
    app.config["FRESH_LINK_ADDRESS_LIMIT"] = "100 per minute"
    make_application(email="known@example.org")
    known, unknown = [], []
    for n in range(6):
        response_known, seconds_known = ask(client, "known@example.org", REMOTE_ADDR=f"10.0.0.{n}")
        response_unknown, seconds_unknown = ask(
            client, "nobody@example.org", REMOTE_ADDR=f"10.0.1.{n}"
        )
        assert snapshot(response_known) == snapshot(response_unknown)
        assert response_known.status_code == 200
        known.append(seconds_known)
        unknown.append(seconds_unknown)
    # The lookup and the sending happen after the answer: the answer takes the same time.
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.02
    mail = Mail.select().where(Mail.kind == "link")
    assert mail.count() == 6
    assert {m.to for m in mail} == {"known@example.org"}


def test_a13_a_known_and_an_unknown_address_cost_the_request_the_same_work(
    app, client, make_application, sql_statements
):
    """A13: the request writes one task whoever the address belongs to; the lookup and
    the email are the worker's. The same statements, so the same time to close."""
    make_application(email="known@example.org")
    Mail.delete().execute()
    runs = []
    for n, email in enumerate(("known@example.org", "nobody@example.org")):
        sql_statements.clear()
        answer = client.post(
            "/c/fresh-link", data={"email": email}, environ_base={"REMOTE_ADDR": f"10.9.0.{n}"}
        )
        answer.close()
        runs.append(list(sql_statements))
    assert runs[0] == runs[1] and len(runs[0]) == 1 and "INSERT" in runs[0][0]
    assert Mail.select().count() == 0  # nothing looked up or sent in the request
    assert tasks.run_due() == (2, 0)
    assert [m.to for m in Mail.select().where(Mail.kind == "link")] == ["known@example.org"]
    assert Task.select().count() == 0  # done tasks go, and the address with them


def test_l12_the_link_is_built_from_base_url(client, make_application):
    application = make_application(email="host@example.org")
    ask(client, "host@example.org")
    sent = Mail.get(Mail.kind == "link")
    assert f"https://jobs.example.com/c/{links.live(application).token}/" in sent.text
    Mail.delete().execute()
    client.post(
        "/c/fresh-link",
        data={"email": "host@example.org"},
        headers={"Host": "evil.example.net", "X-Forwarded-Host": "evil.example.net"},
    ).close()
    tasks.run_due()
    sent = Mail.get(Mail.kind == "link")
    assert "evil.example.net" not in sent.text + sent.html
    assert "https://jobs.example.com/c/" in sent.text


def test_l12_the_address_without_its_slash_redirects_within_base_url(client, make_application):
    """L12: the missing-slash redirect never names the Host header's host."""
    token = reissue_link(None, make_application()).token
    for path in (f"/c/{token}", "/c/not-a-token"):
        answer = client.get(path, headers={"Host": "evil.example.net"})
        assert answer.status_code == 308
        assert answer.headers["Location"] == f"{path}/"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
    for hostile in ("/c/a%0Ab", "/c/a%0D%0ASet-Cookie:x=1", "/c/%E2%98%83", "/c/a%2Fb"):
        answer = client.get(hostile)  # no header injection, never a 500
        assert answer.status_code in (308, 404), hostile
        assert "\n" not in answer.headers.get("Location", "")
        assert "Set-Cookie" not in answer.headers


def test_l12_rate_limited_per_client(app, client):
    app.config["FRESH_LINK_RATE_LIMIT"] = "3 per minute"
    statuses = [ask(client, f"p{n}@example.org")[0].status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert ask(client, "p@example.org", REMOTE_ADDR="192.0.2.44")[0].status_code == 200


def test_l12_rate_limited_per_address_silently(app, client, make_application):
    app.config["FRESH_LINK_ADDRESS_LIMIT"] = "2 per hour"
    make_application(email="target@example.org")
    answers = [ask(client, "target@example.org", REMOTE_ADDR=f"192.0.2.{n}")[0] for n in range(4)]
    assert all(snapshot(a) == snapshot(answers[0]) for a in answers)  # the same every time
    assert Mail.select().where(Mail.kind == "link").count() == 2


def test_l12_every_spelling_of_an_address_shares_its_limit(app, client, make_application):
    """Full-width letters in the domain reach the same inbox: they count as one address."""
    app.config["FRESH_LINK_ADDRESS_LIMIT"] = "2 per hour"
    make_application(email="target@example.org")
    Mail.delete().execute()
    for n, spelling in enumerate(
        ("target@example.org", "target@ｅxample.org", "TARGET@exａmple.org")
    ):
        ask(client, spelling, REMOTE_ADDR=f"192.0.2.{n}")
    assert Mail.select().where(Mail.kind == "link").count() == 2


def test_l12_a_fresh_link_replaces_a_revoked_one(client, make_application):
    application = make_application(email="lost@example.org")
    old = links.live(application).token
    revoke_link(None, application)
    ask(client, "lost@example.org")
    new = links.live(application)
    assert new is not None and new.token != old
    assert new.token in Mail.get(Mail.kind == "link").text


def test_l12_no_fresh_link_once_the_page_has_ended(app, client, make_application):
    application = make_application(email="done@example.org")
    domain.close(None, application, application.version, "rejected", "Thank you.")
    Mail.delete().execute()
    with time_machine.travel(now() + timedelta(days=app.config["CLOSED_DAYS"] + 1)):
        ask(client, "done@example.org")
    assert Mail.select().count() == 0


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "x" * 400])
def test_l12_odd_input_gets_the_same_answer(client, email):
    response, _ = ask(client, "someone@example.org")
    assert snapshot(ask(client, email, REMOTE_ADDR="192.0.2.200")[0]) == snapshot(response)
