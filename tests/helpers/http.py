"""The test client as a person uses it: signing in and out through the real login form,
the CSRF token of a page's form, and the headers every candidate page must carry."""

import re

from helpers.factories import PASSWORD
from portal.store.models import User

#: What every candidate page must carry, served live, by nginx or as static host rules.
CANDIDATE_HEADERS = (
    "Referrer-Policy",
    "X-Robots-Tag",
    "Cache-Control",
    "Content-Security-Policy",
    "X-Content-Type-Options",
)


class Auth:
    """Sign a test client in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, user: User, password: str = PASSWORD):
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"email": user.email, "password": password, "csrf_token": csrf_token(page)},
        )

    def logout(self):
        page = self.client.get("/admin/", follow_redirects=True)
        return self.client.post("/logout", data={"csrf_token": csrf_token(page)})


def csrf_token(response) -> str:
    """The CSRF token embedded in a page's form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
    assert match, "no CSRF token on the page"
    return match.group(1)
