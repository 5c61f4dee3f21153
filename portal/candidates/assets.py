"""The candidate pages' assets under content-hashed names, the same in both modes:
the live app serves ``/assets/candidate.3f9c0a1b2c4d.css`` and the static build writes
that very file, so a page's bytes do not depend on how it is served."""

import functools
import hashlib
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort
from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import Response

#: Static files candidate pages use, relative to static/.
CANDIDATE_ASSETS = ("css/candidate.css",)

bp = Blueprint("assets", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@functools.cache
def _hashed(static_folder: str) -> dict[str, tuple[str, bytes]]:
    """logical name → (hashed file name, bytes)."""
    table = {}
    for name in CANDIDATE_ASSETS:
        data = (Path(static_folder) / name).read_bytes()
        stem, _, suffix = Path(name).name.rpartition(".")
        table[name] = (f"{stem}.{hashlib.sha256(data).hexdigest()[:12]}.{suffix}", data)
    return table


def files() -> dict[str, bytes]:
    """hashed file name → bytes, for the static build."""
    return dict(_hashed(current_app.static_folder).values())


def url(name: str) -> str:
    """The address of asset ``name`` under ``BASE_URL``'s path."""
    base = urlsplit(current_app.config["BASE_URL"]).path.rstrip("/")
    return f"{base}/assets/{_hashed(current_app.static_folder)[name][0]}"


@bp.get("/assets/<name>")
def serve(name: str):
    """A hashed asset, cacheable for a year: its name changes when its bytes do."""
    for logical, (hashed, data) in _hashed(current_app.static_folder).items():
        if hashed == name:
            mimetype = mimetypes.guess_type(logical)[0] or "application/octet-stream"
            response = Response(data, mimetype=mimetype)
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
    abort(404)
