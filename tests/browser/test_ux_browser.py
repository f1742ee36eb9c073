"""Issue 12's "broken or misleading" items, each as a person meets them in
Chromium: the API docs render under the CSP, no link without text, bulk
assign without a choice, an unclassified agenda item, the deal header after a
stepper move, notices for the everyday flow, time left in working time."""

import pytest
from django.core.management import call_command

from departments.registry import demo_steps
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


@pytest.fixture
def people(transactional_db):
    with demo_steps.only("departments.demo.load"):
        call_command("load_demo")


@pytest.fixture
def requests_demo(transactional_db):
    with demo_steps.only("departments.demo.load", "requests_sla.demo.requests.load"):
        call_command("load_demo")


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return found


def test_api_docs_render_under_the_csp(page, people):
    violations = csp_violations(page)
    sign_in(page, "rep")
    page.goto("/api/docs/")
    page.locator("#swagger-ui .opblock").first.wait_for()
    assert page.locator("#swagger-ui .title").inner_text().startswith("Collab API")
    assert not violations, violations
    screenshot(page, "api-docs")


EMPTY_LINKS_JS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => a.offsetParent !== null || a.getClientRects().length)
    .filter(a => !(a.innerText || a.textContent).trim()
        && !a.getAttribute('aria-label') && !a.getAttribute('title')
        && !a.querySelector('img[alt]:not([alt=""]), svg[aria-label]'))
    .map(a => a.outerHTML)"""


def pages_of(page) -> list[str]:
    """The nav's pages plus the first request and meeting they link to."""
    hrefs = page.eval_on_selector_all(
        "nav a[href^='/']", "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    return [h for h in hrefs if not h.startswith(("/accounts/logout", "/admin/"))]


DETAIL_LINKS_JS = r"""links => links.map(a => a.getAttribute('href'))
    .filter(h => /^\/(requests|meetings|pipeline\/opportunities)\/\d+\/$/.test(h)).slice(0, 1)"""


def test_no_link_without_text_on_the_main_pages(new_page, demo):
    """Every role's nav pages (and the first detail page each lists), in
    Chinese, and the ops manager's and admin's in English too."""
    found = {}
    for username, language in (
        ("rep", "zh-hans"),
        ("head-rnd", "zh-hans"),
        ("ops", "zh-hans"),
        ("ops", "en"),
        ("admin", "en"),
    ):
        page = new_page()
        sign_in(page, username)
        if language == "en":
            page.click("button[name=language][value=en]")
            page.wait_for_load_state("networkidle")
        visited = pages_of(page)
        assert len(visited) >= 3
        for href in visited:
            page.goto(href)
            targets = [href, *page.eval_on_selector_all("main a[href^='/']", DETAIL_LINKS_JS)]
            for target in targets:
                if target != href:
                    page.goto(target)
                empty = page.evaluate(EMPTY_LINKS_JS)
                if empty:
                    found[f"{username}/{language} {target}"] = empty
        page.context.close()
    assert not found, found


def test_the_header_probability_follows_a_stepper_move_and_a_loss(new_page, demo):
    from pipeline.models import Opportunity, Stage

    deal = (
        Opportunity.unscoped.select_related("stage")
        .filter(owner__username="rep", stage__is_won=False, stage__is_lost=False)
        .order_by("stage__order", "id")
        .first()
    )
    stages = Stage.unscoped.filter(organization_id=deal.organization_id)
    target = stages.filter(order__gt=deal.stage.order, is_won=False, is_lost=False).order_by(
        "order"
    )[0]
    rep = new_page()
    sign_in(rep, "rep")
    rep.goto(f"/pipeline/opportunities/{deal.pk}/")
    rep.evaluate("() => (window.__noReload = true)")
    facts = rep.locator("#deal-facts")
    rep.locator("#stepper .step-button", has_text=target.name).click()
    rep.locator("#stepper .step.current", has_text=target.name).wait_for()
    rep.wait_for_function(
        "p => document.querySelector('#deal-facts').innerText.includes(p + '%')",
        arg=str(target.default_probability),
    )
    assert rep.evaluate("() => window.__noReload === true"), "the page reloaded"
    lost = stages.get(is_lost=True)
    rep.click("#stepper details.lose summary")
    rep.select_option("#stepper select[name=lost_reason]", index=1)
    rep.click("#stepper details.lose button[type=submit]")
    rep.locator("#stepper .chip.lost").wait_for()
    rep.wait_for_function(
        "p => document.querySelector('#deal-facts').innerText.includes(p + '%')",
        arg=str(lost.default_probability),
    )
    assert f"{lost.default_probability}%" in facts.inner_text()
    screenshot(rep, "pipeline-opportunity-lost-zh")


def test_the_rep_hears_of_a_heads_question_and_of_the_resolution(new_page, requests_demo):
    title = "接口超时需要日志"
    rep = new_page()
    sign_in(rep, "rep")
    rep.goto("/requests/new/")
    rep.click("#type-rnd_tech_support")
    rep.wait_for_function("() => document.readyState === 'complete' && window.htmx")
    rep.fill("input[name=title]", title)
    rep.fill("input[name=x-customer_name]", "华东电力")
    rep.click("button.primary.big")
    rep.wait_for_load_state("networkidle")
    detail_url = rep.url

    head = new_page()
    sign_in(head, "head-rnd")
    head.goto("/notifications/")
    assert "新请求进入队列" in head.locator("main li", has_text=title).inner_text()
    head.goto("/requests/queue/")
    row = head.locator("#queue-body tr", has_text=title)
    row_id = row.get_attribute("id")
    head.click(f"#{row_id} details.row-pause summary")
    head.fill(f"#pause-{row_id[4:]}", "请上传客户的网关日志")
    head.click(f"#{row_id} details.row-pause button[type=submit]")
    head.locator(f"#{row_id} .status-waiting_on_requester").wait_for()

    rep.goto("/notifications/")
    notice = rep.locator("main li", has_text=title)
    assert "需要你补充信息" in notice.inner_text() and "请上传客户的网关日志" in notice.inner_text()
    assert "未读" in notice.inner_text()
    screenshot(rep, "notification-question-zh")
    notice.locator("a").click()
    rep.wait_for_load_state("networkidle")
    assert rep.url == detail_url
    rep.goto("/notifications/")
    assert "未读" not in rep.locator("main li", has_text=title).first.inner_text()

    head.goto("/requests/queue/?status=waiting_on_requester")
    head.locator(f"#{row_id} button[data-action=resolve]").click()
    head.locator(f"#{row_id} .status-resolved").wait_for()
    rep.click("button[name=language][value=en]")
    rep.wait_for_load_state("networkidle")
    rep.goto("/notifications/")
    resolved = rep.locator("main li", has_text="resolved").first
    assert title in resolved.inner_text() and "unread" in resolved.inner_text()
    screenshot(rep, "notification-resolved-en")


PASSWORD = "collab-demo"


@pytest.fixture
def small_org(transactional_db):
    """One organization: a rep, the R&D head and engineer, the ops manager;
    one long-overdue request the sweep put on a review meeting."""
    import datetime as dt

    from django.utils import timezone

    from collab.tenancy import organization_scope
    from departments.roles import Role
    from departments.tests.factories import OrganizationFactory, member
    from requests_sla.escalation.services import sla_sweep
    from requests_sla.models import RequestType
    from requests_sla.requests.services import request_file
    from requests_sla.tests.factories import TECH_EXTRA, membership_of

    org = OrganizationFactory(name="演示企业", slug="demo-ux", default_language="zh-hans")
    people = {
        name: member(org, role=role, department_code=dept, username=name, password=PASSWORD)
        for name, role, dept in (
            ("rep", Role.SALES_REP, "business"),
            ("head-rnd", Role.DEPT_HEAD, "rnd"),
            ("dev-rnd", Role.DEPT_MEMBER, "rnd"),
            ("ops", Role.OPS_MANAGER, "ops_mgmt"),
        )
    }
    with organization_scope(org.id):
        rtype = RequestType.objects.get(code="rnd_tech_support")
    overdue = request_file(
        actor=membership_of(people["rep"], org),
        request_type=rtype,
        priority="urgent",
        title="客户投标接口参数确认",
        extra=TECH_EXTRA,
        at=timezone.now() - dt.timedelta(days=3),
    )
    sla_sweep()
    return {"org": org, "people": people, "overdue": overdue, "type": rtype}


def test_an_unclassified_agenda_item_cannot_be_saved_without_a_choice(page, small_org):
    from requests_sla.models import AgendaItem

    sign_in(page, "ops", PASSWORD)
    page.goto("/meetings/")
    page.locator("table a").first.click()
    page.wait_for_load_state("networkidle")
    item = page.locator(".agenda-item").first
    assert item.locator("select[name$=root_cause]").input_value() == ""
    item.locator(".classify-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    item = page.locator(".agenda-item", has_text=small_org["overdue"].reference).first
    assert "请选择原因分类" in item.inner_text()
    assert not AgendaItem.unscoped.exclude(root_cause="").exists()
    screenshot(page, "meeting-classify-required-zh")


def test_bulk_assign_without_a_choice_does_nothing_and_says_so(new_page, small_org):
    from requests_sla.models import Request
    from requests_sla.requests.services import request_assign, request_file
    from requests_sla.tests.factories import TECH_EXTRA, membership_of

    org, people = small_org["org"], small_org["people"]
    head = membership_of(people["head-rnd"], org)
    rep = membership_of(people["rep"], org)
    from collab.tenancy import organization_scope

    filed = [
        request_file(
            actor=rep, request_type=small_org["type"], priority="normal", title=t, extra=TECH_EXTRA
        )
        for t in ("批量甲", "批量乙")
    ]
    with organization_scope(org.id):
        for r in filed:
            request_assign(request=r, actor=head, assignee=people["dev-rnd"])
    page = new_page()
    sign_in(page, "head-rnd", PASSWORD)
    page.goto("/requests/queue/?assignee=any")
    page.evaluate("() => (window.__noReload = true)")
    assert page.locator("#bulk-assignee").input_value() == ""
    for r in filed:
        page.check(f"#row-{r.pk} input[name=ids]")
    page.click("#bulk-form button[type=submit]")
    page.locator("#queue-body tr.notice .form-errors").wait_for()
    assert "请先选择处理人" in page.locator("#queue-body tr.notice").inner_text()
    assert set(
        Request.unscoped.filter(pk__in=[r.pk for r in filed]).values_list("assignee_id", flat=True)
    ) == {people["dev-rnd"].pk}
    screenshot(page, "queue-bulk-no-choice-zh")
    # Unassigning is its own choice, and the message says what was done.
    for r in filed:
        page.check(f"#row-{r.pk} input[name=ids]")
    page.select_option("#bulk-assignee", "none")
    page.click("#bulk-form button[type=submit]")
    page.locator("#queue-body tr.notice .ok").wait_for()
    assert "已取消 2 个请求的指派" in page.locator("#queue-body tr.notice").inner_text()
    assert page.evaluate("() => window.__noReload === true"), "the page reloaded"


def test_time_left_on_a_working_days_target_before_and_after_a_pause(new_page, small_org):
    import re

    rep = new_page()
    sign_in(rep, "rep", PASSWORD)
    rep.goto("/requests/new/")
    rep.click("#type-rnd_tech_support")
    rep.wait_for_function(
        "() => document.readyState === 'complete' && window.htmx"
        " && document.querySelector('select[name=priority]')"
    )
    rep.select_option("select[name=priority]", "high")  # resolution: 3 working days
    rep.fill("input[name=title]", "三天解决的问题")
    rep.fill("input[name=x-customer_name]", "华东电力")
    rep.click("button.primary.big")
    rep.wait_for_load_state("networkidle")
    detail = rep.url
    resolution = rep.locator("#timer-resolution .sla").inner_text()
    # A due moment ("…周三 18:00 前"), not wall-clock "days" of 8 hours.
    assert re.search(r"\d{2}:\d{2} 前", resolution), resolution
    assert "天" not in resolution, resolution

    head = new_page()
    sign_in(head, "head-rnd", PASSWORD)
    head.goto(detail)
    head.click("#act-pause summary")
    head.fill("#reason-pause", "请补充客户日志")
    head.click("#act-pause button[type=submit]")
    head.locator("#timer-resolution .sla-paused").wait_for()
    rep.goto(detail)
    paused = rep.locator("#timer-resolution .sla").inner_text()
    assert "已暂停 · 还剩" in paused and "个工作日" in paused, paused
    assert not re.search(r"\d天", paused), paused
    screenshot(rep, "request-working-days-paused-zh")
    rep.click("button[name=language][value=en]")
    rep.wait_for_load_state("networkidle")
    assert "working day" in rep.locator("#timer-resolution .sla").inner_text()


def test_the_language_chosen_follows_the_person_to_another_browser(new_page, small_org):
    first = new_page()
    sign_in(first, "rep", PASSWORD)
    first.click("button[name=language][value=en]")
    first.wait_for_load_state("networkidle")
    # Another device: a fresh browser context, no language cookie, a Chinese browser.
    second = new_page(locale="zh-CN")
    sign_in(second, "rep", PASSWORD)
    assert second.locator("html").get_attribute("lang") == "en"
    assert "Sign out" in second.content() or "My requests" in second.content()
