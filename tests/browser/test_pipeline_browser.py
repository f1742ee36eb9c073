"""The customer side in a browser: a rep moves a deal through the stages,
Customer Success records a follow-up with an upsell lead, the rep accepts and
converts the lead; a rep files a request linked to a deal with the
search-as-you-type field. Screenshots in Chinese and English."""

import re

import pytest
from django.core.management import call_command

from pipeline.models import Opportunity
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("networkidle")


def reps_open_deal() -> Opportunity:
    return (
        Opportunity.unscoped.select_related("account", "stage")
        .filter(
            owner__username="rep", stage__is_won=False, stage__is_lost=False, stage__order__lte=20
        )
        .order_by("expected_close_date", "id")
        .first()
    )


def test_deal_moves_then_follow_up_lead_is_accepted_and_converted(new_page, demo):
    deal = reps_open_deal()
    account_id = deal.account_id

    # The rep moves the deal two stages on, in place.
    rep = new_page()
    sign_in(rep, "rep")
    assert rep.url.endswith("/requests/")  # a rep's home
    rep.goto(f"/pipeline/opportunities/{deal.pk}/")
    for stage in ("方案/演示", "报价"):
        rep.locator("#stepper .step-button", has_text=stage).click()
        rep.locator("#stepper .step.current", has_text=stage).wait_for()
        assert rep.locator("#stepper p.ok").is_visible()
    assert rep.locator("#stepper table.history tbody tr").count() >= 3
    assert rep.locator("#requests").is_visible()
    screenshot(rep, "pipeline-opportunity-zh")
    switch_language(rep, "en")
    assert rep.locator("#requests h2").inner_text() == "Collaboration requests"
    screenshot(rep, "pipeline-opportunity-en")
    switch_language(rep, "zh-hans")

    # Customer Success records a satisfaction call and hands over an upsell lead.
    cs = new_page()
    sign_in(cs, "head-cs")
    cs.goto(f"/pipeline/accounts/{account_id}/")
    cs.locator("header a", has_text="记录回访").click()
    cs.select_option("select[name=kind]", "call")
    cs.check("input[name=done]")
    cs.select_option("select[name=csat]", "5")
    cs.fill("textarea[name=comment]", "系统很稳定，明年想扩展到华南工厂")
    cs.click("main button[type=submit]")
    cs.wait_for_load_state("networkidle")
    assert cs.url.endswith(f"/pipeline/accounts/{account_id}/")
    follow_up = cs.locator("#follow-ups li", has_text="系统很稳定")
    follow_up.locator("a", has_text="由此提交线索").click()
    cs.select_option("select[name=kind]", "upsell")
    cs.fill("input[name=estimated_amount]", "300000")
    cs.fill("textarea[name=description]", "华南工厂扩容，约 200 个账号")
    cs.click("main button[type=submit]")
    cs.wait_for_load_state("networkidle")
    assert "华南工厂扩容" in cs.locator("#leads").inner_text()
    screenshot(cs, "pipeline-account-cs-zh")

    # The rep hears of it in the inbox; the notice opens the leads page, where
    # the lead waits "for you": the rep accepts it and converts it into a deal.
    rep.goto("/notifications/")
    notice = rep.locator("main li", has_text=f"新线索：{deal.account.name}").filter(
        has_text="300,000"
    )
    assert "未读" in notice.inner_text()  # unread, newest first
    screenshot(rep, "pipeline-lead-notification-zh")
    notice.locator("a").click()
    rep.wait_for_load_state("networkidle")
    assert re.search(r"/pipeline/leads/#lead-\d+$", rep.url)  # at the lead's row
    row = rep.locator(".for-you tr", has_text="华南工厂扩容")
    screenshot(rep, "pipeline-leads-zh")
    row.locator("button", has_text="接受").click()
    rep.wait_for_load_state("networkidle")
    row = rep.locator("tr", has_text="华南工厂扩容").first
    assert "已接受" in row.inner_text()
    row.locator("button", has_text="转为商机").click()
    rep.wait_for_load_state("networkidle")
    assert re.search(r"/pipeline/opportunities/\d+/$", rep.url)
    assert deal.account.name in rep.locator("header.page-head").inner_text()
    assert "线索" in rep.locator("#stepper .step.current").inner_text()
    screenshot(rep, "pipeline-converted-zh")
    switch_language(rep, "en")
    screenshot(rep, "pipeline-converted-en")


def test_rep_files_a_request_linked_to_a_deal_by_searching(new_page, demo):
    deal = reps_open_deal()
    rep = new_page()
    sign_in(rep, "rep")
    rep.goto("/requests/new/")
    rep.click("#type-rnd_tech_support")
    rep.fill("input[name=title]", "接口并发参数确认")
    rep.fill("input[name=x-customer_name]", deal.account.name)
    search = rep.locator("#link-q")
    search.click()
    query = deal.name[:3]
    search.press_sequentially(query, delay=60)
    # The suggestions shown on focus give way to the matches for what was typed.
    rep.wait_for_function(
        """q => {
            const options = [...document.querySelectorAll('#link-results .link-option')];
            return options.length && options.every(o => o.innerText.includes(q));
        }""",
        arg=query,
    )
    option = rep.locator("#link-results .link-option", has_text=deal.name).first
    screenshot(rep, "request-link-search-zh")
    option.click()
    chosen = rep.locator("#link-chosen")
    chosen.wait_for()
    assert deal.name in chosen.inner_text() and deal.account.name in chosen.inner_text()
    screenshot(rep, "request-link-chosen-zh")
    rep.click("button.primary.big")
    rep.wait_for_load_state("networkidle")
    assert re.search(r"/requests/\d+/$", rep.url)
    link = rep.locator(".request-link-row a", has_text=deal.name)
    assert link.get_attribute("href") == f"/pipeline/opportunities/{deal.pk}/"
    screenshot(rep, "request-linked-detail-zh")
    switch_language(rep, "en")
    assert rep.locator(".request-link-row dt").inner_text() == "Customer / opportunity"
    screenshot(rep, "request-linked-detail-en")

    # The deal's page lists the request with its SLA clocks.
    link = rep.locator(".request-link-row a", has_text=deal.name)
    link.click()
    rep.wait_for_load_state("networkidle")
    row = rep.locator("#requests tr", has_text="接口并发参数确认")
    assert row.locator(".sla").count() == 2
    screenshot(rep, "pipeline-opportunity-requests-en")
    switch_language(rep, "zh-hans")
    screenshot(rep, "pipeline-opportunity-requests-zh")

    # English search field, too.
    rep.goto("/requests/new/")
    rep.click("#type-rnd_tech_support")
    switch_language(rep, "en")
    rep.locator("#link-q").click()
    rep.locator("#link-results .link-option").first.wait_for()
    screenshot(rep, "request-link-search-en")
