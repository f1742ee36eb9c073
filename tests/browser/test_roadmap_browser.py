"""Requirement review in a browser: the rep files a requirement linked to two
deals (similar ones suggested while typing), head-rnd assesses it and asks for
a prototype, the board sends it to prototype, R&D hands the prototype over,
the rep records two customers' verdicts, the next board accepts it into v3.3,
it ships, and the rep sees the notice on the deal. Screenshots in Chinese and
English."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from pipeline.models import Opportunity
from roadmap.models import Requirement, State
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("networkidle")


def two_deals_of_two_customers() -> list[Opportunity]:
    deals, accounts = [], set()
    for deal in Opportunity.unscoped.filter(
        owner__username="rep",
        stage__is_won=False,
        stage__is_lost=False,
        organization__slug="demo",
    ).order_by("id"):
        if deal.account_id not in accounts:
            deals.append(deal)
            accounts.add(deal.account_id)
        if len(deals) == 2:
            return deals
    raise AssertionError("the demo has two open deals of two customers")


def decide(page, requirement_id: int, decision: str, **extra) -> None:
    item = page.locator(f"#item-{requirement_id}")
    item.locator("select[name=decision]").select_option(decision)
    if "release" in extra:
        item.locator("select[name=release]").select_option(label=extra["release"])
    if "priority" in extra:
        item.locator("input[name=priority]").fill(str(extra["priority"]))
    item.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def first_upcoming_board(page) -> None:
    page.goto("/roadmap/boards/")
    page.locator("section.card").first.locator("a").first.click()
    page.wait_for_load_state("networkidle")


def test_requirement_from_deal_to_shipped_notice(new_page, demo):
    deals = two_deals_of_two_customers()

    # The rep files it; the similar demo requirement is suggested while typing.
    rep = new_page()
    sign_in(rep, "rep")
    rep.goto("/roadmap/new/")
    rep.fill("#id_title", "报表按区域多级权限")
    rep.locator("#similar li").first.wait_for()
    assert "集团客户报表多级权限" in rep.locator("#similar").inner_text()
    rep.fill("#id_background", "连锁零售客户，全国 6 个大区")
    rep.fill("#id_pain_point", "大区经理能看到其他大区的销售数据")
    rep.fill("#id_expected_outcome", "大区经理只看本大区，总部看全部")
    for deal in deals:
        rep.check(f"input[name=opportunity_ids][value='{deal.pk}']")
    screenshot(rep, "roadmap-file-zh")
    rep.click("#requirement-form button[type=submit]")
    rep.wait_for_load_state("networkidle")
    requirement = Requirement.unscoped.get(title="报表按区域多级权限")
    assert rep.url.endswith(f"/roadmap/requirements/{requirement.pk}/")

    # head-rnd assesses it and asks for a prototype.
    rnd = new_page()
    sign_in(rnd, "head-rnd")
    rnd.goto(f"/roadmap/requirements/{requirement.pk}/")
    rnd.select_option("#id_feasibility", "conditional")
    rnd.fill("#id_feasibility_reason", "需要改造权限模型")
    rnd.fill("#id_cost_low_days", "8")
    rnd.fill("#id_cost_high_days", "12")
    rnd.check("#id_needs_prototype")
    rnd.click("#assessment form[action$='/assess/'] button[type=submit]")
    rnd.wait_for_load_state("networkidle")
    assert Requirement.unscoped.get(pk=requirement.pk).state == State.READY_FOR_REVIEW

    # The board (the ops manager records) sends it to prototype; the board is held.
    ops = new_page()
    sign_in(ops, "ops")
    first_upcoming_board(ops)
    assert "RICE" in ops.content()
    screenshot(ops, "roadmap-board-zh")
    decide(ops, requirement.pk, "prototype")
    ops.fill("#id_minutes", "区域权限先做原型，找两家客户验证。")
    ops.click("form[action$='/minutes/'] button[type=submit]")
    ops.wait_for_load_state("networkidle")

    # R&D hands the prototype over to the two customers.
    rnd.goto(f"/roadmap/requirements/{requirement.pk}/")
    today = timezone.localdate()
    rnd.fill("#id_description", "演示环境：区域权限原型")
    rnd.fill("#id_window_start", today.isoformat())
    rnd.fill("#id_window_end", (today + dt.timedelta(days=10)).isoformat())
    for box in rnd.locator("input[name=accounts]").all():
        box.check()
    rnd.click("#prototype button[type=submit]")
    rnd.wait_for_load_state("networkidle")

    # The rep records both customers' verdicts.
    rep.goto(f"/roadmap/requirements/{requirement.pk}/")
    for verdict in ("meets", "partly"):
        form = rep.locator("#prototype form").first
        form.locator("select[name=verdict]").select_option(verdict)
        form.locator("input[name=notes]").fill(
            "客户认可" if verdict == "meets" else "希望支持按门店授权"
        )
        form.locator("button[type=submit]").click()
        rep.wait_for_load_state("networkidle")
    assert Requirement.unscoped.get(pk=requirement.pk).state == State.READY_FOR_REVIEW
    screenshot(rep, "roadmap-requirement-zh")
    switch_language(rep, "en")
    screenshot(rep, "roadmap-requirement-en")
    switch_language(rep, "zh-hans")

    # The next board accepts it into v3.3.
    first_upcoming_board(ops)
    decide(ops, requirement.pk, "accept", release="v3.3", priority=1)
    assert Requirement.unscoped.get(pk=requirement.pk).state == State.ACCEPTED
    switch_language(ops, "en")
    screenshot(ops, "roadmap-board-en")
    switch_language(ops, "zh-hans")

    # R&D ships v3.3 from the roadmap page.
    rnd.goto("/roadmap/releases/")
    rnd.locator("section.release", has_text="v3.3").locator("button[type=submit]").click()
    rnd.wait_for_load_state("networkidle")
    assert Requirement.unscoped.get(pk=requirement.pk).state == State.SHIPPED
    screenshot(rnd, "roadmap-releases-zh")

    # The rep sees the notice on the deal.
    rep.goto(f"/pipeline/opportunities/{deals[0].pk}/")
    notes = rep.locator("#roadmap-notes")
    assert "v3.3" in notes.inner_text() and "报表按区域多级权限" in notes.inner_text()
    screenshot(rep, "roadmap-deal-notice-zh")
    switch_language(rep, "en")
    assert "shipped in v3.3" in rep.locator("#roadmap-notes").inner_text()
    screenshot(rep, "roadmap-deal-notice-en")
    rep.goto("/roadmap/releases/")
    screenshot(rep, "roadmap-releases-en")
