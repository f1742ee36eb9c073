"""Finance's API: the tenancy trio, bad input as 400s with field errors and
nothing written, locked query counts on the lists, and the OpenAPI schema."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.tenancy import organization_scope
from departments.tests.factories import api_client
from finance.budgets.models import BudgetLine
from finance.receivables import services as receivables
from finance.receivables.models import Invoice, Payment
from finance.risk.models import RiskWarning
from finance.risk.services import risk_evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(fin, deal, today):
    receivables.plan_set(
        actor=fin,
        opportunity_id=deal.pk,
        milestones=[receivables.MilestoneInput("deposit", Decimal("5000.00"), today)],
    )
    return receivables.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number="FP-API",
        amount=Decimal("5000.00"),
        issued_on=today - dt.timedelta(days=70),
        due_on=today - dt.timedelta(days=40),
    )


def test_budgets_list_and_reserve(fin, budget):
    client = api_client(fin.user)
    body = client.get("/api/finance/budgets/").json()
    assert [b["available"] for b in body["results"]] == ["100000.00"]
    response = client.post(
        f"/api/finance/budgets/{budget.pk}/reserve/",
        {"amount": "100000.01", "label": "x"},
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.json()
    response = client.post(
        f"/api/finance/budgets/{budget.pk}/reserve/", {"amount": "-1", "label": "x"}, format="json"
    )
    assert response.status_code == 400
    with organization_scope(fin.organization_id):
        assert not BudgetLine.objects.exists()
    response = client.post(
        f"/api/finance/budgets/{budget.pk}/reserve/",
        {"amount": "500.00", "label": "冲刺"},
        format="json",
    )
    assert response.status_code == 201


def test_a_rep_may_not_list_budgets(rep, budget):
    assert api_client(rep.user).get("/api/finance/budgets/").status_code == 403


def test_outsider_cannot_reserve_on_our_budget(outsider, budget):
    response = api_client(outsider).post(
        f"/api/finance/budgets/{budget.pk}/reserve/",
        {"amount": "1.00", "label": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_filing_an_expense_through_the_api(rep, categories, chain, budget, today):
    client = api_client(rep.user)
    line = {"date": today.isoformat(), "category": categories["meals"].pk, "amount": "300.00"}
    response = client.post(
        "/api/finance/expenses/",
        {"kind": "travel", "title": "t", "purpose": "p", "lines": [line]},
        format="json",
    )
    assert response.status_code == 400 and "理由" in str(response.json())
    line["over_limit_reason"] = "两天"
    response = client.post(
        "/api/finance/expenses/",
        {"kind": "travel", "title": "t", "purpose": "p", "lines": [line]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["state"] == "approved"


def test_invoices_scoped_and_payment_above_open_refused(fin, rep, rep2, outsider, invoice):
    assert [
        i["number"] for i in api_client(rep.user).get("/api/finance/invoices/").json()["results"]
    ] == ["FP-API"]
    assert api_client(rep2.user).get("/api/finance/invoices/").json()["results"] == []
    assert api_client(outsider).get(f"/api/finance/invoices/{invoice.pk}/").status_code == 404
    client = api_client(fin.user)
    url = f"/api/finance/invoices/{invoice.pk}/payments/"
    response = client.post(url, {"amount": "5000.01", "received_on": "2026-01-01"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    response = client.post(url, {"amount": "2000.00", "received_on": "2026-01-01"}, format="json")
    assert response.status_code == 201
    with organization_scope(fin.organization_id):
        assert Invoice.objects.get(pk=invoice.pk).paid == Decimal("2000.00")


def test_a_rep_cannot_record_a_payment(rep, invoice):
    response = api_client(rep.user).post(
        f"/api/finance/invoices/{invoice.pk}/payments/",
        {"amount": "1.00", "received_on": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400
    with organization_scope(rep.organization_id):
        assert not Payment.objects.exists()


def test_bank_import_gb18030_and_bad_file(fin, invoice):
    client = api_client(fin.user)
    good = "日期,金额,付款方,摘要\n2026-01-05,5000.00,华东电力,FP-API\n".encode("gb18030")
    response = client.post(
        "/api/finance/bank-imports/",
        {"file": SimpleUploadedFile("b.csv", good)},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["matched"] == 1 and response.json()["encoding"] == "gb18030"
    bad = "日期,金额\n2026-01-05,5\n".encode()
    response = client.post(
        "/api/finance/bank-imports/", {"file": SimpleUploadedFile("b.csv", bad)}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()


def test_warnings_listed_for_the_rep_and_acted_on_by_finance(org, fin, rep, rep2, invoice):
    risk_evaluate(organization_id=org.id)
    assert {
        w["rule"] for w in api_client(rep.user).get("/api/finance/warnings/").json()["results"]
    } == {"overdue"}
    assert api_client(rep2.user).get("/api/finance/warnings/").json()["results"] == []
    with organization_scope(org.id):
        warning = RiskWarning.objects.get()
    url = f"/api/finance/warnings/{warning.pk}/act/"
    assert (
        api_client(rep.user).post(url, {"state": "acknowledged"}, format="json").status_code == 400
    )
    response = api_client(fin.user).post(
        url, {"state": "resolved", "note": "已催收"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "resolved"


def test_collections_figures(fin, invoice):
    body = api_client(fin.user).get("/api/finance/collections/").json()
    assert "by_team" in body
    assert body["aging"]["d31_60"] == "5000.00" and body["dso_days"] is not None


def test_invoice_list_query_count_is_locked(fin, invoice, deal, today, django_assert_num_queries):
    client = api_client(fin.user)
    client.get("/api/finance/invoices/")
    # token, membership, count, page
    with django_assert_num_queries(4) as first:
        client.get("/api/finance/invoices/")
    receivables.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number="FP-API-2",
        amount=Decimal("10.00"),
        issued_on=today,
        due_on=today,
    )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/api/finance/invoices/")


def test_schema_names_the_finance_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/finance/budgets/",
        "/api/finance/bank-imports/",
        "/api/finance/warnings/{id}/act/",
    ):
        assert path in schema
