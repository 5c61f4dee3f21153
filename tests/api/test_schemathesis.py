"""Schemathesis against the running API: the app served on loopback (``server``), its
OpenAPI document loaded over HTTP from /api/v1/openapi.json, and each operation sent
generated requests (Schemathesis' examples, coverage and fuzzing phases, schema-valid
and schema-invalid) with a write token. Every answer is checked by Schemathesis' default
checks: no 5xx, a documented status, its documented content type and body schema and
headers, the token enforced, schema-invalid input refused and schema-valid input
accepted (with one allowance, below), and the refused-by-the-schema check of this file.

Each operation has its own test on a fresh database holding two jobs and three
applications with known refs; the generated requests draw those refs, the jobs' stages,
the staff's addresses, versions, closure reasons, near reply-by dates and real cursors
from dictionaries part of the time, so that they reach past the 404s into the
operations themselves.

Bounded so the suite stays fast: SCHEMATHESIS_EXAMPLES fuzzed requests per operation
(default 25; the coverage phase adds its own fixed set), the same on every run (a fixed
seed, derandomized; only the reply-by dates follow today) unless SCHEMATHESIS_RANDOM=1."""

import os
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis.config import SchemathesisConfig

from portal import domain
from portal.api import queries
from portal.api import tokens
from portal.api import views  # noqa: F401  (declares the operations)
from portal.api.operations import OPERATIONS
from portal.api.problems import MEDIA_TYPE as PROBLEM
from portal.clock import today
from portal.domain.default_reasons import DEFAULT_REASONS

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
RANDOM = bool(os.environ.get("SCHEMATHESIS_RANDOM"))

JOBS = ("backend-1", "design-2")
APPLICATIONS = ("A-1001", "A-1002", "A-1003")
#: Refs free for a PUT to create.
NEW_JOBS = ("J-NEW-1",)
NEW_APPLICATIONS = ("A-2001", "A-2002")
STAFF = ("rita.recruiter@example.com", "mo.manager@example.com", "ada.admin@example.com")


@pytest.fixture
def data(admin, make_user, make_job, make_application):
    """Two jobs; an application at the first stage (version 1), one moved on (version 2)
    and one withdrawn (version 2), for reopen."""
    recruiter = make_user("recruiter", email=STAFF[0])
    make_user("manager", email=STAFF[1])
    backend = make_job("Backend Engineer", recruiter=recruiter, ref=JOBS[0])
    design = make_job("Product Designer", recruiter=recruiter, ref=JOBS[1])
    make_application(backend, "Ada Lovelace", "ada@example.org", ref=APPLICATIONS[0])
    moved = make_application(backend, "Grace Hopper", "grace@example.org", ref=APPLICATIONS[1])
    domain.move(None, moved, queries.live_stages(backend)[1], moved.version, "See you Monday.")
    closed = make_application(design, "Alan Turing", "alan@example.org", ref=APPLICATIONS[2])
    domain.close(None, closed, closed.version, "withdrawn", "", closure_reason="other_offer")


def operation(operation_id: str):
    return next(op for op in OPERATIONS if op.name == operation_id)


#: The one check this file changes, and why (printed at the end of the run).
RELAXED = (
    "positive_data_acceptance also takes a 422 from the operations with a query, a body or "
    "an Idempotency-Key: the API refuses some schema-valid input by design, for what no "
    "schema can say (a stage the job lacks, staff who do not exist, an application closed "
    "since, a date past, a cursor it never gave, a key used for another request: "
    "portal/api/schemas.py says so); refused_by_its_schema still fails any 422 of the "
    "API's own schema (one naming fields) to a request generated to match the document."
)


def relaxed(op) -> bool:
    return bool(op.query or op.body or op.writes)


@pytest.fixture(scope="module", autouse=True)
def _say_what_is_relaxed(request):
    """Print, once the tests ran, what RELAXED says (the output is not captured)."""
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        names = ", ".join(op.name for op in OPERATIONS if relaxed(op))
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nschemathesis: {RELAXED} Operations: {names}.")


def config_for(server: str, secret: str, operation_id: str) -> SchemathesisConfig:
    op = operation(operation_id)
    refs = JOBS + NEW_JOBS if op.rule.startswith("/jobs") else APPLICATIONS + NEW_APPLICATIONS
    checks = {}
    if relaxed(op):
        checks["positive_data_acceptance"] = {"expected-statuses": ["2xx", 401, 403, 404, 409, 422]}
    soon = [str(today() + timedelta(days=n)) for n in (0, 1, 7, 30)]
    return SchemathesisConfig.from_dict(
        {
            "seed": 20260401,
            "base-url": server,
            "auth": {"openapi": {"token": {"bearer": secret}}},
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": not RANDOM,
                "database": "none",
            },
            "checks": checks,
            # This test's operation only: each has its own test, on a fresh database.
            "operations": [{"exclude-operation-id": operation_id, "enabled": False}],
            "dictionaries": {
                "refs": {"values": list(refs)},
                "jobs": {"values": list(JOBS)},
                "stages": {"values": [s.name for s in domain.DEFAULT_PIPELINE]},
                "staff": {"values": list(STAFF)},
                "versions": {"values": [1, 2, 3, 4]},
                "reasons": {"values": ["", *(r.code for r in DEFAULT_REASONS)]},
                "dates": {"values": soon},
                "cursors": {"values": [queries.cursor_of(1), queries.cursor_of(2)]},
            },
            "parameters": {
                "path.ref": {"dictionary": "refs", "probability": 0.8},
                "query.job": {"dictionary": "jobs", "probability": 0.5},
                "query.cursor": {"dictionary": "cursors", "probability": 0.5},
                "body.job": {"dictionary": "jobs", "probability": 0.7},
                "body.stage": {"dictionary": "stages", "probability": 0.7},
                "body.stages[*].name": {"dictionary": "stages", "probability": 0.5},
                "body.recruiter": {"dictionary": "staff", "probability": 0.7},
                "body.managers[*]": {"dictionary": "staff", "probability": 0.7},
                "body.version": {"dictionary": "versions", "probability": 0.7},
                "body.reason": {"dictionary": "reasons", "probability": 0.7},
                "body.reply_by": {"dictionary": "dates", "probability": 0.7},
            },
        }
    )


@pytest.fixture
def api_schema(server, admin, data, operation_id):
    """The running app's document, for this test's operation, with a write token."""
    _, secret = tokens.create_token(admin, "Schemathesis", "write")
    return schemathesis.openapi.from_url(
        f"{server}/api/v1/openapi.json", config=config_for(server, secret, operation_id)
    )


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4's ``from_fixture`` reads and sets ``Node._nodeid``, which pytest 9.2
    no longer has (the id lives elsewhere now): give it one."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@schemathesis.check
def refused_by_its_schema(ctx, response, case):
    """A request generated to match the document is never refused by the API's own
    validation (a 422 naming fields in ``errors``): the document and the validator are
    made from one schema, and must not disagree."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code == 422 and response.headers.get("content-type") == [PROBLEM]:
        errors = response.json().get("errors")
        if errors:
            raise AssertionError(f"Schema-valid input refused by the API's schema: {errors}")
    return None


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.parametrize("operation_id", [op.name for op in OPERATIONS])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,  # nothing written into the checkout
    # One app and database for all the examples of an operation, as on a real server:
    # what one request writes the next one reads (a closed application, a used key).
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api(case):
    case.call_and_validate()


def test_every_operation_is_tested(server):
    """The document the tests above read lists the operations they are made for."""
    loaded = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json")
    documented = {op.ok().definition.raw["operationId"] for op in loaded.get_all_operations()}
    assert documented == {op.name for op in OPERATIONS}
