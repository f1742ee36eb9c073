"""The sprint loop in a browser: ``admin`` (as HR) creates a sprint with a
team target split to the reps and the 销售之星 award; ``rep`` wins a demo
deal and Finance records its payment; the leaderboard moves; HR computes and
submits the payout run to its approval chain, ``head-hr`` and then
``head-fin`` approve it on the run page (the last approval freezes it); the rep sees only their
own lines. Screenshots in Chinese and English."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from departments.registry import demo_steps
from finance.budgets.models import quarter_end, quarter_start
from finance.receivables import services as receivables
from incentives.plans import services as plans
from incentives.plans.services import TierInput
from pipeline.opportunities import services as opps
from pipeline.opportunities.models import Opportunity, Stage
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    with demo_steps.only("departments.demo.load", "pipeline.demo.customers.load"):
        call_command("load_demo")
    org = Organization.objects.get(slug="demo")
    with organization_scope(org.id):
        admin = Membership.objects.get(user__username="admin")
        plan = plans.plan_create(actor=admin, name="回款提成方案", basis="won")
        plans.version_add(
            actor=admin,
            plan=plan,
            effective_from=dt.date(2020, 1, 1),
            tiers=[
                TierInput(Decimal("0"), Decimal("100"), Decimal("3")),
                TierInput(Decimal("100"), None, Decimal("5")),
            ],
        )
    return org


def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("networkidle")


def _win_and_collect(org) -> Opportunity:
    """The rep wins an open demo deal; Finance invoices it and records the payment."""
    today = timezone.localdate()
    with organization_scope(org.id):
        deal = (
            Opportunity.objects.filter(
                owner__username="rep", stage__is_won=False, stage__is_lost=False
            )
            .order_by("-amount")
            .first()
        )
        deal = opps.opportunity_move(
            opportunity=deal, stage=Stage.objects.get(is_won=True), actor=deal.owner
        )
        fin = Membership.objects.get(user__username="head-fin")
        invoice = receivables.invoice_issue(
            actor=fin,
            opportunity_id=deal.pk,
            number="INV-BROWSER-1",
            amount=deal.amount,
            issued_on=today,
            due_on=today + dt.timedelta(days=30),
        )
        receivables.payment_record(
            actor=fin, invoice_id=invoice.pk, amount=deal.amount, received_on=today
        )
    return deal


def _set_up_sprint(hr) -> None:
    today = timezone.localdate()
    hr.goto("/incentives/")
    hr.fill("#sprint-form input[name=name]", "冬季冲刺")
    hr.fill("#sprint-form input[name=theme]", "冲刺全年目标")
    hr.fill("#sprint-form input[name=start]", quarter_start(today).isoformat())
    hr.fill("#sprint-form input[name=end]", quarter_end(quarter_start(today)).isoformat())
    hr.select_option("#sprint-form select[name=plan_id]", label="回款提成方案")
    hr.click("#sprint-form button[type=submit]")
    hr.wait_for_load_state("networkidle")
    for name in ("王销售", "李业务"):
        hr.fill("#member-form input[name=team]", "华东组")
        hr.select_option("#member-form select[name=user_id]", label=name)
        hr.click("#member-form button[type=submit]")
        hr.wait_for_load_state("networkidle")
    hr.select_option("#split-form select[name=measure]", "won")
    hr.fill("#split-form input[name=total]", "2000000")
    hr.click("#split-form button[type=submit]")
    hr.wait_for_load_state("networkidle")
    hr.fill("#award-form input[name=name_en]", "Sales star")
    hr.fill("#award-form input[name=min_attainment]", "1")
    hr.fill("#award-form input[name=prize_amount]", "5000")
    hr.click("#award-form button[type=submit]")
    hr.wait_for_load_state("networkidle")


def test_sprint_targets_award_win_payout_approved_by_finance(new_page, demo):
    hr = new_page()
    sign_in(hr, "admin")
    _set_up_sprint(hr)
    assert hr.locator("#leaderboard tbody tr").count() == 2
    assert "销售之星" in hr.locator("#progress").inner_text()
    sprint_url = hr.url

    deal = _win_and_collect(demo)
    hr.goto(sprint_url)
    leader = hr.locator("#leaderboard tbody tr").first
    assert "王销售" in leader.inner_text()
    assert "王销售" in hr.locator(".award .winners").inner_text()  # the standings moved
    screenshot(hr, "incentives-sprint-zh")
    switch_language(hr, "en")
    assert "Leaderboard" in hr.locator("#progress").inner_text()
    screenshot(hr, "incentives-sprint-en")
    switch_language(hr, "zh-hans")

    hr.click("#runs button[type=submit]")
    hr.wait_for_load_state("networkidle")
    assert deal.name in hr.locator(".rep-payout").first.inner_text()
    hr.click("text=提交审批")
    hr.wait_for_load_state("networkidle")
    run_url = hr.url
    assert "审批中" in hr.locator("#run-state").inner_text()
    assert hr.locator("#approval-chain li").count() >= 2

    head_hr = new_page()
    sign_in(head_hr, "head-hr")
    head_hr.goto(run_url)
    head_hr.click("#approve")
    head_hr.wait_for_load_state("networkidle")
    assert "审批中" in head_hr.locator("#run-state").inner_text()

    fin = new_page()
    sign_in(fin, "head-fin")
    fin.goto(run_url)
    fin.click("#approve")
    fin.wait_for_load_state("networkidle")
    if "审批中" in fin.locator("#run-state").inner_text():
        # Above the chain's threshold (a big demo deal) the admin approves last.
        hr.goto(run_url)
        hr.click("#approve")
        hr.wait_for_load_state("networkidle")
        fin.goto(run_url)
    assert "已审批" in fin.locator("#run-state").inner_text()
    assert fin.locator("#approval-chain a[href*='/requests/']").count() == 1
    screenshot(fin, "incentives-run-zh")
    switch_language(fin, "en")
    assert "Approved (frozen)" in fin.locator("#run-state").inner_text()
    assert "Approval chain" in fin.locator("#approval-chain").inner_text()
    screenshot(fin, "incentives-run-en")

    rep = new_page()
    sign_in(rep, "rep")
    rep.goto(run_url)
    assert rep.locator(".rep-payout").count() == 1
    assert rep.locator("#run-total").count() == 0
    rep.goto(sprint_url)
    assert rep.locator("#mine").is_visible()
    screenshot(rep, "incentives-my-sprint-zh")
