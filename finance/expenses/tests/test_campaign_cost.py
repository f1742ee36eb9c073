"""An expense line links an enablement campaign of the organization; once
approved it is the campaign's cost, shown on the campaign page (finance's
panel through enablement's registry) and by the API, beside the budget and
with the ROI of the revenue won from the campaign's leads."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from collab.errors import ServiceError
from collab.money import Money
from collab.tenancy import organization_scope
from departments.tests.factories import api_client
from enablement.campaigns import services as campaigns
from finance.expenses import campaign_cost as cc
from finance.expenses import services
from finance.expenses.models import Expense, ExpenseLine, ExpenseState
from finance.tests.helpers import line
from pipeline.leads.services import lead_convert
from pipeline.models import Stage
from pipeline.opportunities.services import opportunity_move
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStep, StepState

pytestmark = pytest.mark.django_db
MISSING = "第 1 行：找不到这个市场活动。"


def plan(actor, title_zh="智能制造发布会", budget="60000.00", **kw):
    start = dt.date.today() - dt.timedelta(days=10)
    with organization_scope(actor.organization_id):
        return campaigns.campaign_save(
            actor=actor,
            fields=campaigns.CampaignFields(
                kind="event",
                title_zh=title_zh,
                starts_on=start,
                ends_on=start + dt.timedelta(days=1),
                budget=Decimal(budget),
                **kw,
            ),
        )


@pytest.fixture
def campaign(head_mkt):
    return plan(head_mkt)


@pytest.fixture
def foreign_campaign(outsider_membership):
    return plan(outsider_membership, title_zh="别家的活动")


def _file(rep, categories, amount, campaign_id, title="发布会物料"):
    return services.expense_file(
        actor=rep,
        kind="campaign",
        title=title,
        purpose="智能制造发布会",
        lines=[line(categories["event"], amount, campaign_id=campaign_id, description=title)],
    )


def _approve(head_fin, expense):
    with organization_scope(head_fin.organization_id):
        step = ApprovalStep.objects.get(request_id=expense.request_id, state=StepState.PENDING)
    approvals.step_act(step_id=step.pk, actor=head_fin, action="approve")


def test_an_approved_linked_expense_is_the_campaigns_cost_and_a_pending_one_is_not(
    rep, head_fin, categories, chain, budget, campaign
):
    small = _file(rep, categories, "3200.00", campaign.pk)  # no step applies: booked at once
    big = _file(rep, categories, "12000.00", campaign.pk, title="展台搭建")
    with organization_scope(rep.organization_id):
        assert ExpenseLine.objects.get(expense=small).campaign_id == campaign.pk
        cost = cc.campaign_cost(campaign)
    assert cost.booked == [Money(Decimal("3200.00"), "CNY")]
    assert cost.remaining == Money(Decimal("56800.00"), "CNY")
    assert cost.used_pct == Decimal("5.3")
    _approve(head_fin, big)
    with organization_scope(rep.organization_id):
        cost = cc.campaign_cost(campaign)
        assert Expense.objects.get(pk=big.pk).state == ExpenseState.APPROVED
    assert cost.booked == [Money(Decimal("15200.00"), "CNY")]
    assert [x.expense_id for x in cost.lines] == [small.pk, big.pk]
    assert cost.remaining.amount == Decimal("44800.00")


def test_another_organizations_campaign_is_refused_like_a_missing_one(
    rep, categories, chain, budget, foreign_campaign
):
    messages = []
    for campaign_id in (foreign_campaign.pk, 2_000_000_000):
        with pytest.raises(ServiceError) as refused:
            _file(rep, categories, "300.00", campaign_id)
        messages.append((refused.value.field, refused.value.message))
    assert messages == [("lines", MISSING), ("lines", MISSING)]
    with organization_scope(rep.organization_id):
        assert not Expense.objects.exists() and not ExpenseLine.objects.exists()


def test_roi_is_per_currency_and_the_budget_remainder_in_its_own():
    cost = cc.CampaignCost(
        budget=Money(Decimal("10000.00"), "CNY"),
        lines=[],
        booked=[Money(Decimal("12500.00"), "CNY"), Money(Decimal("100.00"), "USD")],
        revenue=[Money(Decimal("50000.00"), "CNY"), Money(Decimal("900.00"), "EUR")],
        leads=4,
    )
    assert [(r.currency, r.pct) for r in cost.roi] == [
        ("CNY", Decimal("300.0")),
        ("USD", Decimal("-100.0")),
    ]
    assert cost.remaining == Money(Decimal("-2500.00"), "CNY")  # over budget
    assert cost.used_pct == Decimal("125.0")
    assert cost.cost_per_lead == Money(Decimal("3125.00"), "CNY")
    empty = cc.CampaignCost(Money(Decimal("0"), "CNY"), [], [], [], 0)
    assert (empty.roi, empty.used_pct, empty.cost_per_lead) == ([], None, None)


@pytest.fixture
def won_from_lead(org, head_mkt, rep, deal, campaign):
    """The campaign's lead on ``deal``'s account became a deal that was won."""
    with organization_scope(org.id):
        response = campaigns.response_record(
            actor=head_mkt,
            campaign=campaign,
            fields=campaigns.ResponseFields(
                "attendance", campaign.starts_on, "张伟", company=deal.account.name
            ),
        )
        response = campaigns.response_to_lead(
            actor=head_mkt, response=response, estimated_amount=Decimal("200000")
        )
        lead = lead_convert(lead=response.lead, actor=rep.user)
        opportunity_move(
            opportunity=lead.opportunity, stage=Stage.objects.get(is_won=True), actor=rep.user
        )
    return lead.opportunity


def test_the_campaign_page_shows_cost_budget_and_roi_in_a_locked_count(
    client_for,
    rep,
    head_mkt,
    head_fin,
    categories,
    chain,
    budget,
    campaign,
    won_from_lead,
    django_assert_num_queries,
):
    _file(rep, categories, "4000.00", campaign.pk, title="场地押金")
    url = reverse("enablement:campaign", args=[campaign.pk])
    client = client_for(head_mkt.user)
    client.get(url)
    with django_assert_num_queries(13):
        body = client.get(url).content.decode()
    assert 'id="campaign-cost"' in body and 'id="campaign-cost-lines"' in body
    assert "场地押金" in body and "4,000.00" in body and "56,000.00" in body
    assert "4900.0%" in body  # (200,000 − 4,000) ÷ 4,000
    _approve(head_fin, _file(rep, categories, "6000.00", campaign.pk, title="讲师费"))
    _file(rep, categories, "300.00", campaign.pk, title="茶歇")
    with django_assert_num_queries(13):  # more lines, the same reads
        body = client.get(url).content.decode()
    assert "10,300.00" in body and "讲师费" in body


def test_a_rep_sees_the_campaigns_totals_but_not_who_filed_what(
    client_for, rep, categories, chain, budget, campaign
):
    _file(rep, categories, "4000.00", campaign.pk, title="场地押金")
    body = client_for(rep.user).get(reverse("enablement:campaign", args=[campaign.pk]))
    body = body.content.decode()
    assert 'id="campaign-cost"' in body and "4,000.00" in body
    assert 'id="campaign-cost-lines"' not in body and "场地押金" not in body


def test_the_cost_api_for_the_owner_a_teammate_and_an_outsider(
    rep, head_mkt, outsider, categories, chain, budget, campaign, django_assert_num_queries
):
    expense = _file(rep, categories, "4000.00", campaign.pk, title="场地押金")
    url = f"/api/finance/campaigns/{campaign.pk}/cost/"
    client = api_client(head_mkt.user)
    client.get(url)
    with django_assert_num_queries(6):
        body = client.get(url).json()
    assert body["budget"] == {"amount": "60000.00", "currency": "CNY"}
    assert body["booked"] == [{"amount": "4000.00", "currency": "CNY"}]
    assert body["remaining"]["amount"] == "56000.00" and body["used_pct"] == "6.7"
    assert body["roi"] == [
        {"currency": "CNY", "cost": "4000.00", "revenue": "0.00", "roi_pct": "-100.0"}
    ]
    assert [x["request"] for x in body["lines"]] == [expense.request_id]
    assert api_client(rep.user).get(url).json()["lines"] is None
    assert api_client(outsider).get(url).status_code == 404
    assert client.get("/api/finance/campaigns/2000000000/cost/").status_code == 404


def test_the_api_files_a_line_for_a_campaign_and_refuses_another_orgs(
    rep, categories, chain, budget, campaign, foreign_campaign
):
    def body(campaign_id):
        return {
            "kind": "campaign",
            "title": "发布会物料",
            "purpose": "发布会",
            "lines": [
                {
                    "date": dt.date.today().isoformat(),
                    "category": categories["event"].pk,
                    "amount": "800.00",
                    "campaign_id": campaign_id,
                    "campaign": "旧写法的活动名",
                }
            ],
        }

    client = api_client(rep.user)
    refused = [
        client.post("/api/finance/expenses/", body(x), format="json")
        for x in (foreign_campaign.pk, 2_000_000_000)
    ]
    assert [(r.status_code, r.json()) for r in refused] == [(400, {"lines": [MISSING]})] * 2
    made = client.post("/api/finance/expenses/", body(campaign.pk), format="json")
    assert made.status_code == 201
    with organization_scope(rep.organization_id):
        saved = ExpenseLine.objects.get(expense_id=made.json()["id"])
    assert (saved.campaign_id, saved.campaign_note) == (campaign.pk, "旧写法的活动名")
    bad = client.post("/api/finance/expenses/", body("abc"), format="json")
    assert bad.status_code == 400 and "lines" in bad.json()


def test_the_expense_form_offers_the_organizations_campaigns_only(
    client_for, rep, categories, chain, budget, campaign, foreign_campaign
):
    client = client_for(rep.user)
    url = reverse("finance:expense_new")
    page = client.get(url).content.decode()
    assert campaign.title_zh in page and foreign_campaign.title_zh not in page

    def post(campaign_id):
        return client.post(
            url,
            {
                "kind": "campaign",
                "title": "发布会物料",
                "purpose": "发布会",
                "lines-TOTAL_FORMS": "1",
                "lines-INITIAL_FORMS": "0",
                "lines-MIN_NUM_FORMS": "1",
                "lines-MAX_NUM_FORMS": "10",
                "lines-0-date": dt.date.today().isoformat(),
                "lines-0-category": categories["event"].pk,
                "lines-0-units": "1",
                "lines-0-amount": "500.00",
                "lines-0-currency": "CNY",
                "lines-0-campaign": campaign_id,
            },
        )

    for bad in (foreign_campaign.pk, 2_000_000_000, "abc", "-1"):
        refused = post(bad)
        assert refused.status_code == 200 and 'id="expense-form"' in refused.content.decode()
        assert refused.context["formset"].forms[0].errors["campaign"]
    with organization_scope(rep.organization_id):
        assert not ExpenseLine.objects.exists()
    assert post(campaign.pk).status_code == 302
    with organization_scope(rep.organization_id):
        assert ExpenseLine.objects.get().campaign_id == campaign.pk


def test_the_migration_links_free_text_naming_exactly_one_campaign(
    org, rep, head_mkt, categories, chain, budget, campaign
):
    plan(head_mkt, title_zh="客户答谢会", title_en="Customer day")
    plan(head_mkt, title_zh="重名活动")
    plan(head_mkt, title_zh="重名活动")
    notes = ["  智能制造发布会 ", "Customer day", "重名活动", "华东巡展", ""]
    expense = services.expense_file(
        actor=rep,
        kind="campaign",
        title="旧报销",
        purpose="迁移前",
        lines=[line(categories["event"], "100.00", campaign_note=n) for n in notes],
    )
    migration = importlib.import_module("finance.migrations.0002_campaign_link_fincost")
    with organization_scope(org.id):
        with connection.cursor() as cursor:
            cursor.execute(migration.LINK_EXACT_NAMES)
        linked = dict(
            ExpenseLine.objects.filter(expense=expense).values_list(
                "campaign_note", "campaign__title_zh"
            )
        )
    assert linked == {
        "智能制造发布会": "智能制造发布会",  # trimmed when stored; exact title
        "Customer day": "客户答谢会",  # the English title
        "重名活动": None,  # two campaigns by that name: left as text
        "华东巡展": None,  # no such campaign
        "": None,
    }
