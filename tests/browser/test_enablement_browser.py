"""The library's journey in a browser: head-mkt fulfils the rep's "数据安全"
talk-track request by publishing a toolkit; the rep finds it by searching
"数据安全", attaches it to a deal, wins the deal; the asset page then shows the
use and the win. Screenshots in Chinese and English."""

import pytest
from django.core.management import call_command

from pipeline.models import Opportunity
from requests_sla.models import Request
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "医疗数据安全话术工具包（院内部署）"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("networkidle")


def test_fulfil_find_attach_win(new_page, demo):
    request = Request.unscoped.get(title="医疗行业“数据安全”话术工具包", requester__username="rep")
    deal = (
        Opportunity.unscoped.filter(
            owner__username="rep", stage__is_won=False, stage__is_lost=False
        )
        .order_by("expected_close_date", "id")
        .first()
    )

    # head-mkt opens the request and fulfils it with a new toolkit.
    mkt = new_page()
    sign_in(mkt, "head-mkt")
    mkt.goto(f"/requests/{request.pk}/")
    mkt.locator("#fulfilment a.button").click()
    mkt.fill("#id_new-title_zh", TITLE)
    mkt.fill("#id_new-title_en", "Healthcare data security talk track")
    mkt.fill("#id_new-pain_points", "数据安全，医疗")
    mkt.select_option("#id_new-industry", "healthcare")
    mkt.fill("#id_new-objections", "病历数据会离开医院吗？ | 院内部署，数据不出院。")
    mkt.fill("#id_new-key_messages", "等保三级\n全链路审计")
    screenshot(mkt, "enablement-fulfil-zh")
    mkt.locator("main form:has(input[name=mode][value=new]) button[type=submit]").click()
    mkt.wait_for_load_state("networkidle")
    assert mkt.locator("h1", has_text=TITLE).is_visible()

    # The rep sees the link on the request page, then finds the toolkit by searching.
    rep = new_page()
    sign_in(rep, "rep")
    rep.goto(f"/requests/{request.pk}/")
    assert rep.locator("#fulfilment a", has_text=TITLE).is_visible()
    rep.goto("/enablement/")
    rep.fill("#q", "数据安全")
    rep.locator("form.library-search button[type=submit]").click()
    rep.wait_for_load_state("networkidle")
    screenshot(rep, "enablement-search-zh")
    rep.locator(".asset-card a", has_text=TITLE).click()
    rep.wait_for_load_state("networkidle")
    # The deal picker lists the rep's own open deals on focus, and searches as they type.
    with rep.expect_response(lambda r: "/assets/" in r.url and "/deals/" in r.url):
        rep.locator("#use-q").focus()
    rep.locator("#use-deals li").first.wait_for()
    with rep.expect_response(lambda r: "/deals/?q=" in r.url):
        rep.fill("#use-q", deal.name)
    rep.wait_for_function(
        "name => { const found = [...document.querySelectorAll('#use-deals label')];"
        " return found.length > 0 && found.every(l => l.textContent.includes(name)); }",
        arg=deal.name,
    )
    rep.locator("#use-deals label", has_text=deal.name).click()
    assert rep.locator(f"#use-deals input[value='{deal.pk}']").is_checked()
    rep.locator(".use-form button[type=submit]").click()
    rep.wait_for_load_state("networkidle")
    assert rep.locator("#uses-h + ul li", has_text=deal.name).is_visible()

    # The deal is won; the asset page shows the use and the win.
    rep.goto(f"/pipeline/opportunities/{deal.pk}/")
    rep.locator("#stepper .step-button", has_text="赢单").click()
    rep.locator("#stepper .step.current", has_text="赢单").wait_for()
    rep.goto("/enablement/")
    rep.fill("#q", "数据安全")
    rep.locator("form.library-search button[type=submit]").click()
    rep.locator(".asset-card a", has_text=TITLE).click()
    rep.wait_for_load_state("networkidle")
    assert rep.locator("#effectiveness dd", has_text="1 / 0").is_visible()
    assert rep.locator("#effectiveness dd", has_text="100.00%").first.is_visible()
    screenshot(rep, "enablement-asset-zh")
    switch_language(rep, "en")
    assert rep.locator("#eff-h").inner_text() == "Effectiveness"
    screenshot(rep, "enablement-asset-en")
    rep.goto("/enablement/?q=data+security")
    screenshot(rep, "enablement-search-en")
    switch_language(rep, "zh-hans")
