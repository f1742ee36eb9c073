import datetime as dt

import pytest
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.roles import Role
from departments.tests.factories import OrganizationFactory, member
from requests_sla.escalation.services import sla_sweep
from requests_sla.models import RequestType
from requests_sla.requests.services import request_file
from requests_sla.tests.factories import TECH_EXTRA, membership_of
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "collab-demo"


@pytest.fixture
def overdue(transactional_db):
    org = OrganizationFactory(name="演示企业", slug="demo-esc", default_language="zh-hans")
    rep = member(
        org, role=Role.SALES_REP, department_code="business", username="rep", password=PASSWORD
    )
    member(
        org,
        role=Role.DEPT_HEAD,
        department_code="rnd",
        username="head-rnd",
        password=PASSWORD,
        first_name="张研发",
    )
    member(
        org,
        role=Role.OPS_MANAGER,
        department_code="ops_mgmt",
        username="ops",
        password=PASSWORD,
        first_name="王运营",
    )
    with organization_scope(org.id):
        rtype = RequestType.objects.get(code="rnd_tech_support")
    request = request_file(
        actor=membership_of(rep, org),
        request_type=rtype,
        priority="urgent",  # 4 h response: filed 3 days ago, long breached
        title="客户投标接口参数确认",
        extra=TECH_EXTRA,
        at=timezone.now() - dt.timedelta(days=3),
    )
    report = sla_sweep()
    assert any(e.level == 2 for e in report.escalations)
    return request


def test_ops_classifies_an_overdue_request_and_the_rnd_kpi_counts_it(page, overdue):
    sign_in(page, "ops", PASSWORD)
    page.goto("/meetings/")
    assert page.locator("h1").inner_text() == "跨部门沟通会"
    page.locator("table a").first.click()
    page.wait_for_load_state("networkidle")
    item = page.locator(".agenda-item").first
    assert overdue.reference in item.inner_text()
    assert "研发部" in item.inner_text()
    item.locator("select[name$=root_cause]").select_option("subjective")
    item.locator("textarea[name$=note]").fill("无人值守，回复拖延")
    item.locator(".classify-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    item = page.locator(".agenda-item").first
    assert "主观拖延" in item.inner_text()
    item.locator("input[name$=title]").fill("研发部建立技术支持值班表")
    item.locator("select[name$=owner]").select_option(label="张研发")
    item.locator("input[name$=due_date]").fill(
        (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    )
    item.locator(".action-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "研发部建立技术支持值班表" in page.locator(".agenda-item").first.inner_text()
    assert page.locator(".bell .chip").count() == 1  # unread badge in the header
    screenshot(page, "escalation-meeting-zh")

    page.goto("/kpis/")
    row = page.locator("tr[data-department=rnd]")
    assert row.locator(".kpi-subjective").inner_text() == "1"
    screenshot(page, "escalation-kpis-zh")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr[data-department=rnd] .kpi-subjective").inner_text() == "1"
    assert "Subjective delay" in page.locator("thead").inner_text()
    screenshot(page, "escalation-kpis-en")
    page.goto("/meetings/")
    page.locator("table a").first.click()
    page.wait_for_load_state("networkidle")
    assert "Subjective delay" in page.locator(".agenda-item").first.inner_text()
    screenshot(page, "escalation-meeting-en")
    page.goto(page.url + "minutes/")
    assert "研发部建立技术支持值班表" in page.content()
    screenshot(page, "escalation-minutes-en")
