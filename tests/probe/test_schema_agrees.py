"""The OpenAPI schema says what the API answers (issue 10, "Schema"): the
KPI list is one object, a request's comments, attachments and timeline are
plain lists (not pages, no request-list filters), ``department`` of a
membership may be null. Each answer is checked against its schema too."""

from __future__ import annotations

import json

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from departments.roles import Role
from departments.tests.factories import api_client, member
from requests_sla.tests.factories import file_tech_support, membership_of


@pytest.fixture(scope="module")
def schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


def _response_schema(schema, path, method="get", code="200"):
    body = schema["paths"][path][method]["responses"][code]["content"]["application/json"]
    return {**body["schema"], "components": schema["components"]}


def _check(schema, path, answer, method="get", code="200"):
    # OpenAPI 3.0's "nullable" is not JSON Schema: read it as "or null".
    validator = jsonschema.Draft4Validator(_response_schema(schema, path, method, code))
    errors = [
        e
        for e in validator.iter_errors(answer)
        if not (e.validator == "type" and e.instance is None and e.schema.get("nullable"))
    ]
    assert not errors, [e.message for e in errors]


def test_the_schema_documents_objects_and_plain_lists_as_they_are(schema):
    kpis = schema["paths"]["/api/kpis/"]["get"]["responses"]["200"]["content"]
    assert kpis["application/json"]["schema"] == {"$ref": "#/components/schemas/KpiListOutput"}
    for part in ("comments", "attachments", "timeline"):
        operation = schema["paths"][f"/api/requests/{{id}}/{part}/"]["get"]
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer["type"] == "array", part
        assert [p["name"] for p in operation.get("parameters", [])] == ["id"], part
    for part in ("comments", "attachments"):
        operation = schema["paths"][f"/api/requests/{{id}}/{part}/"]["post"]
        assert set(operation["responses"]) == {"201"}, part
    department = schema["components"]["schemas"]["MembershipOutput"]["properties"]["department"]
    assert department.get("nullable") is True


@pytest.mark.django_db
def test_the_answers_fit_the_schema(schema, org):
    admin = member(org, role=Role.ORG_ADMIN, username="schema-admin")
    rep = member(org, role=Role.SALES_REP, department_code="business", username="schema-rep")
    filed = file_tech_support(membership_of(rep, org))
    api = api_client(admin)
    kpis = api.get("/api/kpis/").json()
    assert set(kpis) == {"period", "start", "end", "results"}
    _check(schema, "/api/kpis/", kpis)
    me = api.get("/api/me/").json()
    assert me["memberships"][0]["department"] is None
    _check(schema, "/api/me/", me)
    comment = api.post(f"/api/requests/{filed.pk}/comments/", {"body": "hello"}, format="json")
    assert comment.status_code == 201
    _check(schema, "/api/requests/{id}/comments/", comment.json(), "post", "201")
    for part in ("comments", "attachments", "timeline"):
        answer = api.get(f"/api/requests/{filed.pk}/{part}/").json()
        assert isinstance(answer, list), part
        _check(schema, f"/api/requests/{{id}}/{part}/", answer)
