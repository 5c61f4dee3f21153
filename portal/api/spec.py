"""The OpenAPI 3.1 document of /api/v1, made from the operations as they are declared
(portal.api.operations) and the schemas that validate their input (portal.api.schemas):
nothing here is written twice by hand, so the document cannot drift from the code."""

import functools
import re

from flask import current_app
from pydantic.json_schema import models_json_schema

from portal.api import schemas
from portal.api.operations import Operation
from portal.api.operations import OPERATIONS
from portal.api.problems import MEDIA_TYPE
from portal.api.problems import TITLES

REF = "#/components/schemas/{model}"

#: Every operation may answer these: a NUL anywhere in the query (the site refuses it
#: before any view), no token, or input refused (by its schema, or by the domain for what
#: a schema cannot know: a stage the job lacks, a cursor this API never gave, an
#: application closed since).
ALWAYS = (400, 401, 422)


@functools.cache
def _document(base_url: str, company: str) -> dict:
    models = {schemas.Problem}
    for op in OPERATIONS:
        models.update(m for m in (op.body, op.response) if m is not None)
    keys, definitions = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)], ref_template=REF
    )
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        paths.setdefault("/api/v1" + path, {})[op.method.lower()] = _operation(op, keys)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{company} candidate status portal API",
            "version": "1",
            "description": "Jobs, applications and the follow-up queue of the candidate "
            "status portal. Authenticate with an integration token from Admin › "
            "Integrations as 'Authorization: Bearer <token>'. Writes take an optional "
            "Idempotency-Key header (the same key again replays the first answer), and "
            "changes to an application take the version you last read (409 with the "
            "current state when someone changed it since).",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }


def document() -> dict:
    return _document(current_app.config["BASE_URL"], current_app.config["COMPANY_NAME"])


def _operation(op: Operation, keys: dict) -> dict:
    def ref(model, mode="validation") -> dict:
        return keys[(model, mode)]

    entry: dict = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op, keys),
        "responses": {},
    }
    if op.description:
        entry["description"] = op.description
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(op.body)}},
        }
    statuses = [op.status] + ([201] if op.method == "PUT" else [])
    for status in statuses:
        if op.response is None:
            entry["responses"][str(status)] = {"description": "Done."}
        else:
            entry["responses"][str(status)] = {
                "description": "Created." if status == 201 else "OK.",
                "content": {"application/json": {"schema": ref(op.response)}},
            }
    problems = set(ALWAYS) | set(op.errors)
    if op.writes:
        problems |= {400, 403, 409}  # a bad Idempotency-Key; a read-only token; a key in use
    if op.body is not None:
        problems.add(415)
    for status in sorted(problems):
        entry["responses"][str(status)] = {
            "description": TITLES[status] + ".",
            "content": {MEDIA_TYPE: {"schema": ref(schemas.Problem)}},
        }
    return entry


def _present(field: dict) -> dict:
    """A query parameter's schema when it is sent: a query has no null, only absence."""
    field = {k: v for k, v in field.items() if k not in ("default", "description", "title")}
    choices = [c for c in field.pop("anyOf", []) if c.get("type") != "null"]
    return {**field, **choices[0]} if len(choices) == 1 else field


def _parameters(op: Operation, keys: dict) -> list[dict]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 60},
        }
        for name in re.findall(r"<(?:\w+:)?(\w+)>", op.rule)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF)
        for name, field in schema["properties"].items():
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "schema": _present(field),
                    **({"description": field["description"]} if "description" in field else {}),
                }
            )
    if op.writes:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Retry safely: the same key again gives the first answer.",
                "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
            }
        )
    return parameters
