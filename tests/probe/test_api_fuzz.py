"""schemathesis over the OpenAPI schema (issue 10): every operation, a few
generated requests each, signed in as a sales rep and as an organization
admin. No answer is a 5xx, and every answer fits the schema.

Bounded: ``MAX_EXAMPLES`` per operation, derandomized (the same cases every
run, so a failure reproduces), no example database. Each request runs in a
savepoint that is rolled back, so one case never changes the next one's world.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from departments.models import Membership
from departments.roles import Role
from departments.tests.factories import token_for

from . import routes as probe_routes
from .conftest import world_counts

MAX_EXAMPLES = 4
ROLES = (Role.SALES_REP, Role.ORG_ADMIN)
# Failures of the input classes the "harden" work fixes where they enter
# (dates at year 1/9999, non-ASCII digit ids, NUL bytes, huge money, JSON
# depth and size, SLA bounds, a non-numeric meeting id). Each entry is an
# operation label and why; remove it when harden's fix is merged.
KNOWN_FAILURES: dict[str, str] = {
    # "METHOD /path/{id}/": "why, and whose fix it waits for" (none today: the
    # meeting-id 500s went with the digits-only API lookups of issue 10)
}

COUNTS = world_counts()
_raw = SchemaGenerator().get_schema(request=None, public=True)
SCHEMA = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(_raw)))
SCHEMA.app = WSGIHandler()
# The coverage phase generates every boundary case the schema defines (about
# fifty per operation, several minutes in all): the suite runs examples and
# fuzzing, bounded; PROBE_FUZZ_COVERAGE=1 adds it for a deeper run by hand.
PHASES = ["examples", "fuzzing"] + (["coverage"] if os.environ.get("PROBE_FUZZ_COVERAGE") else [])
SCHEMA.config.phases.update(phases=PHASES)


@pytest.fixture(scope="module")
def role_tokens(world, django_db_blocker):
    with django_db_blocker.unblock():
        people = Membership.unscoped.filter(organization=world["owner_org"], role__in=ROLES)
        chosen = {m.role: m.user for m in people.select_related("user")}
        return [token_for(chosen[role]) for role in ROLES]


@pytest.fixture
def one_connection():
    """The WSGI handler closes "old" connections around each request, which
    would end the test's transaction; the test client keeps them open too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_5xx(
    case, world, role_tokens, one_connection
):
    label = f"{case.operation.method.upper()} {case.operation.path}"
    if label in KNOWN_FAILURES:
        pytest.skip(f"known failure: {KNOWN_FAILURES[label]}")
    COUNTS["fuzz_cases"] += 1
    generated = dict(case.path_parameters or {})
    # The generated ids, then the ids of real objects of the world (so the
    # generated bodies and queries reach the views behind the lookup).
    for path_parameters in (generated, _real_ids(case, world) if generated else None):
        if path_parameters is None:
            continue
        case.path_parameters = path_parameters
        for token in role_tokens:
            COUNTS["fuzz_requests"] += 1
            savepoint = transaction.savepoint()
            try:
                response = case.call_and_validate(
                    headers={"Authorization": f"Token {token}"},
                    checks=[not_a_server_error, response_schema_conformance],
                )
                COUNTS[f"fuzz_{response.status_code // 100}xx"] += 1
            finally:
                transaction.savepoint_rollback(savepoint)


def _real_ids(case, world) -> dict | None:
    """The operation's path parameters filled with the world's objects."""
    names = list(case.path_parameters)
    route = probe_routes.Route(
        case.operation.path.lstrip("/").replace("{", "<").replace("}", ">"), "", None
    )
    values = {}
    for name in names:
        model = probe_routes.param_model(route, name, world["ids"].keys())
        if model is None or model not in world["ids"]:
            return None
        values[name] = world["ids"][model]
    return values
