"""The OpenID Connect provider the single sign-on tests run (helpers/oidc.py, npm's
oidc-provider): discovery, a whole authorization code flow with PKCE by hand, the ID
token's claims and signature, key rotation, and its login form refusing a stranger."""

import base64
import json
import secrets
import time
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import requests
from helpers import oidc
from helpers.oidc import client
from helpers.oidc import CLIENT_ID
from helpers.oidc import CLIENT_SECRET
from helpers.oidc import pkce_pair
from helpers.oidc import Provider
from helpers.oidc import SignInRefused
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwk import RSAKey

CALLBACK = "http://127.0.0.1:9/sso/callback"
POST_CALLBACK = "http://127.0.0.1:9/sso/post-callback"

ACCOUNTS = {
    "ada": {
        "sub": "ada",
        "email": "ada@corp.example",
        "email_verified": True,
        "name": "Ada Admin",
        "groups": ["portal-admins"],
    },
    "bob": {"sub": "bob-7", "email": "bob@corp.example", "email_verified": False, "name": "Bob"},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    clients = [
        client([CALLBACK]),
        client([POST_CALLBACK], client_id="portal-post", auth_method="client_secret_post"),
    ]
    with Provider(tmp_path_factory.mktemp("oidc"), clients=clients, accounts=ACCOUNTS) as running:
        yield running


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def authorize(provider, client_id=CLIENT_ID, redirect_uri=CALLBACK, **extra):
    """An authorization URL and what the client keeps to finish the flow."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    url = provider.metadata()["authorization_endpoint"] + "?" + urlencode(params)
    return url, {"state": state, "nonce": nonce, "verifier": verifier}


def callback_params(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def exchange(provider, code, verifier, client_id=CLIENT_ID, redirect_uri=CALLBACK, post=False):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    if post:
        form |= {"client_id": client_id, "client_secret": CLIENT_SECRET}
        auth = None
    else:
        auth = (client_id, CLIENT_SECRET)
    token_endpoint = provider.metadata()["token_endpoint"]
    with requests.post(token_endpoint, data=form, auth=auth, timeout=10) as answer:
        return answer.status_code, answer.json()


def payload(token):
    """The claims of a JWT, unverified."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def sign_in_and_exchange(provider, browser, login="ada"):
    url, kept = authorize(provider)
    params = callback_params(provider.sign_in(browser, url, login))
    assert params["state"] == kept["state"]
    status, tokens = exchange(provider, params["code"], kept["verifier"])
    assert status == 200, tokens
    return tokens, kept


def test_discovery(provider):
    metadata = provider.metadata()
    assert metadata["issuer"] == provider.issuer
    assert metadata["jwks_uri"].startswith(provider.issuer + "/")
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["response_types_supported"] == ["code"]
    assert {"openid", "email", "profile"} <= set(metadata["scopes_supported"])
    assert {"email", "email_verified", "name", "groups"} <= set(metadata["claims_supported"])
    assert {"client_secret_basic", "client_secret_post"} <= set(
        metadata["token_endpoint_auth_methods_supported"]
    )
    assert [key["kid"] for key in provider.jwks()["keys"]] == [provider.kid]
    assert "d" not in provider.jwks()["keys"][0]


def test_code_flow_with_pkce_gives_a_signed_id_token_with_the_claims(provider, browser):
    url, kept = authorize(provider)
    callback = provider.sign_in(browser, url, "ada")

    assert callback.startswith(CALLBACK + "?")
    params = callback_params(callback)
    assert params["state"] == kept["state"]
    assert params["iss"] == provider.issuer  # RFC 9207
    status, tokens = exchange(provider, params["code"], kept["verifier"])
    assert status == 200, tokens
    assert tokens["token_type"] == "Bearer"

    claims = payload(tokens["id_token"])
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == kept["nonce"]
    assert claims["sub"] == "ada"
    assert claims["email"] == "ada@corp.example"
    assert claims["email_verified"] is True
    assert claims["name"] == "Ada Admin"
    assert claims["groups"] == ["portal-admins"]
    assert claims["exp"] - claims["iat"] == 600

    token = jwt.decode(tokens["id_token"], KeySet.import_key_set(provider.jwks()), ["RS256"])
    assert token.header["kid"] == provider.kid
    assert token.claims == claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": CLIENT_ID},
        nonce={"essential": True, "value": kept["nonce"]},
    ).validate(token.claims)

    # A code is good once.
    status, again = exchange(provider, params["code"], kept["verifier"])
    assert (status, again["error"]) == (400, "invalid_grant")


def test_the_code_needs_its_verifier(provider, browser):
    url, kept = authorize(provider)
    params = callback_params(provider.sign_in(browser, url, "ada"))
    status, answer = exchange(provider, params["code"], pkce_pair()[0])
    assert (status, answer["error"]) == (400, "invalid_grant")


def test_pkce_is_required(provider, browser):
    url, _ = authorize(provider)
    url = "&".join(p for p in url.split("&") if not p.startswith("code_challenge"))
    params = callback_params(provider.sign_in(browser, url, "ada"))
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]


def test_client_secret_post_and_claims_of_the_account(provider, browser):
    url, kept = authorize(provider, client_id="portal-post", redirect_uri=POST_CALLBACK)
    params = callback_params(provider.sign_in(browser, url, "bob"))
    status, tokens = exchange(
        provider,
        params["code"],
        kept["verifier"],
        client_id="portal-post",
        redirect_uri=POST_CALLBACK,
        post=True,
    )
    assert status == 200, tokens
    claims = payload(tokens["id_token"])
    assert (claims["aud"], claims["sub"], claims["email_verified"]) == (
        "portal-post",
        "bob-7",
        False,
    )
    assert "groups" not in claims


def test_a_signed_in_browser_sees_no_form_the_second_time(provider, browser):
    sign_in_and_exchange(provider, browser, "ada")
    url, _ = authorize(provider)
    # The login passed here is never typed: the provider's session cookie is enough.
    params = callback_params(provider.sign_in(browser, url, "nobody"))
    assert "code" in params


def test_an_unknown_login_is_refused_on_the_form(provider, browser):
    url, _ = authorize(provider)
    with pytest.raises(SignInRefused, match='Unknown login "mallory"'):
        provider.sign_in(browser, url, "mallory")

    # The form is shown again, as a browser would see it, with the fields to fill.
    with browser.get(url, timeout=10) as page:
        assert page.status_code == 200
        assert '<input id="login" name="login"' in page.text
        assert '<button type="submit">' in page.text


def test_the_private_keys_sign_tokens_the_jwks_verifies(provider):
    """What a test forging claims needs: the provider's own key signs, its JWKS verifies."""
    claims = {"iss": provider.issuer, "aud": CLIENT_ID, "sub": "ada", "groups": ["forged"]}
    key = RSAKey.import_key(provider.signing_key)
    forged = jwt.encode({"alg": "RS256", "kid": provider.kid}, claims, key)
    token = jwt.decode(forged, KeySet.import_key_set(provider.jwks()), ["RS256"])
    assert token.claims == claims


def test_key_rotation_keeps_the_old_key_until_it_is_replaced(tmp_path):
    with Provider(tmp_path, redirect_uris=[CALLBACK], id_token_ttl=30) as provider:
        with requests.Session() as browser:
            old_tokens, _ = sign_in_and_exchange(provider, browser)
        old_kid = provider.kid
        issuer = provider.issuer

        started = time.monotonic()
        provider.restart(rotate_keys=True)
        restart_seconds = time.monotonic() - started
        assert provider.issuer == issuer
        assert provider.kid != old_kid
        published = provider.jwks()
        assert [key["kid"] for key in published["keys"]] == [provider.kid, old_kid]

        with requests.Session() as browser:
            new_tokens, _ = sign_in_and_exchange(provider, browser)
        assert payload(new_tokens["id_token"])["exp"] - payload(new_tokens["id_token"])["iat"] == 30
        keys = KeySet.import_key_set(published)
        assert jwt.decode(new_tokens["id_token"], keys, ["RS256"]).header["kid"] == provider.kid
        assert jwt.decode(old_tokens["id_token"], keys, ["RS256"]).header["kid"] == old_kid

        provider.restart(rotate_keys="replace")
        assert len(provider.jwks()["keys"]) == 1
        assert provider.jwks()["keys"][0]["kid"] not in {old_kid}
        with pytest.raises(JoseError):
            jwt.decode(old_tokens["id_token"], KeySet.import_key_set(provider.jwks()), ["RS256"])
    assert provider.process is None
    assert provider.returncode == 0, provider.log()
    assert restart_seconds < 5, provider.log()


@pytest.mark.parametrize("ci", ["true", ""])
def test_without_node_the_suite_fails_in_ci_and_skips_elsewhere(monkeypatch, ci):
    monkeypatch.setattr(oidc.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    expected = RuntimeError if ci == "true" else pytest.skip.Exception
    with pytest.raises(expected, match="node is not on PATH"):
        oidc.ensure_installed()
