"""What every API operation shares, declared once per view by ``operation``: the token
and its scope, the JSON body and query validated by their schemas, ``Idempotency-Key``
on writes, the response shaped by its schema, and the entry the OpenAPI document makes
of it (portal.api.spec reads ``OPERATIONS``)."""

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

import peewee
from flask import Blueprint
from flask import request
from flask import Response
from pydantic import BaseModel
from pydantic import ValidationError

from portal.api import tokens
from portal.api.problems import invalid
from portal.api.problems import problem
from portal.errors import Conflict
from portal.store.audit import acting_for
from portal.store.audit import audit
from portal.store.db import database
from portal.store.models import IdempotentRequest

bp = Blueprint("api", __name__, url_prefix="/api/v1")

WRITES = ("POST", "PUT", "DELETE")

#: An Idempotency-Key: printable ASCII, as the IETF draft and Stripe take it.
KEY = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True)
class Operation:
    """One method on one path, as the OpenAPI document describes it."""

    method: str
    rule: str
    name: str
    summary: str
    description: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    #: The problem statuses it may answer besides 401 and 422 (which every one may).
    errors: tuple[int, ...] = field(default=())
    #: For a write refused as a ``Conflict``: the record as it is now, from the path.
    current: Callable | None = None
    #: The scope a token needs: write for a write, else read unless said otherwise.
    scope: str = "read"

    @property
    def writes(self) -> bool:
        return self.method in WRITES


OPERATIONS: list[Operation] = []


def operation(
    method: str,
    rule: str,
    *,
    tag: str,
    body=None,
    query=None,
    response=None,
    status=200,
    errors=(),
    current=None,
    scope="read",
):
    """Make the view an API operation: ``view(**path, body=..., query=...)`` returns a
    model of ``response`` (or a (model, status) pair), or None for a 204."""

    def decorate(view):
        summary, _, description = (view.__doc__ or "").strip().partition("\n\n")
        declared = Operation(
            method,
            rule,
            view.__name__,
            " ".join(summary.split()),
            " ".join(description.split()),
            tag,
            body,
            query,
            response,
            status,
            tuple(errors) + ((409,) if current else ()),
            current,
            "write" if method in WRITES else scope,
        )
        OPERATIONS.append(declared)

        @functools.wraps(view)
        def run(**path):
            token = _signed_in(declared)
            if isinstance(token, Response):
                return token
            arguments = _arguments(declared)
            if isinstance(arguments, Response):
                return arguments
            with acting_for(f"API token {token.id} ({token.name})"):
                if not declared.writes:
                    return _respond(declared, view(**path, **arguments))
                return _write(declared, token, path, lambda: view(**path, **arguments))

        bp.add_url_rule(rule, view.__name__, run, methods=[method])
        return view

    return decorate


def _signed_in(declared: Operation):
    """The request's live token, allowed this operation; else the problem to answer."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return problem(
            401,
            "Send a live integration token as 'Authorization: Bearer <token>'; an admin "
            "makes them in Admin › Integrations.",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    if declared.scope == "write" and token.scope != "write":
        return problem(403, f"The token {token.prefix}… may only read; this needs a write token.")
    return token


def _arguments(declared: Operation):
    """The view's ``body`` and ``query``, validated; else the problem to answer."""
    arguments = {}
    try:
        if declared.query is not None:
            arguments["query"] = declared.query.model_validate(request.args.to_dict())
        if declared.body is not None:
            if not request.is_json:
                return problem(415, "Send the body as JSON, with Content-Type: application/json.")
            arguments["body"] = declared.body.model_validate_json(request.get_data())
    except ValidationError as error:
        return invalid(error)
    return arguments


def _respond(declared: Operation, result) -> Response:
    """The view's result as its declared response: JSON of the model, or a bare 204."""
    model, status = result if isinstance(result, tuple) else (result, declared.status)
    if model is None:
        return Response(status=204)
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


def _write(declared: Operation, token, path: dict, call) -> Response:
    """Carry out a write in one transaction, at most once per Idempotency-Key; a
    ``Conflict`` answers with the record as it is now."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not KEY.fullmatch(key):
        return problem(400, "An Idempotency-Key is 1 to 255 printable ASCII characters.")
    fingerprint = hashlib.sha256(
        b"\n".join([request.method.encode(), request.path.encode(), request.get_data()])
    ).hexdigest()
    try:
        with database.atomic():
            done = key is not None and _claim(token, key, fingerprint)
            if done:
                return done
            response = _respond(declared, call())
            audit(
                None,
                "api_write",
                f"token {token.id}",
                operation=declared.name,
                path=request.path,
                status=response.status_code,
            )
            if key is not None:
                IdempotentRequest.update(
                    status=response.status_code, body=response.get_data(as_text=True)
                ).where(
                    (IdempotentRequest.token == token.id) & (IdempotentRequest.key == key)
                ).execute()
    except Conflict as error:  # nothing was written: the transaction rolled back
        if declared.current is None:
            raise
        return problem(409, error.message, current=declared.current(**path))
    return response


def _claim(token, key: str, fingerprint: str) -> Response | None:
    """Claim ``key`` for this request (None: go on), or the answer it already had."""
    earlier = IdempotentRequest.get_or_none(
        (IdempotentRequest.token == token.id) & (IdempotentRequest.key == key)
    )
    if earlier is None:
        # Two requests racing with one key: the second waits here on PostgreSQL's unique
        # index (or SQLite's write lock) until the first commits, then finds its answer.
        try:
            with database.atomic():
                IdempotentRequest.create(
                    token=token.id, key=key, fingerprint=fingerprint, status=0, body=""
                )
            return None
        except peewee.IntegrityError:
            earlier = IdempotentRequest.get(
                (IdempotentRequest.token == token.id) & (IdempotentRequest.key == key)
            )
    if earlier.fingerprint != fingerprint:
        return problem(
            422, "This Idempotency-Key was used for another request: use a new key for each."
        )
    if earlier.status == 0:
        return problem(409, "A request with this Idempotency-Key is still being carried out.")
    replay = Response(earlier.body, status=earlier.status)
    replay.mimetype = "application/json" if earlier.body else None
    replay.headers["Idempotent-Replayed"] = "true"
    return replay
