"""Finance's pages (the test organization reads English): who may open them (the tenancy trio), what they show,
bad input as form messages, and locked query counts on the lists."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from finance.budgets.models import Budget, BudgetLine
from finance.expenses.models import Expense
from finance.receivables import services as receivables
from finance.receivables.models import Invoice, Payment
from finance.risk.models import RiskWarning, WarningState
from finance.risk.services import risk_evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(org, fin, deal, today):
    receivables.plan_set(
        actor=fin,
        opportunity_id=deal.pk,
        milestones=[receivables.MilestoneInput("deposit", Decimal("1000.00"), today)],
    )
    invoice = receivables.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number="FP-77",
        amount=Decimal("1000.00"),
        issued_on=today - dt.timedelta(days=60),
        due_on=today - dt.timedelta(days=40),
    )
    risk_evaluate(organization_id=org.id)
    return invoice


def test_budgets_page_shows_available_and_finance_reserves(client_for, fin, budget):
    client = client_for(fin.user)
    body = client.get(reverse("finance:budgets")).content.decode()
    assert "100,000.00" in body
    response = client.post(
        reverse("finance:reservation_add"),
        {"budget": budget.pk, "amount": "30000", "label": "Q4 冲刺"},
        follow=True,
    )
    assert "70,000.00" in response.content.decode()
    with organization_scope(fin.organization_id):
        assert Budget.objects.get(pk=budget.pk).reserved == Decimal("30000.00")


def test_reservation_beyond_budget_is_a_message_not_a_500(client_for, fin, budget):
    response = client_for(fin.user).post(
        reverse("finance:reservation_add"),
        {"budget": budget.pk, "amount": "100000.01", "label": "x"},
        follow=True,
    )
    assert "Beyond the available budget" in response.content.decode()
    with organization_scope(fin.organization_id):
        assert not BudgetLine.objects.exists()


def test_a_rep_cannot_open_budgets_or_reserve(client_for, rep, budget):
    client = client_for(rep.user)
    assert client.get(reverse("finance:budgets")).status_code == 403
    assert client.post(reverse("finance:reservation_add"), {"budget": budget.pk}).status_code == 403


def test_a_head_sees_only_their_departments_budget(client_for, head_mkt, budget):
    body = client_for(head_mkt.user).get(reverse("finance:budgets")).content.decode()
    assert f'id="budget-{budget.pk}"' not in body


def test_outsider_sees_no_budget_of_ours(client_for, outsider, budget):
    body = client_for(outsider).get(reverse("finance:budgets")).content.decode()
    assert f'id="budget-{budget.pk}"' not in body


def test_filing_an_expense_above_the_limit_warns_then_files(
    client_for, rep, categories, chain, budget, today
):
    client = client_for(rep.user)
    data = {
        "kind": "campaign",
        "title": "华东巡展",
        "purpose": "展会",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "10",
        "lines-0-date": today.isoformat(),
        "lines-0-category": categories["event"].pk,
        "lines-0-units": "1",
        "lines-0-amount": "26000",
        "lines-0-currency": "CNY",
    }
    response = client.post(reverse("finance:expense_new"), data)
    assert response.status_code == 200
    assert "give a reason" in response.content.decode()
    with organization_scope(rep.organization_id):
        assert not Expense.objects.exists()
    data["lines-0-over_limit_reason"] = "展位费上涨"
    response = client.post(reverse("finance:expense_new"), data)
    assert response.status_code == 302
    with organization_scope(rep.organization_id):
        assert Expense.objects.get().total == Decimal("26000.00")


def test_bad_amount_keeps_the_input(client_for, rep, categories, chain, budget, today):
    data = {
        "kind": "travel",
        "title": "t",
        "purpose": "p",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-date": today.isoformat(),
        "lines-0-category": categories["meals"].pk,
        "lines-0-units": "1",
        "lines-0-amount": "1e400",
        "lines-0-currency": "CNY",
    }
    response = client_for(rep.user).post(reverse("finance:expense_new"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="1e400"' in body and 'class="error" role="alert"' in body


def test_collections_page_and_exports(client_for, fin, overdue):
    client = client_for(fin.user)
    body = client.get(reverse("finance:collections") + "?bucket=d31_60").content.decode()
    assert "FP-77" in body
    csv = client.get(reverse("finance:collections") + "?format=csv")
    assert csv.content.startswith("\ufeff".encode())
    xlsx = client.get(reverse("finance:collections") + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_collections_page_query_count_does_not_grow(
    client_for, fin, overdue, deal, today, django_assert_num_queries
):
    client = client_for(fin.user)
    url = reverse("finance:collections") + "?bucket=d31_60"
    client.get(url)
    # 11: the per-team rates read the reps' departments (one query)
    with django_assert_num_queries(11) as first:
        client.get(url)
    for n in range(3):
        receivables.invoice_issue(
            actor=fin,
            opportunity_id=deal.pk,
            number=f"MORE-{n}",
            amount=Decimal("10.00"),
            issued_on=today - dt.timedelta(days=50),
            due_on=today - dt.timedelta(days=40),
        )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_rep_sees_the_warning_on_the_account_page(client_for, rep, overdue, deal):
    body = (
        client_for(rep.user)
        .get(reverse("pipeline:account_detail", args=[deal.account_id]))
        .content.decode()
    )
    assert 'id="risk-warnings"' in body and "FP-77" in body


def test_finance_acknowledges_from_the_warnings_page(client_for, fin, rep, overdue):
    with organization_scope(fin.organization_id):
        warning = RiskWarning.objects.get()
    url = reverse("finance:warning_act", args=[warning.pk])
    assert client_for(rep.user).post(url, {"state": "acknowledged"}).status_code == 403
    client_for(fin.user).post(url, {"state": "acknowledged"})
    with organization_scope(fin.organization_id):
        assert RiskWarning.objects.get().state == WarningState.ACKNOWLEDGED


def test_warnings_list_query_count_is_locked(client_for, fin, overdue, django_assert_num_queries):
    client = client_for(fin.user)
    client.get(reverse("finance:warnings"))
    # session user, membership, unread notifications (bell), warnings
    with django_assert_num_queries(4):
        client.get(reverse("finance:warnings"))


def test_a_foreign_deal_is_a_404(client_for, outsider, deal):
    assert client_for(outsider).get(reverse("finance:deal", args=[deal.pk])).status_code == 404


def test_another_rep_cannot_open_my_deal_receivables(client_for, rep2, deal):
    assert client_for(rep2.user).get(reverse("finance:deal", args=[deal.pk])).status_code == 404


def test_deal_page_records_an_invoice_and_a_payment(client_for, fin, deal, today):
    client = client_for(fin.user)
    assert client.get(reverse("finance:deal", args=[deal.pk])).status_code == 200
    client.post(
        reverse("finance:invoice_add", args=[deal.pk]),
        {
            "number": "FP-1",
            "amount": "5000",
            "issued_on": today.isoformat(),
            "due_on": today.isoformat(),
        },
    )
    with organization_scope(fin.organization_id):
        invoice = Invoice.objects.get()
    response = client.post(
        reverse("finance:payment_add"),
        {"invoice": invoice.pk, "amount": "6000", "received_on": today.isoformat()},
        follow=True,
    )
    assert "the invoice&#x27;s open amount" in response.content.decode()
    with organization_scope(fin.organization_id):
        assert not Payment.objects.exists()


def test_bank_import_page_lists_unmatched_and_names_bad_lines(client_for, fin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(fin.user)
    good = "日期,金额,付款方,摘要\n2026-01-02,88.00,无名公司,不明款项\n".encode("gb18030")
    client.post(reverse("finance:bank_import"), {"file": SimpleUploadedFile("b.csv", good)})
    body = client.get(reverse("finance:bank_import")).content.decode()
    assert "无名公司" in body
    bad = "日期,金额,付款方,摘要\nx,1,a,b\n".encode()
    response = client.post(
        reverse("finance:bank_import"), {"file": SimpleUploadedFile("b.csv", bad)}
    )
    assert "line 2:" in response.content.decode()
