"""The API's fixtures: an admin, tokens of each scope, and a client that sends them."""

import pytest

from portal.api import tokens


class Api:
    """The test client speaking to /api/v1 with one token."""

    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def __call__(self, method: str, path: str, json=None, headers=None, **kwargs):
        sent = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        sent.update(headers or {})
        return self.client.open("/api/v1" + path, method=method, json=json, headers=sent, **kwargs)


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="ada.admin@example.com")


@pytest.fixture
def write_token(admin):
    return tokens.create_token(admin, "Greenhouse sync", "write")


@pytest.fixture
def read_token(admin):
    return tokens.create_token(admin, "Reporting", "read")


@pytest.fixture
def api(client, write_token):
    return Api(client, write_token[1])


@pytest.fixture
def reader(client, read_token):
    return Api(client, read_token[1])
