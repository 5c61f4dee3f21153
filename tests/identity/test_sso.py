"""Single sign-on against a real OpenID provider on loopback (npm's oidc-provider, run by
helpers/oidc.py), over real HTTP to the app served on loopback: a good sign-in; people in
no mapped group, deactivated, or unknown outside the allowed domains; a replayed state;
and ID tokens the provider really issued, presented with a wrong nonce, for another
client, expired, with a broken signature; and keys rotated between sign-ins (I6)."""

import base64
import json
import secrets
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from helpers.oidc import client as oidc_client
from helpers.oidc import pkce_pair
from helpers.oidc import Provider

from portal.clock import now
from portal.identity import sso
from portal.store.models import AuditEntry
from portal.store.models import StaffSession
from portal.store.models import User

ACCOUNTS = {
    "ada": {
        "sub": "ada",
        "email": "ada@corp.example",
        "email_verified": True,
        "name": "Ada Admin",
        "groups": ["portal-admins", "everyone"],
    },
    "rita": {
        "sub": "rita",
        "email": "rita@corp.example",
        "email_verified": True,
        "name": "Rita Recruiter",
        "groups": ["recruiting"],
    },
    "eve": {
        "sub": "eve",
        "email": "eve@corp.example",
        "email_verified": True,
        "name": "Eve Else",
        "groups": ["everyone"],
    },
}
OTHER = "other-app"


@pytest.fixture
def provider(app, server, tmp_path):
    callback = server + "/login/sso/callback"
    clients = [
        oidc_client([callback]),
        oidc_client([callback], client_id=OTHER, client_secret="o" * 40),
    ]
    with Provider(tmp_path / "oidc", clients=clients, accounts=ACCOUNTS) as running:
        app.config.update(
            BASE_URL=server,
            OIDC_ISSUER=running.issuer,
            OIDC_CLIENT_ID=clients[0]["client_id"],
            OIDC_CLIENT_SECRET=clients[0]["client_secret"],
            OIDC_ROLES=["portal-admins=admin", "recruiting=recruiter", "hiring=manager"],
        )
        yield running


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def sign_in(server, provider, browser, login) -> requests.Response:
    """The whole dance: the portal sends us to the provider, we sign in there as
    ``login``, the provider sends us back; the portal's answer to that (not followed)."""
    start = browser.get(server + "/login/sso", allow_redirects=False)
    assert start.status_code == 302 and start.headers["Location"].startswith(provider.issuer)
    back = provider.sign_in(browser, start.headers["Location"], login)
    return browser.get(back, allow_redirects=False)


def refused_with(server, browser, answer, words):
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    page = browser.get(server + "/login").text
    assert words in page
    assert browser.get(server + "/admin/", allow_redirects=False).status_code == 302


def test_a_good_sign_in_lets_an_existing_member_of_staff_in(server, provider, browser, make_user):
    ada = make_user("recruiter", email="ada@corp.example", name="Ada")
    answer = sign_in(server, provider, browser, "ada")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    home = browser.get(server + "/admin/")
    assert home.status_code == 200 and "Ada" in home.text
    assert User.get_by_id(ada.id).role == "admin"  # the provider's groups decide the role
    assert StaffSession.select().where(StaffSession.user == ada.id).count() == 1
    assert AuditEntry.get(AuditEntry.action == "signed_in").actor_id == ada.id


def test_the_portal_asks_for_pkce_state_and_nonce(server, provider, browser):
    start = browser.get(server + "/login/sso", allow_redirects=False)
    asked = parse_qs(urlsplit(start.headers["Location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"][0]
    assert asked["state"][0] and asked["nonce"][0]
    assert asked["redirect_uri"] == [server + "/login/sso/callback"]


def test_someone_in_no_mapped_group_is_refused(server, provider, browser, make_user):
    make_user("manager", email="eve@corp.example")
    answer = sign_in(server, provider, browser, "eve")
    refused_with(server, browser, answer, "not in a group that may use the hiring portal")
    assert StaffSession.select().count() == 0


def test_a_deactivated_member_of_staff_stays_out(server, provider, browser, make_user):
    make_user("recruiter", email="rita@corp.example", active=False)
    answer = sign_in(server, provider, browser, "rita")
    refused_with(server, browser, answer, "Your account here is deactivated")
    assert AuditEntry.get(AuditEntry.action == "sign_in_refused").detail.count("deactivated")


def test_strangers_come_in_only_from_the_allowed_domains(app, server, provider, browser):
    answer = sign_in(server, provider, browser, "rita")
    refused_with(server, browser, answer, "no account here for you yet")
    assert not User.select().where(User.email == "rita@corp.example").exists()
    app.config["OIDC_CREATE_DOMAINS"] = ["corp.example"]
    with requests.Session() as again:
        assert sign_in(server, provider, again, "rita").headers["Location"] == "/admin/"
    made = User.get(User.email == "rita@corp.example")
    assert (made.role, made.name) == ("recruiter", "Rita Recruiter")


def test_a_replayed_callback_is_refused(server, provider, browser, make_user):
    make_user("admin", email="ada@corp.example")
    start = browser.get(server + "/login/sso", allow_redirects=False)
    back = provider.sign_in(browser, start.headers["Location"], "ada")
    assert browser.get(back, allow_redirects=False).headers["Location"] == "/admin/"
    with requests.Session() as thief:  # the same callback URL, from another browser
        replay = thief.get(back, allow_redirects=False)
        refused_with(server, thief, replay, "could not be verified")
    again = browser.get(back, allow_redirects=False)  # and from the same one: state is spent
    assert again.headers["Location"].endswith("/login")


def test_a_provider_error_is_told_plainly(server, provider, browser):
    browser.get(server + "/login/sso", allow_redirects=False)
    answer = browser.get(server + "/login/sso/callback?error=access_denied", allow_redirects=False)
    refused_with(server, browser, answer, "cancelled or refused at your company")


# --- ID tokens the provider issued, checked by the portal's own client -------------------


def issued(provider, client_id, secret, nonce) -> dict:
    """A real token response from the provider for ``client_id``, by a flow done by hand."""
    verifier, challenge = pkce_pair()
    [redirect] = [c for c in provider.clients if c["client_id"] == client_id][0]["redirect_uris"]
    query = {
        "client_id": client_id,
        "redirect_uri": redirect,
        "response_type": "code",
        "scope": "openid email profile",
        "state": secrets.token_urlsafe(8),
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    url = provider.metadata()["authorization_endpoint"] + "?" + urlencode(query)
    with requests.Session() as session:
        back = provider.sign_in(session, url, "ada")
    code = parse_qs(urlsplit(back).query)["code"][0]
    response = requests.post(
        provider.metadata()["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
        auth=(client_id, secret),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def accepted(app, token, nonce) -> bool:
    with app.test_request_context():
        try:
            sso.client().parse_id_token(token, nonce=nonce)
        except Exception:  # noqa: BLE001 - any refusal is a refusal; which one is Authlib's
            return False
        return True


def test_id_tokens_are_checked_for_nonce_audience_expiry_and_signature(app, provider):
    ours = issued(provider, "portal", app.config["OIDC_CLIENT_SECRET"], "n-1")
    assert accepted(app, ours, "n-1")
    assert not accepted(app, ours, "another-nonce")  # a replayed nonce
    theirs = issued(provider, OTHER, "o" * 40, "n-2")
    assert not accepted(app, theirs, "n-2")  # issued to another client: wrong audience
    with time_machine.travel(now() + timedelta(hours=2), tick=False):
        assert not accepted(app, ours, "n-1")  # expired
    head, body, signature = ours["id_token"].split(".")
    flipped = base64.urlsafe_b64encode(
        bytes([base64.urlsafe_b64decode(signature + "==")[0] ^ 1])
        + base64.urlsafe_b64decode(signature + "==")[1:]
    )
    broken = {**ours, "id_token": f"{head}.{body}.{flipped.decode().rstrip('=')}"}
    assert not accepted(app, broken, "n-1")  # a bad signature
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "groups": ["portal-admins"]}).encode())
    assert not accepted(app, {**ours, "id_token": f"{head}.{forged.decode()}.{signature}"}, "n-1")


def test_rotated_keys_are_fetched_again(server, provider, make_user):
    make_user("admin", email="ada@corp.example")
    with requests.Session() as first:
        assert sign_in(server, provider, first, "ada").headers["Location"] == "/admin/"
    old = provider.kid
    provider.restart(rotate_keys="replace")  # the old key is gone: only the new one signs
    assert provider.kid != old
    with requests.Session() as second:
        answer = sign_in(server, provider, second, "ada")
        assert answer.headers["Location"] == "/admin/", second.get(server + "/login").text


def test_password_sign_in_can_be_turned_off(app, client, make_user):
    make_user("admin", email="pat@example.com")
    app.config.update(OIDC_ISSUER="http://127.0.0.1:9", PASSWORD_SIGN_IN=False)
    page = client.get("/login").text
    assert "Sign in with your" in page and 'name="password"' not in page
    app.config["WTF_CSRF_ENABLED"] = False  # a well-formed post is refused, not just a forged one
    posted = client.post("/login", data={"email": "pat@example.com", "password": "x" * 12})
    assert posted.status_code == 403
    assert client.get("/admin/").status_code == 302  # still signed out
