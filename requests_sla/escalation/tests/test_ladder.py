"""The escalation ladder, driven through time with time_machine.

Tech support (normal): response 24 calendar hours, resolution 5 working
days. Filed Monday 3 March 2025 09:00 Shanghai.
"""

import datetime as dt

import pytest
from django.core import mail

from collab.tenancy import organization_scope
from requests_sla.escalation.services import sla_sweep
from requests_sla.meetings.models import AgendaItem, MeetingParticipant, ReviewMeeting
from requests_sla.notifications.models import Notification, NotificationDelivery
from requests_sla.requests import services as request_services
from requests_sla.requests.models import Request
from requests_sla.sla.models import EscalationPolicy, EscalationStep, SlaTimer
from requests_sla.tests.factories import file_tech_support

SH = dt.timezone(dt.timedelta(hours=8))


def local(day, hour, minute=0):
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=SH)


def steps(org, **filters):
    with organization_scope(org.id):
        return sorted(EscalationStep.objects.filter(**filters).values_list("timer__key", "level"))


def sweep_at(frozen, when):
    frozen.move_to(when)
    return sla_sweep()


@pytest.mark.django_db
def test_each_level_fires_once_at_the_right_business_time(frozen, org, rep, head_rnd, dev_rnd, ops):
    req = file_tech_support(rep)
    request_services.request_assign(request=req, actor=head_rnd, assignee=dev_rnd.user)
    # 75 % of 24 h = 18 h: Monday 09:00 + 18 h = Tuesday 03:00.
    assert sweep_at(frozen, local(4, 2, 59)).escalations == []
    report = sweep_at(frozen, local(4, 3, 0))
    assert [(e.timer_key, e.level) for e in report.escalations] == [("response", 1)]
    assert sweep_at(frozen, local(4, 3, 30)).escalations == []  # again: nothing new
    # Breach: Tuesday 09:00 + 1 s.
    assert sweep_at(frozen, local(4, 8, 59)).escalations == []
    report = sweep_at(frozen, local(4, 9, 1))
    assert [(e.timer_key, e.level) for e in report.escalations] == [("response", 2)]
    # Level 3: 8 working hours of running time after 09:00 Tuesday → Tuesday 18:00.
    assert sweep_at(frozen, local(4, 17, 59)).escalations == []
    report = sweep_at(frozen, local(4, 18, 0))
    assert [(e.timer_key, e.level) for e in report.escalations] == [("response", 3)]
    assert sweep_at(frozen, local(5, 10)).escalations == []
    assert steps(org, timer__key="response") == [("response", 1), ("response", 2), ("response", 3)]
    req.refresh_from_db()
    assert req.priority == "high"  # raised by level 3
    with organization_scope(org.id):
        timer = SlaTimer.objects.get(request=req, key="response")
        assert timer.next_check_at is None  # the ladder is done with it


@pytest.mark.django_db
def test_a_raised_priority_leaves_a_history_row_and_shows_on_the_timeline(
    frozen, org, rep, head_rnd, client_for, client
):
    req = file_tech_support(rep)
    for when in (local(4, 3, 0), local(4, 9, 1), local(4, 18, 0)):
        sweep_at(frozen, when)
    with organization_scope(org.id):  # history rows are tenant rows too (RLS)
        last = req.history.order_by("-history_date", "-history_id").first()
    assert (last.priority, last.history_change_reason, last.history_user) == (
        "high",
        "escalation",
        None,
    )
    assert last.history_date == local(4, 18, 0)
    assert sweep_at(frozen, local(5, 10)).escalations == []  # raised once
    with organization_scope(org.id):
        assert req.history.filter(priority="urgent").count() == 0
    client.cookies["django_language"] = "zh-hans"
    body = client_for(rep.user).get(f"/requests/{req.pk}/").content.decode()
    assert "优先级：普通 → 高" in body


@pytest.mark.django_db
def test_breach_puts_the_request_on_the_next_meeting_with_the_right_people(
    frozen, org, rep, head_rnd, ops
):
    req = file_tech_support(rep)
    sweep_at(frozen, local(4, 9, 1))  # response breached (at-risk caught up)
    with organization_scope(org.id):
        meeting = ReviewMeeting.objects.get()
        assert meeting.scheduled_at == local(5, 10)  # next working day 10:00 local
        assert list(AgendaItem.objects.values_list("request_id", flat=True)) == [req.pk]
        people = set(MeetingParticipant.objects.values_list("user__username", flat=True))
        assert {"head-rnd", "ops"} <= people
        kinds = sorted(Notification.objects.values_list("recipient__username", "kind"))
    assert ("head-rnd", "sla_breached") in kinds and ("ops", "sla_breached") in kinds
    assert not any(kind == "sla_at_risk" for _u, kind in kinds)  # caught up, not announced


@pytest.mark.django_db
def test_an_existing_meeting_inside_the_window_is_reused(frozen, org, rep, ops):
    with organization_scope(org.id):
        planned = ReviewMeeting.objects.create(title="周会", scheduled_at=local(6, 15))
    file_tech_support(rep)
    file_tech_support(rep, title="second")
    sweep_at(frozen, local(4, 9, 1))
    with organization_scope(org.id):
        assert list(ReviewMeeting.objects.values_list("pk", flat=True)) == [planned.pk]
        assert AgendaItem.objects.filter(meeting=planned).count() == 2


@pytest.mark.django_db
def test_paused_and_resolved_requests_are_never_escalated(frozen, org, rep, head_rnd, dev_rnd):
    paused = file_tech_support(rep, title="paused")
    resolved = file_tech_support(rep, title="resolved")
    frozen.move_to(local(3, 10))
    request_services.request_pause(request=paused, actor=dev_rnd, reason="等客户补充参数")
    request_services.request_resolve(request=resolved, actor=dev_rnd, resolution="已答复")
    for day in (4, 5, 6, 7, 10, 11, 12, 13):
        sweep_at(frozen, local(day, 20))
    assert steps(org) == []


@pytest.mark.django_db
def test_a_timer_paused_after_selection_is_rechecked_inside_the_claim(frozen, org, rep, dev_rnd):
    req = file_tech_support(rep)
    request_services.request_acknowledge(request=req, actor=dev_rnd)
    frozen.move_to(local(9, 12))
    request_services.request_pause(request=req, actor=dev_rnd, reason="等客户")
    # A stale cache (as if the pause landed between selection and claim).
    with organization_scope(org.id):
        SlaTimer.objects.filter(request=req, key="resolution").update(next_check_at=local(9, 11))
    sweep_at(frozen, local(12, 9))
    assert steps(org) == []


@pytest.mark.django_db
def test_reopened_request_resumes_the_ladder_where_it_left_off(frozen, org, rep, dev_rnd):
    req = file_tech_support(rep)
    request_services.request_acknowledge(request=req, actor=dev_rnd)
    frozen.move_to(local(4, 10))
    request_services.request_resolve(request=req, actor=dev_rnd, resolution="done")
    sweep_at(frozen, local(17, 10))  # two weeks later: resolved, nothing fires
    assert steps(org) == []
    request_services.request_reopen(request=req, actor=rep, reason="客户反馈仍有问题")
    # 5 working days budget, 1 working hour used: 75 % is 29 h 15 m of work
    # from the start; 1 h used → at risk after 28 h 15 m more working time.
    with organization_scope(org.id):
        timer = SlaTimer.objects.get(request=req, key="resolution")
    assert sweep_at(frozen, timer.at_risk_at - dt.timedelta(minutes=1)).escalations == []
    report = sweep_at(frozen, timer.at_risk_at)
    assert [(e.timer_key, e.level) for e in report.escalations] == [("resolution", 1)]
    report = sweep_at(frozen, timer.due_at + dt.timedelta(hours=16))
    assert [(e.timer_key, e.level) for e in report.escalations] == [("resolution", 2)]
    assert steps(org) == [("resolution", 1), ("resolution", 2)]


@pytest.mark.django_db
def test_pause_after_breach_holds_level_three_until_it_has_run_long_enough(
    frozen, org, rep, dev_rnd, ops
):
    req = file_tech_support(rep)
    request_services.request_acknowledge(request=req, actor=dev_rnd)
    # Resolution: 5 working days → due Monday 10 March 18:00, breached at 09:00 next.
    report = sweep_at(frozen, local(11, 9, 1))
    assert [(e.timer_key, e.level) for e in report.escalations] == [
        ("resolution", 1),
        ("resolution", 2),
    ]
    frozen.move_to(local(11, 13))  # 3 working hours after the due time
    request_services.request_pause(request=req, actor=dev_rnd, reason="等客户")
    assert sweep_at(frozen, local(12, 17)).escalations == []
    frozen.move_to(local(13, 9))
    request_services.request_resume(request=req, actor=rep)
    assert sweep_at(frozen, local(13, 14, 59)).escalations == []
    report = sweep_at(frozen, local(13, 15))  # 5 h more: 09-12, 13-15
    assert [(e.timer_key, e.level) for e in report.escalations] == [("resolution", 3)]


@pytest.mark.django_db
def test_dry_run_changes_nothing(frozen, org, rep):
    file_tech_support(rep)
    frozen.move_to(local(4, 9, 1))
    report = sla_sweep(dry_run=True)
    assert [(e.timer_key, e.level) for e in report.escalations] == [
        ("response", 1),
        ("response", 2),
    ]
    assert steps(org) == []
    with organization_scope(org.id):
        assert not ReviewMeeting.objects.exists() and not Notification.objects.exists()
    assert len(sla_sweep().escalations) == 2


@pytest.mark.django_db
def test_email_at_night_is_held_until_the_next_working_minute(frozen, org, rep, head_rnd, dev_rnd):
    req = file_tech_support(rep)
    request_services.request_assign(request=req, actor=head_rnd, assignee=dev_rnd.user)
    mail.outbox.clear()
    sweep_at(frozen, local(4, 3))  # at risk at 03:00 on a Tuesday
    with organization_scope(org.id):
        held = NotificationDelivery.objects.filter(notification__kind="sla_at_risk")
        assert held.count() == 2 and {d.deliver_after for d in held} == {local(4, 9)}
        assert Notification.objects.filter(kind="sla_at_risk", read_at__isnull=True).count() == 2
    assert mail.outbox == []
    frozen.move_to(local(4, 9))
    from requests_sla.notifications.tasks import deliveries_sweep_task

    deliveries_sweep_task()
    at_risk = sorted(m.to[0] for m in mail.outbox if "SLA" in m.subject)
    assert at_risk == ["dev-rnd@example.com", "head-rnd@example.com"]


@pytest.mark.django_db
def test_off_hours_email_when_the_organization_asks_for_it(
    frozen, org, rep, head_rnd, django_capture_on_commit_callbacks
):
    with organization_scope(org.id):
        EscalationPolicy.objects.create(email_off_hours=True)
    file_tech_support(rep)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at(frozen, local(4, 3))
    # (the head's "new request" email, held since filing, goes out in the same flush)
    assert [m.to[0] for m in mail.outbox if "SLA" in m.subject] == ["head-rnd@example.com"]


@pytest.mark.django_db
def test_a_sweep_over_two_organizations_never_carries_one_scope_into_the_other(
    frozen, org, other_org, rep, monkeypatch
):
    from collab import tenancy
    from requests_sla.escalation.services import sweep as escalation
    from requests_sla.tests.factories import person

    file_tech_support(rep)
    file_tech_support(person(other_org, username="other-rep"))
    seen = []
    original = escalation._handle

    def spy(ctx, pairs, report):
        seen.append((ctx.organization_id, tenancy.current_organization_id()))
        return original(ctx, pairs, report)

    monkeypatch.setattr(escalation, "_handle", spy)
    frozen.move_to(local(4, 9, 1))
    report = sla_sweep()
    assert sorted(seen) == sorted([(org.id, org.id), (other_org.id, other_org.id)])
    assert {e.organization_id for e in report.escalations} == {org.id, other_org.id}
    assert tenancy.current_organization_id() is None
    with organization_scope(other_org.id):
        assert Request.objects.count() == 1 and EscalationStep.objects.count() == 2


@pytest.mark.django_db
def test_one_organizations_sweep_reads_its_due_timers_in_its_own_scope(
    frozen, org, other_org, rep, monkeypatch
):
    from collab import tenancy
    from requests_sla.escalation.services import sweep as escalation
    from requests_sla.tests.factories import person

    file_tech_support(rep)
    file_tech_support(person(other_org, username="other-rep"))
    unscoped = []

    def unscoped_spy(reason=""):
        unscoped.append(reason)
        return tenancy.dangerously_unscoped(reason)

    monkeypatch.setattr(escalation, "dangerously_unscoped", unscoped_spy)
    frozen.move_to(local(4, 9, 1))
    report = sla_sweep(organization_id=org.id)
    assert unscoped == []  # no cross-organization read for one organization
    assert {e.organization_id for e in report.escalations} == {org.id}
    with organization_scope(other_org.id):
        assert EscalationStep.objects.count() == 0
    with organization_scope(org.id):
        assert EscalationStep.objects.count() == 2
