"""The look and feel (issue 12, "Looks and feel"): the sidebar navigation,
tables, unread notices, the dashboard's phone layout, and screenshots of each
role's main pages saved under var/screenshots/ for a person to look at."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One demo user per role.
ROLES = ["rep", "dev-rnd", "head-rnd", "ops", "admin"]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_the_navigation_does_not_wrap_at_1280_px_for_any_role(browser, live_server, demo):
    for username in ROLES:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 800}
        )
        page = context.new_page()
        sign_in(page, username)
        page.goto("/departments/")
        layout = page.evaluate(
            """() => {
              const bar = document.querySelector('.topbar');
              const nav = document.querySelector('nav.sidebar');
              const links = [...nav.querySelectorAll('a')];
              const line = parseFloat(getComputedStyle(links[0]).lineHeight);
              return {
                bar: bar.getBoundingClientRect().height,
                navOverflow: nav.scrollWidth - nav.clientWidth,
                tallest: Math.max(...links.map(a => a.getBoundingClientRect().height)),
                line,
                truncated: links.filter(a => a.scrollWidth > a.clientWidth).map(a => a.textContent),
                page: document.documentElement.scrollWidth,
                sections: [...nav.querySelectorAll('.nav-heading')].map(h => h.firstChild.textContent.trim()),
              };
            }"""
        )
        assert layout["bar"] < 60, (username, layout)  # one row
        assert layout["navOverflow"] <= 0, (username, layout)
        assert layout["tallest"] < 2 * layout["line"], (username, layout)  # no link on two lines
        assert layout["truncated"] == [], (username, layout)
        assert layout["page"] <= 1280, (username, layout)
        assert layout["sections"][0] == "工作", (username, layout)
        context.close()


# Each role's main pages; "{first}" is the first row's link on the page before.
MAIN_PAGES = {
    "rep": [
        "/requests/",
        "{first}",
        "/requests/new/",
        "/notifications/",
        "/pipeline/opportunities/",
    ],
    "dev-rnd": ["/requests/queue/", "/departments/"],
    "head-rnd": ["/requests/queue/", "{first}", "/dashboard/", "/kpis/"],
    "ops": ["/dashboard/", "/meetings/", "/pipeline/funnel/"],
    "admin": ["/requests/catalog/", "/departments/settings/", "/requests/calendar/"],
}
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({rule: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_each_roles_main_pages_in_both_languages_and_widths_pass_axe(browser, live_server, demo):
    """Screenshots of every role's main pages at 1440 and 390 px in Chinese
    and English (var/screenshots/, for a person to look at), and axe-core
    over each at both widths: no serious or critical violation."""
    axe = AXE.read_text()
    problems = []
    for username, paths in MAIN_PAGES.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1440, "height": 900}
        )
        page = context.new_page()
        sign_in(page, username)
        for language in ("zh", "en"):
            if language == "en":
                page.click("button[name=language][value=en]")
                page.wait_for_load_state("networkidle")
            urls, first = [], None
            for path in paths:
                url = first if path == "{first}" else path
                urls.append(url)
                page.goto(url)
                first = (
                    page.locator("a.row-link").first.get_attribute("href")
                    if page.locator("a.row-link").count()
                    else first
                )
            for width in (1440, 390):
                page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
                for url in urls:
                    page.goto(url)
                    page.wait_for_load_state("networkidle")
                    name = url.strip("/").replace("/", "-") or "home"
                    _shoot(page, f"{username}-{name}-{language}-{width}")
                    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (
                        url,
                        width,
                    )
                    page.evaluate(axe)
                    for violation in page.evaluate(AXE_RUN):
                        problems.append(
                            {"page": url, "user": username, "width": width, **violation}
                        )
            page.set_viewport_size({"width": 1440, "height": 900})
        page.click("button[name=language][value=zh-hans]")
        context.close()
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)


def test_unread_dot_row_clicks_phone_folding_and_the_form_field_editor(new_page, demo):
    from requests_sla.catalog.models import RequestType

    # Unread notices: a dot and a tinted row, whatever the font does with bold.
    rep = new_page()
    sign_in(rep, "rep")
    rep.goto("/notifications/")
    unread = rep.locator(".notification-list li.unread").first
    read = rep.locator(".notification-list li:not(.unread)").first
    dot = unread.evaluate(
        "li => { const s = getComputedStyle(li, '::before');"
        " return {bg: s.backgroundColor, w: parseFloat(s.width), content: s.content}; }"
    )
    assert dot["w"] > 4 and dot["bg"] not in ("rgba(0, 0, 0, 0)", "transparent"), dot
    tint = [x.evaluate("li => getComputedStyle(li).backgroundColor") for x in (unread, read)]
    assert tint[0] != tint[1], tint
    assert read.evaluate("li => getComputedStyle(li, '::before').content") in ("none", "normal")

    # A row is one click target: a click anywhere on it opens the item, and
    # its link is one tab stop that Enter follows.
    rep.goto("/requests/")
    row = rep.locator("table.rows tbody tr").first
    href = row.locator("a.row-link").get_attribute("href")
    _click_middle_of(rep, row.locator("td").nth(2))  # a status cell, not the link
    rep.wait_for_url(f"**{href}")
    rep.go_back()
    rep.locator("table.rows tbody tr a.row-link").first.focus()
    rep.keyboard.press("Enter")
    rep.wait_for_url(f"**{href}")
    # In the queue, the row's own controls still work in place of opening it.
    head = new_page()
    sign_in(head, "head-rnd")
    head.goto("/requests/queue/")
    queue_row = head.locator("#queue-body tr.qrow").first
    queue_row.locator("input[type=checkbox]").click()
    assert queue_row.locator("input[type=checkbox]").is_checked() and "/queue/" in head.url
    _click_middle_of(head, queue_row.locator("td").nth(3))  # the type's cell
    head.wait_for_url("**/requests/*/")

    # At phone width the queue's filters fold behind one 筛选 button and the
    # dashboard opens on its summary, every other section folded.
    phone = new_page(width=390, height=844)
    sign_in(phone, "head-rnd")
    phone.goto("/requests/queue/")
    assert not phone.locator("#f-status").is_visible()
    phone.locator("#queue-filters summary", has_text="筛选").click()
    assert phone.locator("#f-status").is_visible()
    phone.goto("/dashboard/")
    assert phone.locator(".summary .headline-figure").count() == 4
    assert 1 <= phone.locator(".summary .worst li").count() <= 3
    # A worst department's attainment is written as the headline's is (87.5%).
    worst_pct = phone.locator(".summary .worst-pct").first.inner_text()
    headline_pct = phone.locator("[data-figure=summary-response] .big").inner_text()
    assert re.fullmatch(r"\d+\.\d%", worst_pct) and re.fullmatch(r"\d+\.\d%", headline_pct), (
        worst_pct,
        headline_pct,
    )
    folded = phone.locator("details[data-phone-collapse]")
    assert folded.count() >= 8 and not any(
        d.get_attribute("open") is not None for d in folded.all()
    )
    assert not phone.locator("svg.chart").first.is_visible()
    phone.locator("summary", has_text="趋势").click()
    assert phone.locator("svg.chart").first.is_visible()
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height  # was 11,900 px
    # On a wide screen the same page has everything open and no filter button.
    head.goto("/dashboard/")
    assert head.locator("svg.chart").first.is_visible()
    assert not head.locator("form.dash-filters summary").is_visible()
    assert head.locator("select[name=period]").is_visible()

    # Admin: the form fields as a list that writes the same JSON schema.
    admin = new_page()
    sign_in(admin, "admin")
    admin.goto("/requests/catalog/")
    pk = int(admin.locator("table.catalog a.row-link").first.get_attribute("href").split("/")[-2])
    rtype = RequestType.unscoped.get(pk=pk)
    before = list(rtype.form_schema)
    admin.goto(f"/requests/catalog/{rtype.pk}/")
    editor = admin.locator("[data-schema-editor]")
    assert editor.is_visible() and editor.locator(".schema-field").count() == len(before)
    assert not admin.locator("textarea[name=form_schema]").is_visible()  # under "JSON (advanced)"
    editor.locator("button[data-add]").click()
    new = editor.locator(".schema-field").last
    new.locator("[data-prop=key]").fill("region")
    new.locator("[data-prop=label_zh]").fill("区域")
    new.locator("[data-prop=label_en]").fill("Region")
    new.locator("[data-prop=type]").select_option("choice")
    new.locator("[data-prop=choices]").fill("north | 华北 | North\nsouth")
    new.locator("[data-prop=required]").check()
    new.locator("[data-move='-1']").click()  # second to last now
    admin.evaluate("window.scrollTo(0, 0)")
    admin.screenshot(path=str(_screens() / "admin-schema-editor-zh-1440.png"), full_page=True)
    admin.click("form button.primary[type=submit]")
    admin.wait_for_load_state("networkidle")
    rtype.refresh_from_db()
    added = {
        "key": "region",
        "label_zh": "区域",
        "label_en": "Region",
        "type": "choice",
        "required": True,
        "choices": [{"value": "north", "label_zh": "华北", "label_en": "North"}, "south"],
    }
    assert rtype.form_schema == [*before[:-1], added, before[-1]]


def _screens() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def _click_middle_of(page, cell) -> None:
    """A mouse click where a person would click (Playwright's own click
    refuses when, as intended, the row's stretched link takes the click)."""
    box = cell.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
