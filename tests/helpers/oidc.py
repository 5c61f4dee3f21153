"""A real OpenID Connect provider on loopback for the single sign-on tests: panva's
oidc-provider (npm, pinned in tests/oidc/package.json) run by tests/oidc/provider.mjs.

    provider = Provider(tmp_path, clients=[client(["http://127.0.0.1:5000/sso/callback"])])
    provider.start()                       # or: with Provider(...) as provider:
    provider.issuer                        # http://127.0.0.1:<port>, stable across restarts
    callback = provider.sign_in(session, authorize_url, "ada")   # the client's callback URL
    provider.restart(rotate_keys=True)     # new signing key first, the old one still published
    provider.stop()

The provider keeps its sessions, codes and grants in memory: a restart forgets them (the
issuer, port, clients, accounts and the keys kept stay the same).
"""

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
import requests

from helpers.ports import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
OIDC_DIR = ROOT / "tests" / "oidc"
SCRIPT = OIDC_DIR / "provider.mjs"
LOCK = OIDC_DIR / "package-lock.json"
STAMP = OIDC_DIR / "node_modules" / ".stamp"

CLIENT_ID = "portal"
CLIENT_SECRET = "portal-sso-test-secret-0123456789abcdef"

#: Who can sign in when a test names nobody: account id -> the claims the provider holds.
ACCOUNTS = {
    "ada": {
        "sub": "ada",
        "email": "ada@corp.example",
        "email_verified": True,
        "name": "Ada Admin",
        "groups": ["portal-admins"],
    },
}


class SignInRefused(Exception):
    """The provider's login form refused the login; the message is its alert."""


class ProviderError(Exception):
    """The provider answered something a sign-in does not expect (an error page)."""


def client(
    redirect_uris: list[str],
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
    auth_method: str = "client_secret_basic",
    **metadata,
) -> dict:
    """The metadata of a confidential client of the authorization code flow."""
    return {
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uris": list(redirect_uris),
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": auth_method,
        **metadata,
    }


def pkce_pair() -> tuple[str, str]:
    """``(code_verifier, code_challenge)`` for PKCE with S256."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# -- node, npm and the provider's package -------------------------------------------------

_installed = False


def _unavailable(reason: str):
    """No node or npm: an error in CI, where the suite requires them; a skip elsewhere."""
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{reason}; the suite needs Node.js and npm for its OIDC provider")
    pytest.skip(f"{reason}: the OIDC provider's tests need Node.js and npm")


def _fresh() -> bool:
    return STAMP.exists() and STAMP.stat().st_mtime >= LOCK.stat().st_mtime


def ensure_installed() -> str:
    """The path of ``node``, after `npm ci` in tests/oidc if node_modules is missing or
    older than the lock file (as the Makefile does); one process at a time installs."""
    global _installed
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable(f"{'node' if not node else 'npm'} is not on PATH")
    if _installed or _fresh():
        _installed = True
        return node
    key = hashlib.sha256(str(OIDC_DIR).encode()).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"portal-oidc-npm-{key}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _fresh():
            done = subprocess.run(
                [npm, "ci", "--prefix", str(OIDC_DIR), "--no-audit", "--no-fund"],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0:
                raise RuntimeError(f"npm ci in {OIDC_DIR} failed:\n{done.stdout}{done.stderr}")
            STAMP.touch()
    _installed = True
    return node


# -- signing keys -------------------------------------------------------------------------


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def rsa_private_jwk(kid: str | None = None) -> dict:
    """A new 2048-bit RSA private JWK for RS256 signatures (``cryptography``, or Node.js's
    crypto where that package is not installed)."""
    kid = kid or f"key-{secrets.token_hex(4)}"
    try:
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:
        script = (
            "const {generateKeyPairSync} = require('node:crypto');"
            "const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 2048});"
            "process.stdout.write(JSON.stringify(privateKey.export({format: 'jwk'})));"
        )
        node = shutil.which("node") or _unavailable("node is not on PATH")
        jwk = json.loads(
            subprocess.run([node, "-e", script], capture_output=True, check=True).stdout
        )
    else:
        numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_numbers()
        public = numbers.public_numbers
        jwk = {
            "kty": "RSA",
            "n": _b64(public.n),
            "e": _b64(public.e),
            "d": _b64(numbers.d),
            "p": _b64(numbers.p),
            "q": _b64(numbers.q),
            "dp": _b64(numbers.dmp1),
            "dq": _b64(numbers.dmq1),
            "qi": _b64(numbers.iqmp),
        }
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def public_jwk(jwk: dict) -> dict:
    return {k: v for k, v in jwk.items() if k not in {"d", "p", "q", "dp", "dq", "qi", "oth"}}


# -- the login form -----------------------------------------------------------------------


class _Page(HTMLParser):
    """The first form's action and method, and the text of role="alert" elements."""

    def __init__(self):
        super().__init__()
        self.action = self.method = None
        self.alerts, self._alert_depth = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self.method = attrs.get("action") or "", (attrs.get("method") or "get")
        if self._alert_depth:
            self._alert_depth += 1
        elif attrs.get("role") == "alert":
            self._alert_depth = 1
            self.alerts.append("")

    def handle_endtag(self, tag):
        if self._alert_depth:
            self._alert_depth -= 1

    def handle_data(self, data):
        if self._alert_depth:
            self.alerts[-1] += data


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


# -- the provider -------------------------------------------------------------------------


class Provider:
    """tests/oidc/provider.mjs on 127.0.0.1, its files in ``workdir``."""

    def __init__(
        self,
        workdir: Path,
        *,
        clients: list[dict] | None = None,
        accounts: dict | None = None,
        redirect_uris: list[str] | None = None,
        id_token_ttl: int = 600,
        port: int | None = None,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.clients = clients if clients is not None else [client(redirect_uris or [])]
        self.accounts = dict(ACCOUNTS if accounts is None else accounts)
        self.id_token_ttl = id_token_ttl
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        #: The private signing keys, the one that signs first.
        self.private_jwks = {"keys": [rsa_private_jwk()]}
        self.process: subprocess.Popen | None = None
        #: The exit status of the last process stopped (0: it went cleanly on SIGTERM).
        self.returncode: int | None = None
        self.log_path = self.workdir / "provider.log"
        self._log = None
        self._starts = 0

    # lifecycle

    def start(self, timeout: float = 30) -> "Provider":
        """Write the files, start node and wait for its `ready` line."""
        if self.process is not None:
            raise RuntimeError("the provider is already running")
        node = ensure_installed()
        files = {
            "keys": self.workdir / "keys.json",
            "clients": self.workdir / "clients.json",
            "accounts": self.workdir / "accounts.json",
        }
        files["keys"].write_text(json.dumps(self.private_jwks))
        files["clients"].write_text(json.dumps(self.clients))
        files["accounts"].write_text(json.dumps(self.accounts))
        self._starts += 1
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self._log.write(f"--- start {self._starts}\n")
        self._log.flush()
        offset = self.log_path.stat().st_size
        command = [node, str(SCRIPT), "--port", str(self.port), "--issuer", self.issuer]
        command += [arg for name, path in files.items() for arg in (f"--{name}", str(path))]
        command += ["--id-token-ttl", str(self.id_token_ttl)]
        env = {**os.environ, "NODE_ENV": "test"}
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path) as log:
                log.seek(offset)
                if f"ready {self.issuer}" in log.read().splitlines():
                    return self
            if self.process.poll() is not None:
                output = self.log()
                self._reap()
                raise RuntimeError(f"the OIDC provider exited on start:\n{output}")
            time.sleep(0.02)
        output = self.log()
        self.stop()
        raise RuntimeError(f"the OIDC provider was not ready in {timeout} s:\n{output}")

    def stop(self) -> None:
        """SIGTERM, then wait; SIGKILL if it does not go."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._reap()

    def _reap(self) -> None:
        if self.process is not None:
            self.returncode = self.process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self, rotate_keys: bool | str = False) -> "Provider":
        """Stop and start again on the same port and issuer, with the current
        ``clients`` and ``accounts``. ``rotate_keys=True``: a new key signs, the old ones
        are still published; ``"replace"``: the new key alone."""
        if rotate_keys:
            kept = [] if rotate_keys == "replace" else self.private_jwks["keys"]
            self.private_jwks = {"keys": [rsa_private_jwk(), *kept]}
        self.stop()
        return self.start()

    def __enter__(self) -> "Provider":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        """What the provider printed, every start of it."""
        return self.log_path.read_text() if self.log_path.exists() else ""

    # what it publishes

    @property
    def signing_key(self) -> dict:
        """The private JWK that signs now."""
        return self.private_jwks["keys"][0]

    @property
    def kid(self) -> str:
        return self.signing_key["kid"]

    @property
    def public_jwks(self) -> dict:
        """The keys the provider publishes at its jwks_uri (from our copy)."""
        return {"keys": [public_jwk(key) for key in self.private_jwks["keys"]]}

    def url(self, path: str) -> str:
        return self.issuer + path

    def metadata(self) -> dict:
        """Its discovery document, fetched."""
        with requests.get(self.url("/.well-known/openid-configuration"), timeout=10) as answer:
            answer.raise_for_status()
            return answer.json()

    def jwks(self) -> dict:
        """Its JWKS, fetched."""
        with requests.get(self.metadata()["jwks_uri"], timeout=10) as answer:
            answer.raise_for_status()
            return answer.json()

    # a person signing in

    def sign_in(self, session, authorize_url: str, login: str, max_steps: int = 12) -> str:
        """Follow the provider's redirects from ``authorize_url`` with ``session`` (a
        ``requests.Session``, which keeps the provider's cookies), type ``login`` into its
        login form, and return the first URL that leads away from the provider: the
        client's callback with ``code``, ``state`` and ``iss`` (or ``error``), not followed.
        With the session already signed in there, no form is shown. Raises
        ``SignInRefused`` when the form refuses the login."""
        url, submitted = authorize_url, False
        for _ in range(max_steps):
            if _origin(url) != _origin(self.issuer):
                return url
            with session.get(url, allow_redirects=False, timeout=10) as answer:
                if answer.is_redirect:
                    url = urljoin(url, answer.headers["Location"])
                    continue
                page = _Page()
                page.feed(answer.text)
            if answer.status_code != 200 or page.action is None or submitted:
                raise ProviderError(
                    f"{answer.status_code} at {url}: {' '.join(page.alerts) or answer.text[:500]}"
                )
            action = urljoin(url, page.action)
            with session.post(
                action, data={"login": login}, allow_redirects=False, timeout=10
            ) as answer:
                if not answer.is_redirect:
                    page = _Page()
                    page.feed(answer.text)
                    alert = " ".join(a.strip() for a in page.alerts) or answer.text[:500]
                    raise SignInRefused(f"{answer.status_code}: {alert}")
                url = urljoin(action, answer.headers["Location"])
                submitted = True
        raise ProviderError(f"still at the provider after {max_steps} steps: {url}")


@contextlib.contextmanager
def running(workdir: Path, **options):
    """A started ``Provider``, stopped on exit."""
    provider = Provider(workdir, **options)
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()
