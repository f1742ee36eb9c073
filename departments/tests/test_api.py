import pytest

from departments.models import Department, Membership
from departments.tests.factories import api_client as api_for


@pytest.mark.django_db
def test_department_list_is_scoped_to_the_callers_organization(org, teammate, outsider, other_org):
    mine = api_for(teammate).get("/api/departments/").json()
    theirs = api_for(outsider).get("/api/departments/").json()
    assert mine["count"] == 9 and theirs["count"] == 9
    assert {d["id"] for d in mine["results"]}.isdisjoint({d["id"] for d in theirs["results"]})


@pytest.mark.django_db
def test_a_foreign_department_id_is_404_like_a_missing_one(org, other_org, teammate):
    foreign = Department.unscoped.filter(organization=other_org).first()
    client = api_for(teammate)
    assert client.get(f"/api/departments/{foreign.pk}/").status_code == 404
    assert client.get("/api/departments/999999/").status_code == 404
    own = Department.unscoped.filter(organization=org).first()
    assert client.get(f"/api/departments/{own.pk}/").status_code == 200


@pytest.mark.django_db
def test_x_organization_header_chooses_among_memberships_and_refuses_strangers(
    org, other_org, teammate
):
    assert api_for(teammate, other_org).get("/api/departments/").status_code == 404
    Membership.unscoped.create(organization=other_org, user=teammate, role="sales_rep")
    rows = api_for(teammate, other_org).get("/api/departments/").json()["results"]
    assert {Department.unscoped.get(pk=r["id"]).organization_id for r in rows} == {other_org.id}


@pytest.mark.django_db
def test_me_lists_memberships(teammate, org):
    body = api_for(teammate).get("/api/me/").json()
    assert body["organization"] == org.slug
    assert [m["role"] for m in body["memberships"]] == ["sales_rep"]


@pytest.mark.django_db
def test_anonymous_api_calls_are_refused_with_a_401_that_names_the_scheme(client):
    """401, not 403: the token scheme is the first authenticator, so DRF
    answers with the ``WWW-Authenticate`` challenge a client can act on."""
    response = client.get("/api/departments/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_token_endpoint_returns_a_token(client, teammate):
    response = client.post(
        "/api/auth/token/", {"username": "teammate", "password": "pw-collab-test"}
    )
    assert response.status_code == 200 and response.json()["token"]
    bad = client.post("/api/auth/token/", {"username": "teammate", "password": "wrong"})
    assert bad.status_code == 400 and "non_field_errors" in bad.json()


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served(client_for, teammate):
    client = client_for(teammate)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()
    # No inline script (the CSP allows scripts from this site only).
    assert b"<script>" not in docs.content and b"?script=" in docs.content
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
