"""Integration tokens in the admin (admins only): a new token's secret is shown once and
only its hash is kept, the API takes it until it is revoked after a page that asks first,
every change is audited, and the page holds at 360 and 1280 px in a real Chromium."""

import json
import re

import pytest
from helpers.admin_client import forms
from helpers.admin_client import submit
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.http import csrf_token

from portal.api import tokens
from portal.store.models import AuditEntry
from portal.store.models import IntegrationToken
from portal.store.models import MODELS

PAGE = "/admin/integrations"
CSRF_REFUSAL = "The form had expired or did not come from this site."
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ann Admin", email="ann@example.com")


@pytest.fixture
def signed_in_admin(auth, admin):
    auth.login(admin)
    return admin


def revoke_url(token) -> str:
    return f"{PAGE}/{token.id}/revoke"


def make(client, name="Greenhouse sync", scope="write"):
    """Fill in and post the page's form for a new token, as a browser would."""
    return submit(client, client.get(PAGE), PAGE, name=name, scope=scope)


def secret_on(page) -> str | None:
    match = re.search(r'id="token-secret" value="([^"]*)"', page.text)
    return match and match.group(1)


def api(client, secret: str):
    return client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {secret}"})


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action))


def every_row() -> str:
    """Every row of every table, as text: to look for a value anywhere in the database."""
    return "\n".join(
        json.dumps(row, default=str) for model in MODELS for row in model.select().dicts()
    )


# --- making a token ---------------------------------------------------------------------


def test_a_new_tokens_secret_is_shown_once(client, signed_in_admin):
    response = make(client)
    assert response.status_code == 200
    secret = secret_on(response)
    assert secret and secret.startswith(tokens.PREFIX)
    assert "It will not be shown again." in response.text
    assert "Copy the token for “Greenhouse sync” now" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    token = IntegrationToken.get()
    assert (token.name, token.scope, token.created_by_id) == (
        "Greenhouse sync",
        "write",
        signed_in_admin.id,
    )
    again = client.get(PAGE)
    assert secret not in again.text and secret_on(again) is None
    assert "Greenhouse sync" in again.text and f"<code>{token.prefix}…</code>" in again.text
    row = again.text.split(f'id="token-{token.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Read and write" in row and "by Ann Admin" in row and "never" in row
    assert "Live" in row and f'href="{revoke_url(token)}"' in row


def test_only_the_secrets_hash_is_kept(client, signed_in_admin):
    secret = secret_on(make(client))
    token = IntegrationToken.get()
    assert token.digest == tokens.digest(secret) and secret.startswith(token.prefix)
    assert secret not in json.dumps(token.__data__, default=str)
    [entry] = audited("token_created")
    assert secret not in entry.subject + entry.detail
    assert secret not in every_row()  # nor in any other table
    with client.session_transaction() as session:  # nor in the signed (readable) cookie
        assert secret not in json.dumps(dict(session), default=str)


def test_the_api_takes_the_token_until_it_is_revoked(client, signed_in_admin):
    secret = secret_on(make(client))
    token = IntegrationToken.get()
    assert api(client, secret).status_code == 200
    used = client.get(PAGE).text.split(f'id="token-{token.id}"', 1)[1].split("</tr>", 1)[0]
    assert "never" not in used
    ask = client.get(revoke_url(token))
    assert ask.status_code == 200
    assert "It stops working at once." in ask.text and "Revoke the token" in ask.text
    assert IntegrationToken.get_by_id(token.id).revoked is None  # asking changes nothing
    assert api(client, secret).status_code == 200
    response = submit(client, ask, revoke_url(token))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{PAGE}#token-{token.id}"
    assert IntegrationToken.get_by_id(token.id).revoked is not None
    assert api(client, secret).status_code == 401
    page = client.get(PAGE)
    assert "Revoked “Greenhouse sync”: the API refuses it from now on." in page.text
    row = page.text.split(f'id="token-{token.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Revoked" in row and "revoke" not in row
    [made], [revoked] = audited("token_created"), audited("token_revoked")
    assert made.actor_id == revoked.actor_id == signed_in_admin.id
    assert made.subject == revoked.subject == f"token {token.id}"
    assert json.loads(made.detail) == {"name": "Greenhouse sync", "scope": "write"}


def test_revoking_twice_revokes_once(client, signed_in_admin):
    make(client)
    token = IntegrationToken.get()
    ask = client.get(revoke_url(token))
    submit(client, ask, revoke_url(token))
    revoked = IntegrationToken.get_by_id(token.id).revoked
    response = submit(client, ask, revoke_url(token), follow_redirects=True)
    assert "“Greenhouse sync” was already revoked." in response.text
    assert IntegrationToken.get_by_id(token.id).revoked == revoked
    assert len(audited("token_revoked")) == 1
    again = client.get(revoke_url(token))
    assert "the API already refuses it" in again.text
    assert 'method="post"' not in again.text.split("<main", 1)[1]


def test_a_read_only_token_reads_and_may_not_write(client, signed_in_admin):
    made = make(client, "Reporting", "read")
    assert "Token (read only)" in made.text
    secret = secret_on(made)
    assert "Read only" in client.get(PAGE).text
    assert api(client, secret).status_code == 200
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.put("/api/v1/jobs/J-1", json={"title": "Nope"}, headers=headers)
    assert response.status_code == 403


def test_an_unknown_token_is_a_404(client, signed_in_admin):
    assert client.get(f"{PAGE}/999/revoke").status_code == 404
    token = csrf_token(client.get(PAGE))
    assert client.post(f"{PAGE}/999/revoke", data={"csrf_token": token}).status_code == 404


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, message",
    [
        ({"name": ""}, "Name is required."),
        ({"name": "   "}, "Name is required."),
        ({"name": "x" * 101}, "Name is too long (101 characters; at most 100)."),
        ({"name": "Kept name", "scope": "admin"}, "Not a valid choice"),
        ({"name": "Kept name", "scope": None}, "This field is required."),
    ],
    ids=["empty", "blank", "too-long", "unknown-scope", "no-scope"],
)
def test_a_refused_token_is_shown_again_as_typed(client, signed_in_admin, values, message):
    typed = {"scope": "write", **values}
    response = make(client, **typed)
    assert response.status_code == 400
    assert message in response.text
    assert secret_on(response) is None
    [again] = [f for f in forms(response.text) if f["action"] == PAGE]
    assert again["fields"]["token-name"] == typed["name"]
    if typed["scope"] == "write":
        assert again["fields"]["token-scope"] == "write"
    assert IntegrationToken.select().count() == 0
    assert audited("token_created") == []


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_only_admins_reach_integrations(client, auth, admin, make_user, role):
    token, secret = tokens.create_token(admin, "Greenhouse sync", "write")
    auth.login(make_user(role))
    csrf = csrf_token(client.get("/admin/jobs/"))
    assert "Integrations</a>" not in client.get("/admin/jobs/").text
    assert client.get(PAGE).status_code == 403
    data = {"csrf_token": csrf, "token-name": "Mine", "token-scope": "write"}
    assert client.post(PAGE, data=data).status_code == 403
    assert client.get(revoke_url(token)).status_code == 403
    assert client.post(revoke_url(token), data={"csrf_token": csrf}).status_code == 403
    assert [t.name for t in IntegrationToken.select()] == ["Greenhouse sync"]
    assert IntegrationToken.get_by_id(token.id).revoked is None
    assert api(client, secret).status_code == 200
    assert audited("token_revoked") == [] and len(audited("token_created")) == 1


def test_the_admin_sees_the_link_in_the_navigation(client, signed_in_admin):
    home = client.get("/admin/jobs/")
    assert f'<a href="{PAGE}">Integrations</a>' in home.text
    assert f'<a href="{PAGE}" aria-current="page">Integrations</a>' in client.get(PAGE).text


def test_the_page_points_to_the_api_document(client, signed_in_admin):
    page = client.get(PAGE)
    assert 'href="/api/v1/openapi.json"' in page.text and "docs/api.md" in page.text
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("token", [None, "forged"])
def test_every_post_needs_its_csrf_token(client, signed_in_admin, admin, token):
    made, secret = tokens.create_token(admin, "Greenhouse sync", "write")
    data = {"csrf_token": token} if token else {}
    response = client.post(PAGE, data={**data, "token-name": "Sneaky", "token-scope": "write"})
    assert response.status_code == 400 and CSRF_REFUSAL in response.text
    response = client.post(revoke_url(made), data=data)
    assert response.status_code == 400 and CSRF_REFUSAL in response.text
    assert [t.name for t in IntegrationToken.select()] == ["Greenhouse sync"]
    assert IntegrationToken.get_by_id(made.id).revoked is None
    assert api(client, secret).status_code == 200


def test_a_script_in_a_name_is_only_text(client, signed_in_admin):
    made = make(client, name=SCRIPT)
    assert made.status_code == 200
    token = IntegrationToken.get()
    assert token.name == SCRIPT
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for page in (made, client.get(PAGE), client.get(revoke_url(token))):
        assert page.status_code == 200
        assert SCRIPT not in page.text and escaped in page.text
    revoked = submit(client, client.get(revoke_url(token)), revoke_url(token), True)
    assert SCRIPT not in revoked.text and escaped in revoked.text  # the flash too


def test_the_list_reads_the_same_whatever_its_length(
    client, signed_in_admin, make_user, sql_statements
):
    tokens.create_token(signed_in_admin, "One", "read")
    client.get(PAGE)
    sql_statements.clear()
    client.get(PAGE)
    few = len(sql_statements)
    for n in range(5):
        tokens.create_token(make_user("admin"), f"Token {n}", "write")
    sql_statements.clear()
    page = client.get(PAGE)
    assert page.text.count('<tr id="token-') == 6
    assert len(sql_statements) == few


# --- in a real browser ------------------------------------------------------------------


def looked_at(page, viewport, what: str) -> None:
    """The page, once loaded with its styles, fits the viewport and axe finds nothing
    serious on it."""
    page.wait_for_load_state("load")
    assert_fits(page, viewport, what)
    assert serious_violations(page) == [], what


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_an_admin_makes_and_revokes_a_token_in_a_browser(app, browser, server, admin, viewport):
    tokens.create_token(admin, "An older token with a rather long name for a phone", "read")
    context, page = signed_in(browser, server, admin, viewport)
    page.click("nav a:has-text('Integrations')")
    page.wait_for_url(server + PAGE)
    looked_at(page, viewport, "the list of tokens")
    page.fill("#token-name", "Greenhouse sync")
    page.check("#token-scope-1")  # read and write
    page.click("button:has-text('Make the token')")
    secret = page.input_value("#token-secret")
    assert secret.startswith(tokens.PREFIX)
    assert "It will not be shown again." in page.locator("section.token-secret").inner_text()
    looked_at(page, viewport, "the new token's secret")
    api_client = app.test_client()
    assert api(api_client, secret).status_code == 200
    page.goto(server + PAGE)
    assert secret not in page.content()
    page.click("a:has-text('Revoke Greenhouse sync')")
    token = IntegrationToken.get(IntegrationToken.name == "Greenhouse sync")
    page.wait_for_url(server + revoke_url(token))
    looked_at(page, viewport, "the page that asks before revoking")
    assert IntegrationToken.get_by_id(token.id).revoked is None
    page.click("button:has-text('Revoke the token')")
    page.wait_for_url(f"{server}{PAGE}#token-{token.id}")
    assert "Revoked “Greenhouse sync”" in page.content()
    looked_at(page, viewport, "the list with a revoked token")
    assert api(api_client, secret).status_code == 401
    context.close()
