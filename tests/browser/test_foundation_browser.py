import pytest
from django.core.management import call_command

from departments.models import Membership
from departments.roles import Role
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_rep_signs_in_and_reads_the_directory_in_chinese_and_english(page, demo):
    sign_in(page, "rep")
    assert page.url.endswith("/requests/")  # a rep's home: their requests
    page.click("nav >> text=部门目录")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/departments/")
    assert page.locator("h1").inner_text() == "部门目录"
    assert page.locator("#dept-rnd th").inner_text() == "研发部"
    assert "张研发" in page.locator("#dept-rnd").inner_text()  # the R&D head is listed
    screenshot(page, "directory-zh")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Department directory"
    assert page.locator("#dept-rnd th").inner_text() == "R&D"
    screenshot(page, "directory-en")


def test_the_directory_is_usable_at_phone_width(new_page, demo):
    page = new_page(width=390, height=844)
    sign_in(page, "rep")
    page.goto("/departments/")
    # The table stacks into cards: no horizontal scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(".menu-toggle")
    assert page.locator(".nav a").first.is_visible()
    screenshot(page, "directory-phone-zh")


def test_admin_changes_a_members_role_without_reloading(page, demo):
    sign_in(page, "admin")
    page.goto("/departments/settings/")
    row = page.locator("tr", has_text="rep2")
    row.locator("select[name$=role]").select_option("dept_member")
    row.locator("button[type=submit]").click()
    page.locator("tr", has_text="rep2").locator(".ok").wait_for()
    screenshot(page, "settings-zh")
    # Saved, not only shown: the membership changed, and a reload shows it.
    membership = Membership.unscoped.get(user__username="rep2", organization__slug="demo")
    assert membership.role == Role.DEPT_MEMBER
    page.reload()
    selected = page.locator("tr", has_text="rep2").locator("select[name$=role]")
    assert selected.input_value() == "dept_member"


def test_an_outsider_sees_only_their_organization(page, demo):
    sign_in(page, "other-rep")
    body = page.locator("body").inner_text()
    assert "Other Co" in body and "演示公司" not in body
    assert "张研发" not in body


def test_the_admin_finds_set_up_pages_in_the_sidebars_admin_section(page, demo):
    sign_in(page, "admin")
    admin = page.locator("nav .nav-section[data-section=admin]")
    assert admin.locator(".nav-heading").inner_text() == "管理"
    admin.locator("a", has_text="企业设置").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/departments/settings/")
    # The section and the page say where you are.
    assert "current" in admin.get_attribute("class")
    assert admin.locator("a[aria-current=page]").inner_text() == "企业设置"
    screenshot(page, "nav-admin-section-zh")


def test_the_sidebar_folds_behind_a_menu_button_at_phone_width(new_page, demo):
    page = new_page(width=390, height=844)
    sign_in(page, "admin")
    calendar = page.locator("nav .nav-section[data-section=admin] a", has_text="工作日历")
    assert not calendar.is_visible()
    page.click(".menu-toggle")
    assert calendar.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "nav-admin-menu-phone-zh")
