"""Review meetings: agenda from the sweep, classification, action items,
minutes; the tenancy trio on every page."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from requests_sla.escalation.services import sla_sweep
from requests_sla.meetings import services
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingStatus,
    ReviewMeeting,
    RootCause,
)
from requests_sla.meetings.selectors import overdue_action_items_for
from requests_sla.tests.factories import file_tech_support

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def breached(frozen, org, rep, head_rnd, ops):
    req = file_tech_support(rep, title="接口参数确认")
    frozen.move_to(dt.datetime(2025, 3, 4, 9, 30, tzinfo=SH))
    sla_sweep()
    with organization_scope(org.id):
        meeting = ReviewMeeting.objects.get()
        item = AgendaItem.objects.get()
    return req, meeting, item


@pytest.mark.django_db
def test_meeting_page_shows_the_overdue_request_on_its_agenda(client_for, breached, ops):
    req, meeting, _item = breached
    page = client_for(ops.user).get(reverse("escalation:meeting", args=[meeting.pk]))
    assert page.status_code == 200
    assert req.reference in page.content.decode()


@pytest.mark.django_db
def test_an_unclassified_item_has_no_preselected_cause_and_cannot_be_saved_without_one(
    client_for, breached, ops
):
    _req, meeting, item = breached
    client = client_for(ops.user)
    page = client.get(reverse("escalation:meeting", args=[meeting.pk])).content.decode()
    select = page.split(f'name="c{item.pk}-root_cause"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"[^>]*selected', select) == [""]
    response = client.post(
        reverse("escalation:classify", args=[meeting.pk, item.pk]),
        {f"c{item.pk}-root_cause": "", f"c{item.pk}-note": ""},
    )
    assert response.status_code == 400 and "Choose a root cause." in response.content.decode()
    item.refresh_from_db()
    assert item.root_cause == "" and item.classified_at is None


@pytest.mark.django_db
def test_chair_records_cause_and_action_item_then_closes_with_minutes(
    client_for, breached, ops, head_rnd
):
    _req, meeting, item = breached
    client = client_for(ops.user)
    response = client.post(
        reverse("escalation:classify", args=[meeting.pk, item.pk]),
        {f"c{item.pk}-root_cause": "subjective", f"c{item.pk}-note": "无人跟进"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("escalation:action_add", args=[meeting.pk, item.pk]),
        {
            f"a{item.pk}-title": "设立值班表",
            f"a{item.pk}-owner": head_rnd.user_id,
            f"a{item.pk}-due_date": "2025-03-05",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("escalation:close", args=[meeting.pk]), {"summary": "研发部建立值班"}
    )
    assert response.status_code == 302
    minutes = client.get(reverse("escalation:minutes", args=[meeting.pk])).content.decode()
    assert "设立值班表" in minutes and "研发部建立值班" in minutes
    item.refresh_from_db()
    meeting.refresh_from_db()
    assert item.root_cause == RootCause.SUBJECTIVE and meeting.status == MeetingStatus.CLOSED


@pytest.mark.django_db
def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client_for, breached, ops):
    _req, meeting, item = breached
    response = client_for(ops.user).post(
        reverse("escalation:action_add", args=[meeting.pk, item.pk]),
        {f"a{item.pk}-title": "补充人手", f"a{item.pk}-due_date": "not a date"},
    )
    assert response.status_code == 400
    assert "补充人手" in response.content.decode()


@pytest.mark.django_db
def test_a_closed_meeting_cannot_be_changed(breached, ops, head_rnd):
    from collab.errors import ServiceError

    _req, meeting, item = breached
    services.meeting_close(actor=ops, meeting=meeting)
    with pytest.raises(ServiceError):
        services.agenda_item_classify(actor=ops, item=item, root_cause="objective")


@pytest.mark.django_db
def test_department_head_cannot_classify(client_for, breached, head_rnd):
    _req, meeting, item = breached
    response = client_for(head_rnd.user).post(
        reverse("escalation:classify", args=[meeting.pk, item.pk]),
        {f"c{item.pk}-root_cause": "other"},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_outsider_gets_404_for_a_foreign_meeting_and_lists_stay_clean(
    client_for, breached, outsider, other_org
):
    from departments.roles import Role
    from departments.tests.factories import member

    _req, meeting, item = breached
    ops_other = member(
        other_org, role=Role.OPS_MANAGER, department_code="ops_mgmt", username="ops-other"
    )
    client = client_for(ops_other)
    assert client.get(reverse("escalation:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("escalation:minutes", args=[meeting.pk])).status_code == 404
    assert (
        client.post(reverse("escalation:classify", args=[meeting.pk, item.pk])).status_code == 404
    )
    listing = client.get(reverse("escalation:meetings")).content.decode()
    assert f"/meetings/{meeting.pk}/" not in listing


@pytest.mark.django_db
def test_sales_rep_cannot_see_meetings(client_for, breached, rep):
    assert client_for(rep.user).get(reverse("escalation:meetings")).status_code == 403


@pytest.mark.django_db
def test_overdue_action_items_show_on_the_owners_queue_include(
    frozen, client_for, breached, ops, head_rnd
):
    _req, meeting, item = breached
    services.action_item_add(
        actor=ops, item=item, title="补充人手", owner=head_rnd.user, due_date=dt.date(2025, 3, 5)
    )
    frozen.move_to(dt.datetime(2025, 3, 7, 10, tzinfo=SH))
    with organization_scope(item.organization_id):
        assert [a.title for a in overdue_action_items_for(head_rnd.user)] == ["补充人手"]
        assert list(overdue_action_items_for(ops.user)) == []
    queue_page = client_for(head_rnd.user).get("/requests/queue/").content.decode()
    assert "补充人手" in queue_page
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/requests/queue/")
    request.user, request.membership = head_rnd.user, head_rnd
    with organization_scope(item.organization_id):
        html = render_to_string("requests_sla/_my_action_items.html", {"request": request})
    assert "补充人手" in html
    with organization_scope(item.organization_id):
        action = ActionItem.objects.get()
    client_for(head_rnd.user).post(reverse("escalation:action_done", args=[action.pk]))
    with organization_scope(item.organization_id):
        assert list(overdue_action_items_for(head_rnd.user)) == []


@pytest.mark.django_db
def test_notification_centre_and_header_badge(client_for, breached, ops, outsider):
    client = client_for(ops.user)
    page = client.get(reverse("escalation:notifications")).content.decode()
    assert "REQ-000001" in page
    assert 'class="bell"' in page
    client.post(reverse("escalation:notifications"))
    with organization_scope(breached[1].organization_id):
        from requests_sla.notifications.models import Notification

        assert not Notification.objects.filter(recipient=ops.user, read_at__isnull=True).exists()
    assert (
        "REQ-000001"
        not in client_for(outsider).get(reverse("escalation:notifications")).content.decode()
    )


@pytest.mark.django_db
def test_settings_page_is_for_admins_and_saves_the_policy(client_for, org, owner, ops, public_dns):
    assert client_for(ops.user).get(reverse("escalation:settings")).status_code == 403
    client = client_for(owner)
    assert client.get(reverse("escalation:settings")).status_code == 200
    response = client.post(
        reverse("escalation:settings"),
        {
            "p-notify_at_risk": "on",
            "p-meeting_window_days": "3",
            "p-meeting_time": "14:30",
            "p-meeting_duration_minutes": "45",
            "p-follow_up_hours": "4",
            "p-raise_priority": "on",
            "w-url": "https://oapi.dingtalk.com/robot/send?access_token=x",
            "w-format": "dingtalk",
            "w-secret": "SEC123",
            "w-is_active": "on",
        },
    )
    assert response.status_code == 302
    from requests_sla.notifications.models import WebhookEndpoint
    from requests_sla.sla.models import EscalationPolicy

    with organization_scope(org.id):
        policy = EscalationPolicy.objects.get()
        assert (policy.follow_up_hours, policy.meeting_time) == (4, dt.time(14, 30))
        assert WebhookEndpoint.objects.get().format == "dingtalk"


@pytest.mark.django_db
def test_a_request_reviewed_on_one_meeting_is_not_put_on_another(breached, ops, frozen):
    req, meeting, item = breached
    with organization_scope(req.organization_id):
        services.agenda_item_classify(actor=ops, item=item, root_cause="objective")
        later = services.meeting_schedule(
            actor=ops, scheduled_at=meeting.scheduled_at + dt.timedelta(days=7), title="下周"
        )
        services.agenda_escalations_add(meeting=later, requests=[req], participants=[], at=None)
        assert not later.agenda.exists()
        assert AgendaItem.objects.filter(request=req).count() == 1
