"""An approved expense linked to a deal is that deal's cost: the deal page
shows it (finance's panel there); a pending one is not a cost yet."""

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from finance.expenses import selectors, services
from finance.tests.helpers import line
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep, StepState

pytestmark = pytest.mark.django_db


def _file(rep, deal, category, amount, title):
    return services.expense_file(
        actor=rep,
        kind="travel",
        title=title,
        purpose="拜访华东电力",
        lines=[line(category, amount, opportunity_id=deal.pk, description=title)],
    )


def test_approved_expense_is_the_deals_cost_and_pending_is_not(
    client_for, rep, head_fin, categories, chain, budget, deal
):
    _file(rep, deal, categories["transport"], "320.50", "投标差旅")
    big = _file(rep, deal, categories["event"], "18000.00", "客户交流会")
    with organization_scope(rep.organization_id):
        lines = selectors.opportunity_cost(deal.pk)
        assert [x.amount for x in lines] == [Decimal("320.50")]
    url = reverse("pipeline:opportunity_detail", args=[deal.pk])
    body = client_for(rep.user).get(url).content.decode()
    assert 'id="deal-cost"' in body and "320.50" in body and "18,000.00" not in body

    with organization_scope(rep.organization_id):
        step = ApprovalStep.objects.get(request_id=big.request_id, state=StepState.PENDING)
    approvals.step_act(step_id=step.pk, actor=head_fin, action="approve")
    body = client_for(rep.user).get(url).content.decode()
    assert "18,000.00" in body and "18,320.50" in body


def test_cost_totals_never_mix_currencies(rep, categories, deal):
    from finance.expenses.models import ExpenseLine

    rows = [
        ExpenseLine(amount=Decimal("10.00"), currency="CNY"),
        ExpenseLine(amount=Decimal("5.50"), currency="USD"),
        ExpenseLine(amount=Decimal("0.25"), currency="CNY"),
    ]
    totals = selectors.cost_totals(rows)
    assert [(t.currency, t.amount) for t in totals] == [
        ("CNY", Decimal("10.25")),
        ("USD", Decimal("5.50")),
    ]


def test_a_deal_without_approved_expenses_shows_no_cost_panel(client_for, rep, deal):
    url = reverse("pipeline:opportunity_detail", args=[deal.pk])
    assert 'id="deal-cost"' not in client_for(rep.user).get(url).content.decode()


def test_an_outsider_sees_neither_the_deal_nor_its_cost(client_for, outsider, deal):
    url = reverse("pipeline:opportunity_detail", args=[deal.pk])
    assert client_for(outsider).get(url).status_code == 404
