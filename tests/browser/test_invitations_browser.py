"""An invitation waits for the invited person's consent (issue #10 item 1):
Other Co's admin invites Demo Co's rep, who accepts it signed in."""

import pytest
from django.core.management import call_command

from departments.models import Membership
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo")


def test_rep_accepts_other_cos_invitation_signed_in(new_page, demo):
    admin = new_page()
    sign_in(admin, "other-admin")
    admin.goto("/departments/settings/")
    admin.fill("input[name=email]", "rep@demo.example")
    admin.select_option("select[name=role]", "sales_rep")
    admin.click("text=Send invitation")
    admin.wait_for_load_state("networkidle")
    assert "they join once they sign in and accept" in admin.locator(".messages").inner_text()
    assert admin.locator("#pending-invitations tr", has_text="rep@demo.example").is_visible()
    screenshot(admin, "invitation-admin-pending-en")
    # Nothing has changed for rep yet.
    assert list(
        Membership.unscoped.filter(user__username="rep").values_list(
            "organization__slug", flat=True
        )
    ) == ["demo"]

    rep = new_page()
    sign_in(rep, "rep")
    notice = rep.locator(".invite-notice")
    assert "1 个企业邀请你加入" in notice.inner_text()
    notice.locator("a").click()
    rep.wait_for_load_state("networkidle")
    card = rep.locator(".invitation", has_text="Other Co")
    assert "销售代表" in card.inner_text()
    screenshot(rep, "invitation-rep-zh")
    card.locator("button.primary").click()
    rep.wait_for_load_state("networkidle")
    assert "你已加入 Other Co" in rep.locator(".messages").inner_text()
    assert rep.locator(".invite-notice").count() == 0
    # The switcher now offers both, and rep still works in Demo Co.
    options = rep.locator("#org-switch option").all_inner_texts()
    assert sorted(options) == ["Other Co", "演示公司 Demo Co"]
    assert rep.locator("#org-switch option[selected]").inner_text() == "演示公司 Demo Co"
    screenshot(rep, "invitation-accepted-zh")
    assert sorted(
        Membership.unscoped.filter(user__username="rep").values_list(
            "organization__slug", flat=True
        )
    ) == ["demo", "other"]


def test_head_hr_reads_the_invitation_in_english_and_declines(page, demo):
    sign_in(page, "head-hr")  # the demo's pending invitation from Other Co
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    page.locator(".invite-notice a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Invitations"
    card = page.locator(".invitation", has_text="Other Co")
    assert "Accept and join Other Co" in card.inner_text()
    screenshot(page, "invitation-rep-en")
    card.locator("text=Decline").click()
    page.wait_for_load_state("networkidle")
    assert "Declined the invitation from Other Co" in page.locator(".messages").inner_text()
    assert "No invitations waiting for you." in page.locator("main").inner_text()
    screenshot(page, "invitation-declined-en")
    assert not Membership.unscoped.filter(
        user__username="head-hr", organization__slug="other"
    ).exists()
