"""The quotation system in a browser: head-pm publishes a quarterly bundle,
the rep quotes it on a deal with a deeper discount and asks for approval,
head-fin approves from the approvals queue, the rep sends the quote and marks
it accepted, and the deal's amount becomes the quote's total. Screenshots in
Chinese and English."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from collab.tenancy import organization_scope
from pipeline.models import Opportunity
from pricing.demo.catalog import quarter_of
from pricing.models import Product, Quote
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("networkidle")


def _submit(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _publish_bundle(pm) -> None:
    start, end, label = quarter_of(timezone.localdate())
    pm.goto("/pricing/bundles/")
    pm.fill("input[name=code]", "q4-push")
    pm.fill("input[name=name_zh]", f"{label} 冲刺加码套餐")
    pm.fill("input[name=name_en]", f"{label} sprint plus")
    pm.fill("input[name=period_label]", label)
    pm.fill("input[name=starts_on]", start.isoformat())
    pm.fill("input[name=ends_on]", end.isoformat())
    pm.fill("input[name=bundle_price]", "130000")
    _submit(pm, "#save-bundle")
    for code, quantity in (("erp-pro", "1"), ("impl-day", "10"), ("train-site", "2")):
        product = Product.unscoped.get(organization__slug="demo", code=code)
        pm.select_option("select[name=product]", str(product.pk))
        pm.fill("input[name=quantity]", quantity)
        _submit(pm, "#add-bundle-item")
    _submit(pm, "#publish-bundle")
    assert pm.locator("#bundle-state").inner_text() == "已发布"
    pm.goto("/pricing/bundles/comparison/")
    assert "冲刺加码套餐" in pm.locator("main").inner_text()
    screenshot(pm, "pricing-comparison-zh")
    switch_language(pm, "en")
    assert "sprint plus" in pm.locator("main").inner_text()
    screenshot(pm, "pricing-comparison-en")
    switch_language(pm, "zh-hans")


def _quote_with_discount(rep, deal) -> Quote:
    rep.goto(f"/pipeline/opportunities/{deal.pk}/")
    _submit(rep, "#new-deal-quote")
    erp = Product.unscoped.get(organization__slug="demo", code="erp-std")
    rep.locator("select[name=line_product]").first.select_option(str(erp.pk))
    rep.locator("input[name=line_quantity]").first.fill("2")
    rep.locator("input[name=line_discount_pct]").first.fill("25")
    rep.select_option(
        "select[name=bundle]",
        label=rep.locator("select[name=bundle] option", has_text="冲刺加码套餐").inner_text(),
    )
    _submit(rep, "#save-quote")
    assert (
        "需经财务审批" in rep.locator("main").inner_text()
        or "须经财务审批" in rep.locator("main").inner_text()
    )
    _submit(rep, "#action-request_approval")
    assert rep.locator("#quote-state").inner_text() == "待审批"
    screenshot(rep, "pricing-quote-pending-zh")
    return Quote.unscoped.filter(opportunity=deal).latest("pk")


def test_bundle_quote_discount_approval_send_accept(new_page, demo):
    deal = (
        Opportunity.unscoped.filter(
            owner__username="rep", stage__is_won=False, stage__is_lost=False
        )
        .order_by("-id")
        .first()
    )
    pm = new_page()
    sign_in(pm, "head-pm")
    _publish_bundle(pm)

    rep = new_page()
    sign_in(rep, "rep")
    quote = _quote_with_discount(rep, deal)

    fin = new_page()
    sign_in(fin, "head-fin")
    fin.goto("/requests/approvals/")
    row = fin.locator("tr", has_text=quote.reference)
    screenshot(fin, "pricing-approval-queue-zh")
    row.locator("button.primary").click()
    fin.wait_for_load_state("networkidle")

    rep.goto(f"/pricing/quotes/{quote.pk}/")
    assert rep.locator("#quote-state").inner_text() == "已批准"
    _submit(rep, "#action-send")
    assert rep.locator("#quote-state").inner_text() == "已发送"
    _submit(rep, "#action-accept")
    assert rep.locator("#quote-state").inner_text() == "客户已接受"
    screenshot(rep, "pricing-quote-accepted-zh")
    switch_language(rep, "en")
    assert rep.locator("#quote-state").inner_text() == "Accepted"
    assert "Total incl. VAT" in rep.locator("main").inner_text()
    screenshot(rep, "pricing-quote-accepted-en")
    rep.goto(f"/pipeline/opportunities/{deal.pk}/")
    screenshot(rep, "pricing-deal-quotes-en")
    switch_language(rep, "zh-hans")

    with organization_scope(deal.organization_id):
        quote.refresh_from_db()
        deal.refresh_from_db()
    assert quote.state == "accepted"
    assert deal.amount == quote.total
    # 2 × 52000 × 75% (below the 41600 floor) + bundle 130000 = 208000; VAT 13% → 235040.00
    assert quote.total == Decimal("235040.00")
