"""Finance in a browser (issue 14): the rep files a campaign expense above
the policy limit (warned, gives a reason), Finance's head approves it from
the approval queue with one click, the budget shows it consumed and the
campaign page its cost beside the campaign's budget; a won
demo deal's invoice goes overdue (time travel), the nightly rules run and
the rep sees the warning on the account. Screenshots in Chinese and English."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership
from departments.registry import demo_steps
from finance.models import Budget, Expense, ExpenseCategory
from finance.receivables import services as receivables
from finance.risk.services import risk_evaluate
from finance.tests.helpers import DEMO_STEPS
from pipeline.models import Opportunity
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = DEMO_STEPS
LAUNCH = "智能制造解决方案发布会"


@pytest.fixture
def demo(transactional_db):
    with demo_steps.only(*STEPS):
        call_command("load_demo")


def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("networkidle")


def _file_expense(rep, event_id: int) -> None:
    rep.goto("/finance/expenses/new/")
    rep.select_option("select[name=kind]", "campaign")
    rep.fill("input[name=title]", "华东行业峰会展位")
    rep.fill("textarea[name=purpose]", "季度冲刺：行业峰会获客")
    rep.fill("input[name=lines-0-date]", timezone.localdate().isoformat())
    rep.select_option("select[name=lines-0-category]", str(event_id))
    rep.fill("input[name=lines-0-amount]", "26000")
    rep.select_option("select[name=lines-0-campaign]", label=LAUNCH)
    rep.click("#submit-expense")
    rep.wait_for_load_state("networkidle")


def test_expense_over_limit_approved_from_the_queue_is_consumed(new_page, demo):
    with organization_scope(_org_id()):
        event = ExpenseCategory.objects.get(code="event")
        budget = Budget.objects.get(department__code="business")
        consumed_before = budget.consumed

    rep = new_page()
    sign_in(rep, "rep")
    _file_expense(rep, event.pk)
    assert rep.locator("#policy-warnings").is_visible()  # warned before it goes
    screenshot(rep, "finance-expense-warning-zh")
    rep.fill("input[name=lines-0-over_limit_reason]", "峰会展位统一定价")
    rep.click("#submit-expense")
    rep.wait_for_load_state("networkidle")
    assert "/requests/" in rep.url
    with organization_scope(_org_id()):
        expense = Expense.objects.select_related("request").get(request__title="华东行业峰会展位")
    assert expense.total == Decimal("26000.00")

    fin = new_page()
    sign_in(fin, "head-fin")
    fin.goto("/requests/approvals/")
    row = fin.locator("#approval-queue tr", has_text=expense.request.reference)
    row.locator("button.primary").click()
    fin.wait_for_load_state("networkidle")
    assert fin.locator("#approval-queue tr", has_text=expense.request.reference).count() == 0
    fin.goto("/finance/")
    consumed = fin.locator(f"#budget-{budget.pk} td").nth(2).inner_text()
    assert f"{consumed_before + Decimal('26000'):,.2f}" in consumed
    screenshot(fin, "finance-budgets-zh")
    switch_language(fin, "en")
    assert fin.locator("h1").inner_text() == "Budgets"
    screenshot(fin, "finance-budgets-en")
    _campaign_shows_the_cost(fin, expense)
    fin.goto("/finance/collections/?bucket=d31_60")
    screenshot(fin, "finance-collections-en")
    switch_language(fin, "zh-hans")
    screenshot(fin, "finance-collections-zh")


def test_overdue_invoice_warns_the_rep_on_the_account(new_page, demo):
    org_id = _org_id()
    with organization_scope(org_id):
        fin = Membership.objects.select_related("user", "department", "organization").get(
            user__username="head-fin"
        )
        deal = (
            Opportunity.objects.filter(owner__username="rep", stage__is_won=True)
            .order_by("-amount")
            .first()
        )
    invoice = receivables.invoice_issue(
        actor=fin,
        opportunity_id=deal.pk,
        number="FP-TIME-1",
        amount=Decimal("88000.00"),
        issued_on=timezone.localdate(),
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        risk_evaluate(organization_id=org_id)
        rep = new_page()
        sign_in(rep, "rep")
        rep.goto(f"/pipeline/accounts/{deal.account_id}/")
        panel = rep.locator("#risk-warnings")
        assert invoice.number in panel.inner_text()
        screenshot(rep, "finance-account-warning-zh")
        switch_language(rep, "en")
        assert "days overdue" in rep.locator("#risk-warnings").inner_text()
        screenshot(rep, "finance-account-warning-en")
        switch_language(rep, "zh-hans")


def _campaign_shows_the_cost(page, expense) -> None:
    """The launch's booked cost: the demo's 54,500 and the rep's 26,000."""
    from enablement.models import Campaign

    with organization_scope(_org_id()):
        campaign = Campaign.objects.get(title_zh=LAUNCH)
    page.goto(f"/enablement/campaigns/{campaign.pk}/")
    card = page.locator("#campaign-cost")
    assert "80,500.00" in page.locator("#campaign-booked").inner_text()
    assert expense.request.reference in card.locator("#campaign-cost-lines").inner_text()
    screenshot(page, "finance-campaign-cost-en")
    switch_language(page, "zh-hans")
    assert "费用与回报" in card.inner_text()
    screenshot(page, "finance-campaign-cost-zh")
    switch_language(page, "en")


def _org_id() -> int:
    from departments.models import Organization

    return Organization.objects.get(slug="demo").id
