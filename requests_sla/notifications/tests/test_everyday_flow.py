"""Notices of the everyday flow: the right person hears of each step, in
their own language, by email under the quiet-hours rule, and opening the
request reads them."""

import pytest
from django.core import mail
from django.utils import translation

from collab.tenancy import organization_scope
from departments.services import profile_set_language
from requests_sla.notifications.models import Notification, NotificationDelivery
from requests_sla.requests import services
from requests_sla.tests.factories import file_tech_support


def notices(user_id, kind=None):
    qs = Notification.unscoped.filter(recipient_id=user_id)
    return list(qs.filter(kind=kind) if kind else qs)


@pytest.mark.django_db
def test_a_new_request_tells_the_serving_heads_and_not_the_members(frozen, rep, head_rnd, dev_rnd):
    filed = file_tech_support(rep, title="并发上限")
    [notice] = notices(head_rnd.user_id, "new_request")
    assert notice.request_id == filed.pk and notice.params["ref"] == filed.reference
    with translation.override("zh-hans"):
        assert notice.display_text == f"新请求进入队列：{filed.reference} 并发上限"
    assert notices(dev_rnd.user_id) == [] and notices(rep.user_id) == []


@pytest.mark.django_db
def test_pause_resolve_and_reject_tell_the_requester_with_the_reason(
    frozen, rep, head_rnd, dev_rnd
):
    filed = file_tech_support(rep, title="日志")
    with organization_scope(rep.organization_id):
        services.request_pause(request=filed, actor=head_rnd, reason="请补充客户日志")
    [question] = notices(rep.user_id, "question")
    with translation.override("zh-hans"):
        assert question.display_text.endswith(
            "需要你补充信息：" + f"{filed.reference} 日志：请补充客户日志"
        )
    with translation.override("en"):
        assert "needs more information from you" in question.display_text
    # The requester replies: the assignee (nobody yet: the heads) hears.
    with organization_scope(rep.organization_id):
        services.comment_add(request=filed, actor=rep, body="日志已上传")
    assert [n.params["body"] for n in notices(head_rnd.user_id, "replied")] == ["日志已上传"]
    with organization_scope(rep.organization_id):
        services.request_assign(request=filed, actor=head_rnd, assignee=dev_rnd.user)
        services.comment_add(request=filed, actor=rep, body="还有一个问题")
        services.request_resolve(request=filed, actor=dev_rnd, resolution="已调大连接池")
    assert [n.params["body"] for n in notices(dev_rnd.user_id, "replied")] == ["还有一个问题"]
    [resolved] = notices(rep.user_id, "resolved")
    with translation.override("en"):
        assert resolved.display_text == f"{filed.reference} 日志 resolved: 已调大连接池"
    other = file_tech_support(rep, title="另一个")
    with organization_scope(rep.organization_id):
        services.request_reject(request=other, actor=head_rnd, reason="不属于研发")
    [rejected] = notices(rep.user_id, "rejected")
    assert rejected.params["reason"] == "不属于研发"
    # Email for each, held outside working hours like every notice.
    assert NotificationDelivery.unscoped.filter(notification__recipient=rep.user).count() == 3


@pytest.mark.django_db
def test_email_is_in_the_recipients_stored_language(
    frozen, rep, head_rnd, django_capture_on_commit_callbacks
):
    profile_set_language(user=rep.user, language="en")
    filed = file_tech_support(rep, title="日志")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), organization_scope(rep.organization_id):
        services.request_pause(request=filed, actor=head_rnd, reason="请补充客户日志")
    from requests_sla.notifications.outbox import deliveries_flush

    deliveries_flush(organization_id=rep.organization_id)
    [email] = [m for m in mail.outbox if m.to == [rep.user.email]]
    assert "needs more information from you" in email.subject


@pytest.mark.django_db
def test_opening_the_request_reads_its_notices(frozen, client_for, rep, head_rnd):
    filed = file_tech_support(rep)
    with organization_scope(rep.organization_id):
        services.request_pause(request=filed, actor=head_rnd, reason="请补充")
    other = file_tech_support(rep)
    with organization_scope(rep.organization_id):
        services.request_pause(request=other, actor=head_rnd, reason="请补充")
    client = client_for(rep.user)
    assert client.get(f"/requests/{filed.pk}/").status_code == 200
    unread = Notification.unscoped.filter(recipient=rep.user, read_at__isnull=True)
    assert [n.request_id for n in unread] == [other.pk]


@pytest.mark.django_db
def test_the_inbox_renders_each_notice_in_the_readers_language(frozen, client_for, rep, head_rnd):
    file_tech_support(rep, title="日志")
    client = client_for(head_rnd.user)
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get("/notifications/").content.decode()
    assert "New request in the queue:" in page
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    assert "新请求进入队列：" in client.get("/notifications/").content.decode()
