"""The pricing API: the same rules as the pages, field errors for bad input,
the optimistic check, the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from collab.tenancy import organization_scope
from departments.tests.factories import token_for
from pricing.quotes.models import Quote
from pricing.tests.helpers import line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def _create(client, deal, catalog, *rows):
    p = catalog["products"]
    rows = rows or (line(p["erp-std"], "2"),)
    return client.post("/api/quotes/", {"opportunity": deal.pk, "lines": list(rows)}, format="json")


def test_a_rep_creates_sends_and_accepts_a_quote(rep, deal, catalog):
    client = api_for(rep.user)
    created = _create(client, deal, catalog)
    assert created.status_code == 201
    body = created.json()
    assert (body["reference"], body["total"]) == ("Q00001-V1", "22600.00")
    sent = client.post(f"/api/quotes/{body['id']}/send/", {"lock_version": body["lock_version"]})
    assert sent.json()["state"] == "sent"
    assert client.post(f"/api/quotes/{body['id']}/accept/").json()["state"] == "accepted"


def test_bad_lines_are_a_400_on_lines_and_nothing_is_written(rep, deal, catalog, org):
    bad = {**line(catalog["products"]["erp-std"]), "quantity": "-2"}
    response = _create(api_for(rep.user), deal, catalog, bad)
    assert response.status_code == 400
    assert "lines" in response.json()
    with organization_scope(org.id):
        assert not Quote.objects.exists()


def test_a_quote_on_another_organizations_deal_is_a_400(outsider, deal, catalog):
    response = _create(api_for(outsider), deal, catalog)
    assert response.status_code == 400
    assert "opportunity" in response.json()


def test_an_outsider_gets_404_on_a_quote_and_an_empty_list(rep, outsider, deal, catalog):
    quote_id = _create(api_for(rep.user), deal, catalog).json()["id"]
    client = api_for(outsider)
    assert client.get(f"/api/quotes/{quote_id}/").status_code == 404
    assert client.get("/api/quotes/").json()["results"] == []


def test_sending_an_unapproved_deep_discount_is_a_400(rep, deal, catalog):
    client = api_for(rep.user)
    quote = _create(client, deal, catalog, line(catalog["products"]["erp-std"], "1", discount="30"))
    response = client.post(f"/api/quotes/{quote.json()['id']}/send/")
    assert response.status_code == 400
    assert "state" in response.json()


def test_a_stale_update_is_a_400_on_lock_version(rep, deal, catalog):
    client = api_for(rep.user)
    quote = _create(client, deal, catalog).json()
    rows = [line(catalog["products"]["train"])]
    first = client.patch(
        f"/api/quotes/{quote['id']}/",
        {"lock_version": quote["lock_version"], "lines": rows},
        format="json",
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/quotes/{quote['id']}/",
        {"lock_version": quote["lock_version"], "lines": rows},
        format="json",
    )
    assert second.status_code == 400
    assert "lock_version" in second.json()


def test_a_rep_cannot_create_price_lists_but_product_management_can(rep, head_pm, catalog):
    payload = {"name": "2027", "effective_from": "2027-01-01"}
    assert api_for(rep.user).post("/api/price-lists/", payload).status_code == 400
    created = api_for(head_pm.user).post("/api/price-lists/", payload)
    assert created.status_code == 201
    assert created.json()["version"] == 2


def test_the_comparison_sheet_endpoint(rep, head_pm, catalog):
    from pricing.tests.helpers import make_bundle

    make_bundle(
        head_pm, catalog["products"], starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    rows = api_for(rep.user).get("/api/bundle-comparison/").json()
    assert rows[0]["list_total"] == "20000.00" and rows[0]["bundle"]["code"] == "q4-sprint"


def test_the_schema_names_the_pricing_endpoints(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    text = out.read_text()
    assert "/api/quotes/{id}/request-approval/" in text and "/api/bundle-comparison/" in text
