"""A rep files an R&D green-channel request seeing the promise first; the
R&D head works it in the queue without a page reload. Both languages."""

import re

import pytest
from django.core.management import call_command

from departments.registry import demo_steps
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "客户询问私有化部署的并发上限"


@pytest.fixture
def demo(transactional_db):
    # Only the rooms this flow needs: departments (people) and requests.
    with demo_steps.only("departments.demo.load", "requests_sla.demo.requests.load"):
        call_command("load_demo")


def switch_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("networkidle")


def test_rep_files_and_head_acknowledges_and_resolves_in_place(new_page, demo):
    rep = new_page()
    sign_in(rep, "rep")
    rep.goto("/requests/new/")
    assert "回复时限：24小时" in rep.locator("#type-rnd_tech_support").inner_text()
    rep.click("#type-rnd_tech_support")
    # The filing page, with htmx (a deferred script) listening, before the
    # priority changes: in a loaded run the change could beat htmx's set-up.
    rep.wait_for_function(
        "() => document.readyState === 'complete' && window.htmx"
        " && document.querySelector('select[name=priority]')"
    )
    promise = rep.locator("#promise")
    assert "前回复" in promise.inner_text() and "前解决" in promise.inner_text()
    before = promise.inner_text()
    rep.select_option("select[name=priority]", "urgent")
    rep.wait_for_function(
        "before => document.querySelector('#promise').innerText !== before", arg=before
    )
    assert "前回复" in rep.locator("#promise").inner_text()
    rep.fill("input[name=title]", TITLE)
    rep.fill("input[name=x-customer_name]", "华东电力")
    screenshot(rep, "request-file-zh")

    rep.click("button.primary.big")
    rep.wait_for_load_state("networkidle")
    assert re.search(r"/requests/\d+/$", rep.url)
    assert "已提交" in rep.locator(".messages").inner_text()
    assert rep.locator(".request-head h1").inner_text().endswith(TITLE)
    assert rep.locator("#timer-response .sla").is_visible()
    screenshot(rep, "request-detail-zh")
    detail_url = rep.url

    head = new_page()
    sign_in(head, "head-rnd")
    head.goto("/requests/queue/")
    row = head.locator("#queue-body tr", has_text=TITLE)
    row_id = row.get_attribute("id")
    marker = head.evaluate("() => (window.__noReload = true)")
    assert marker
    row.locator("button[data-action=acknowledge]").click()
    head.locator(f"#{row_id} .status-acknowledged").wait_for()
    head.locator(f"#{row_id} button[data-action=resolve]").click()
    head.locator(f"#{row_id} .status-resolved").wait_for()
    assert head.evaluate("() => window.__noReload === true"), "the page reloaded"
    assert (
        "已达成" in head.locator(f"#{row_id}").inner_text()
        or "按时" in head.locator(f"#{row_id}").inner_text()
        or "提前" in head.locator(f"#{row_id}").inner_text()
    )
    screenshot(head, "request-queue-zh")

    switch_language(head, "en")
    head.goto("/requests/queue/?status=resolved")
    assert head.locator("h1").inner_text().startswith("Department queue")
    screenshot(head, "request-queue-en")

    switch_language(rep, "en")
    rep.goto(detail_url)
    assert "Resolved" in rep.locator(".request-head").inner_text()
    screenshot(rep, "request-detail-en")
    rep.goto("/requests/new/")
    assert "Response: 24 h" in rep.locator("#type-rnd_tech_support").inner_text()
    rep.click("#type-rnd_tech_support")
    assert "Reply by" in rep.locator("#promise").inner_text()
    screenshot(rep, "request-file-en")


def test_the_queue_is_usable_at_phone_width(new_page, demo):
    page = new_page(width=390, height=844)
    sign_in(page, "head-rnd")
    page.goto("/requests/queue/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#queue-body .sla").first.is_visible()
    screenshot(page, "request-queue-phone-zh")


def test_queue_keyboard_in_place_assign_pause_and_bulk_assign(new_page, demo):
    """j/k move the cursor, a focuses the row's assignee menu, changing it
    assigns in place, a row pauses in place, the bulk form assigns the
    ticked rows, Enter opens the current row; the page never reloads."""
    from django.contrib.auth import get_user_model

    dev_id = str(get_user_model().objects.get(username="dev-rnd").pk)
    head = new_page()
    sign_in(head, "head-rnd")
    head.goto("/requests/queue/")
    head.evaluate("() => (window.__noReload = true)")
    rows = head.locator("#queue-body tr.qrow")
    assert rows.count() >= 3
    first, second, third = (rows.nth(i).get_attribute("id") for i in range(3))

    head.keyboard.press("j")
    head.keyboard.press("j")
    assert head.locator("#queue-body tr.qrow.current").get_attribute("id") == second
    head.keyboard.press("k")
    assert head.locator("#queue-body tr.qrow.current").get_attribute("id") == first
    head.keyboard.press("a")
    assert head.evaluate("() => document.activeElement.id") == f"assign-{first[4:]}"

    head.select_option(f"#{first} select.assign-select", dev_id)
    head.locator(f"#{first} small.ok").wait_for()
    assert head.locator(f"#{first} select.assign-select").input_value() == dev_id
    # The keyboard cursor stays on the row once htmx has settled the swap
    # (until then the row also carries htmx-swapping/added/settling).
    head.wait_for_function(
        "id => document.getElementById(id).className === 'qrow current'", arg=first
    )

    head.click(f"#{second} details.row-pause summary")
    head.fill(f"#pause-{second[4:]}", "请补充客户日志")
    head.click(f"#{second} details.row-pause button[type=submit]")
    head.locator(f"#{second} .status-waiting_on_requester").wait_for()
    assert head.locator(f"#{second} .sla-paused").is_visible()

    head.check(f"#{third} input[name=ids]")
    head.select_option("#bulk-assignee", dev_id)
    head.click("#bulk-form button[type=submit]")
    head.locator("#queue-body tr.notice .ok").wait_for()
    assert head.locator(f"#{third} select.assign-select").input_value() == dev_id
    assert head.evaluate("() => window.__noReload === true"), "the page reloaded"

    head.locator("h1").click()
    head.keyboard.press("j")
    href = head.locator("#queue-body tr.qrow.current").get_attribute("data-href")
    head.keyboard.press("Enter")
    head.wait_for_url(f"**{href}")
    assert head.locator(".request-head h1").is_visible()
