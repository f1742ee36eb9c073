"""The ops manager's SLA dashboard in a real browser, in both languages."""

import pytest
from django.core.management import call_command

from .conftest import screenshot, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ops_manager_reads_the_dashboard_changes_period_and_filter_and_drills_down(new_page):
    call_command("load_demo")
    for locale, lang in (("zh-CN", "zh"), ("en-US", "en")):
        page = new_page(width=1280, locale=locale)
        sign_in(page, "ops")
        if lang == "en":
            page.goto("/dashboard/")
            page.click("form.lang-switch button[value=en]")
            page.wait_for_load_state("networkidle")
        page.goto("/dashboard/?period=quarter")
        assert page.locator("svg.chart").count() == 2
        assert page.locator("[data-figure=response-attainment]").inner_text() != "—"
        matrix = page.locator("table.matrix")
        assert matrix.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        # The scorecards load on their own when scrolled into view (htmx).
        page.locator("#scorecards").scroll_into_view_if_needed()
        page.locator("#scorecards table, #scorecards .empty").first.wait_for()
        screenshot(page, f"dashboard-quarter-{lang}")
        page.select_option("select[name=period]", "month")
        page.select_option("select[name=serving]", index=3)
        page.click("form.dash-filters button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "period=month" in page.url and "serving=" in page.url
        screenshot(page, f"dashboard-filtered-{lang}")
        page.goto("/dashboard/?period=quarter")
        page.click("[data-figure=response-attainment]")
        page.wait_for_load_state("networkidle")
        assert "/dashboard/requests/" in page.url
        assert page.locator("table tbody tr").count() > 0
        screenshot(page, f"dashboard-drilldown-{lang}")
