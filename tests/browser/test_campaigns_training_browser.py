"""Campaigns and training in a browser, in Chinese and in English.

head-mkt plans a campaign, imports its responses from a CSV file (one from a
known account), and turns that response into a lead. head-hr builds a course
from library assets, is refused a session on a Sunday (the business
calendar), adds one on the next working day, enrols the rep and records the
rep's attendance; the rep passes the completion check. Screenshots of every
page in both languages go to test-artifacts/."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from departments.registry import demo_steps
from enablement.library.models import Asset, AssetStatus
from enablement.models import Campaign, CampaignResponse, Course, Enrolment
from enablement.training import services as training
from pipeline.models import Account, Lead
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STEPS = (
    "departments.demo.load",
    "requests_sla.demo.requests.load",
    "pipeline.demo.customers.load",
    "enablement.demo.library.load",
)


@pytest.fixture
def demo(transactional_db):
    with demo_steps.only(*STEPS):
        call_command("load_demo")


def switch_language(page, code: str) -> None:
    """To ``code`` (the switcher offers only the other language)."""
    button = page.locator(f"button[name=language][value={code}]")
    if button.count():
        button.click()
        page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == code


def signed_in(new_page, username: str, language: str):
    page = new_page(locale="zh-CN" if language == "zh-hans" else "en-US")
    sign_in(page, username)
    switch_language(page, language)
    return page


def submit(page, form_selector: str) -> None:
    page.locator(f"{form_selector} button[type=submit]").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_campaign_to_lead_and_course_to_completion(new_page, demo, tmp_path, language):
    org = Organization.objects.get(slug="demo")
    with organization_scope(org.id):
        account = Account.objects.filter(owner__username="rep").order_by("id").first()
        assets = list(
            Asset.objects.filter(status=AssetStatus.PUBLISHED)
            .order_by("id")
            .values_list("pk", flat=True)[:2]
        )
        hr = Membership.objects.select_related("organization").get(user__username="head-hr")
        rep = Membership.objects.select_related("user").get(user__username="rep")
        today = timezone.localdate()
        sunday = today + dt.timedelta(days=6 - today.weekday() or 7)
        while training.next_working_day(hr, sunday) == sunday:  # a 调休 Sunday works
            sunday += dt.timedelta(days=7)
        workday = training.next_working_day(hr, today + dt.timedelta(days=1))
    suffix = "zh" if language == "zh-hans" else "en"
    title = f"数据安全巡回沙龙 {suffix}"

    # head-mkt plans the campaign.
    mkt = signed_in(new_page, "head-mkt", language)
    mkt.goto("/enablement/campaigns/new/")
    mkt.select_option("#id_kind", "event")
    mkt.fill("#id_title_zh", title)
    mkt.fill("#id_title_en", f"Data security roadshow {suffix}")
    mkt.fill("#id_pain_point", "数据安全")
    mkt.fill("#id_starts_on", (today - dt.timedelta(days=3)).isoformat())
    mkt.fill("#id_ends_on", (today - dt.timedelta(days=4)).isoformat())  # backwards first
    mkt.fill("#id_budget", "40000")
    mkt.select_option("#id_assets_used", [str(pk) for pk in assets])
    submit(mkt, "main form")
    assert mkt.locator(".field.has-error:has(#id_ends_on) small.error").is_visible()
    mkt.fill("#id_ends_on", (today - dt.timedelta(days=2)).isoformat())
    submit(mkt, "main form")
    mkt.locator("h1", has_text=title if language == "zh-hans" else "roadshow").wait_for()
    with organization_scope(org.id):
        campaign = Campaign.objects.get(title_zh=title)

    # Responses from a CSV file (GB18030, as Excel on Chinese Windows writes).
    csv = tmp_path / "responses.csv"
    day = (today - dt.timedelta(days=3)).isoformat()
    csv.write_bytes(
        (
            "类型,日期,姓名,邮箱,公司\n"
            f"报名,{day},张伟,zhang@example.com,{account.name}\n"
            f"参加,{day},Emma Li,,Walk-in Ltd\n"
        ).encode("gb18030")
    )
    mkt.set_input_files("#id_i-file", str(csv))
    submit(mkt, "form[enctype='multipart/form-data']")
    row = mkt.locator("#responses tr", has_text="张伟")
    row.wait_for()
    assert mkt.locator("#responses tr", has_text="Emma Li").is_visible()
    row.locator("input[name=l-estimated_amount]").fill("120000")
    row.locator("button[type=submit]").click()
    mkt.wait_for_load_state("networkidle")
    with organization_scope(org.id):
        response = CampaignResponse.objects.get(campaign=campaign, name="张伟")
        assert response.account_id == account.pk and response.lead_id is not None
        assert Lead.objects.get(pk=response.lead_id).source == "campaign"
    assert mkt.locator("#responses tr", has_text="张伟").locator(".chip").is_visible()
    screenshot(mkt, f"campaign-{suffix}")

    # head-hr builds the course from library assets and schedules it.
    hr_page = signed_in(new_page, "head-hr", language)
    hr_page.goto("/enablement/courses/new/")
    hr_page.fill("#id_title_zh", f"数据安全话术训练营 {suffix}")
    hr_page.fill("#id_title_en", f"Data security talk track bootcamp {suffix}")
    hr_page.fill("#id_pass_mark", "50")
    hr_page.select_option("#id_assets", [str(pk) for pk in assets])
    hr_page.fill(
        "#id_questions",
        "客户问数据是否出境？ | 先报价 | 说明本地部署 | 2\n"
        "Best proof for compliance? | A discount | The certification | 2",
    )
    screenshot(hr_page, f"course-new-{suffix}")
    submit(hr_page, "main form")
    with organization_scope(org.id):
        course = Course.objects.get(title_zh=f"数据安全话术训练营 {suffix}")
    assert hr_page.url.endswith(course.get_absolute_url())

    # A Sunday is refused on its field, then the next working day is accepted.
    session_form = f"form[action='/enablement/courses/{course.pk}/sessions/']"
    hr_page.fill("#id_s-starts_at", f"{sunday.isoformat()}T10:00")
    hr_page.fill("#id_s-ends_at", f"{sunday.isoformat()}T12:00")
    hr_page.fill("#id_s-place", "总部 3 楼 / HQ 3F")
    submit(hr_page, session_form)
    error = hr_page.locator(session_form).get_by_text(
        "是周末" if language == "zh-hans" else "weekend day"
    )
    assert error.first.is_visible()
    screenshot(hr_page, f"course-session-refused-{suffix}")
    hr_page.fill("#id_s-starts_at", f"{workday.isoformat()}T10:00")
    hr_page.fill("#id_s-ends_at", f"{workday.isoformat()}T12:00")
    submit(hr_page, session_form)
    assert hr_page.locator("#sessions-h + ul li time").count() == 1

    # Enrol the rep, then record the attendance.
    hr_page.select_option("#id_e-users", str(rep.user_id))
    submit(hr_page, f"form[action='/enablement/courses/{course.pk}/enrol/']")
    rep_row = hr_page.locator("#enrolments tbody tr", has_text=rep.user.get_full_name())
    session_option = rep_row.locator("select[name=session] option").nth(1)
    rep_row.locator("select[name=session]").select_option(session_option.get_attribute("value"))
    rep_row.locator("button[type=submit]").click()
    hr_page.wait_for_load_state("networkidle")
    screenshot(hr_page, f"course-{suffix}")

    # The rep takes the check and passes.
    rep_page = signed_in(new_page, "rep", language)
    rep_page.goto("/enablement/courses/mine/")
    rep_page.locator(
        "#my-courses tr", has_text="数据安全话术" if language == "zh-hans" else "bootcamp"
    ).locator("a.button").click()
    rep_page.wait_for_load_state("networkidle")
    for fieldset in rep_page.locator("main fieldset").all():
        fieldset.locator("input[type=radio]").nth(1).check()
    screenshot(rep_page, f"course-check-{suffix}")
    submit(rep_page, "main form")
    screenshot(rep_page, f"my-courses-{suffix}")
    with organization_scope(org.id):
        enrolment = Enrolment.objects.get(course=course, user_id=rep.user_id)
    assert enrolment.attended_session_id is not None
    assert enrolment.completed_at is not None and enrolment.score == 100
    done = "已完成" if language == "zh-hans" else "Completed"
    assert rep_page.locator("#my-courses tr", has_text=done).count() == 1
