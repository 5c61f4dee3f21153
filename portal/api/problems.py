"""The API's errors as RFC 9457 problem documents (``application/problem+json``): every
error under /api/ answers so, from a refused token to a route that does not exist, never
with an HTML page."""

import json

import peewee
from flask import current_app
from flask import Response
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from portal.api import schemas
from portal.errors import DomainError

MEDIA_TYPE = "application/problem+json"

#: Titles for the statuses the API answers with.
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(status: int, detail: str, headers=None, **extra) -> Response:
    """A problem document of ``status`` saying ``detail`` (how to fix it, where one can)."""
    document = schemas.Problem(
        title=TITLES.get(status, "Error"), status=status, detail=detail, **extra
    ).model_dump(mode="json")
    body = json.dumps({k: v for k, v in document.items() if v is not None})
    return Response(body, status=status, mimetype=MEDIA_TYPE, headers=headers)


def invalid(error: ValidationError) -> Response:
    """A body or query the schema refuses: a 422 naming each field and what is wrong."""
    errors = [
        schemas.FieldError(
            field=".".join(str(part) for part in e["loc"]) or "(body)", message=e["msg"]
        )
        for e in error.errors(include_url=False)
    ]
    return problem(422, "The request does not match its schema: see errors.", errors=errors)


def answer(error: Exception) -> Response:
    """Any error raised while answering an API request, as a problem document."""
    if isinstance(error, DomainError):
        return problem(422 if error.status == 400 else error.status, error.message)
    if isinstance(error, HTTPException):
        status = error.code or 500
        if status == 500:
            return problem(500, "Something went wrong on our side; it has been logged.")
        kept = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return problem(status, _described(error), headers=kept)
    if isinstance(error, OverflowError):
        return problem(400, "A number in the request is too large.")
    if isinstance(error, peewee.PeeweeException):
        current_app.logger.error("database unavailable: %s", error)
        return problem(503, "The database cannot be reached just now; try again in a minute.")
    raise error


def _described(error: HTTPException) -> str:
    """The error's own words when it was given some, else a plain sentence."""
    if error.description != type(error).description:
        return error.description
    if error.code == 404:
        return "There is no such resource: see /api/v1/openapi.json for what there is."
    return TITLES.get(error.code or 500, error.name) + "."
