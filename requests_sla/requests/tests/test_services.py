"""The request lifecycle through the services, with the SLA clocks."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.notifications.models import Notification
from requests_sla.requests import services as request_services
from requests_sla.requests.models import Request, Status
from requests_sla.sla.models import SlaEvent, SlaTimer
from requests_sla.tests.factories import MONDAY_9AM, department, file_tech_support, request_type

UTC = dt.UTC


def local(day, hour, minute=0):
    """March 2025, Asia/Shanghai wall time → UTC."""
    return dt.datetime(
        2025, 3, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8))
    ).astimezone(UTC)


def timers(req):
    with organization_scope(req.organization_id):
        return {t.key: t for t in SlaTimer.objects.filter(request=req, superseded_at__isnull=True)}


@pytest.mark.django_db
def test_filing_starts_response_and_resolution_timers_on_the_calendar(frozen, rep):
    req = file_tech_support(rep)
    assert req.reference == "REQ-000001" and req.status == Status.NEW
    assert req.requesting_department.code == "business"
    clocks = timers(req)
    # R&D green channel: response within 24 calendar hours, resolution in 5 working days.
    assert clocks["response"].due_at == local(4, 9)
    assert clocks["resolution"].due_at == local(10, 18)
    assert clocks["response"].state == "on_track"
    assert clocks["response"].next_check_at == local(3, 9) + dt.timedelta(
        hours=18
    )  # 75 % → at risk
    req.refresh_from_db()
    assert req.sla_due_at == local(4, 9) and req.sla_state == "on_track"


@pytest.mark.django_db
def test_request_numbers_are_sequential_per_organization(frozen, rep, other_org):
    from requests_sla.tests.factories import person

    first = file_tech_support(rep)
    second = file_tech_support(rep)
    foreign = file_tech_support(person(other_org, username="other-rep"))
    assert (first.number, second.number, foreign.number) == (1, 2, 1)


@pytest.mark.django_db
def test_acknowledging_stops_the_response_clock_as_met(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    frozen.move_to(local(3, 15))
    request_services.request_acknowledge(request=req, actor=dev_rnd)
    clocks = timers(req)
    assert clocks["response"].met is True and clocks["response"].state == "met"
    assert clocks["response"].next_check_at is None
    assert clocks["resolution"].stopped_at is None
    req.refresh_from_db()
    assert req.status == Status.ACKNOWLEDGED and req.acknowledged_at == local(3, 15)
    assert req.sla_due_at == local(10, 18)


@pytest.mark.django_db
def test_a_late_response_is_recorded_as_breached(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    frozen.move_to(local(4, 10))
    request_services.request_start(request=req, actor=dev_rnd)
    response = timers(req)["response"]
    assert response.met is False and response.breached_at == local(4, 9)
    req.refresh_from_db()
    assert req.sla_state == "breached" and req.assignee_id == dev_rnd.user_id


@pytest.mark.django_db
def test_waiting_on_the_requester_pauses_and_extends_the_resolution_due_time(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    frozen.move_to(local(3, 13))
    request_services.request_pause(request=req, actor=dev_rnd, reason="请提供报错截图")
    clocks = timers(req)
    assert clocks["resolution"].paused and clocks["resolution"].next_check_at is None
    assert clocks["response"].met is True  # asking the requester is a response
    frozen.move_to(local(4, 13))  # one full working day later (8 working hours)
    request_services.comment_add(request=req, actor=rep, body="截图已上传")  # the answer resumes it
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS
    assert timers(req)["resolution"].due_at == local(11, 18)
    kinds = list(
        SlaEvent.unscoped.filter(timer__request=req, timer__key="resolution").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["start", "pause", "resume"]


@pytest.mark.django_db
def test_pause_needs_a_reason_and_changes_nothing_without_one(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    with pytest.raises(ServiceError) as error:
        request_services.request_pause(request=req, actor=dev_rnd, reason="  ")
    assert error.value.field == "reason"
    req.refresh_from_db()
    assert req.status == Status.NEW and not timers(req)["resolution"].paused


@pytest.mark.django_db
def test_reopening_continues_the_resolution_budget_it_had(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    frozen.move_to(local(5, 9))  # 16 of 48 working hours used
    request_services.request_resolve(request=req, actor=dev_rnd, resolution="已答复")
    resolution = timers(req)["resolution"]
    assert resolution.met is True and resolution.remaining_minutes == 32 * 60
    frozen.move_to(local(7, 9))
    request_services.request_reopen(request=req, actor=rep, reason="还有一个问题")
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS and req.resolved_at is None
    # 32 working hours from Friday 09:00: Fri, Mon, Tue, Wed → Wednesday 18:00.
    assert timers(req)["resolution"].due_at == local(12, 18)
    assert timers(req)["resolution"].stopped_at is None


@pytest.mark.django_db
def test_the_requester_cannot_reopen_after_the_window(frozen, rep, dev_rnd, head_rnd):
    req = file_tech_support(rep)
    request_services.request_resolve(request=req, actor=dev_rnd)
    frozen.move_to(MONDAY_9AM + dt.timedelta(days=30))
    with pytest.raises(ServiceError):
        request_services.request_reopen(request=req, actor=rep)
    request_services.request_reopen(request=req, actor=head_rnd, reason="客户再次反馈")
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_resolving_also_stops_a_running_response_clock(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    frozen.move_to(local(3, 11))
    request_services.request_resolve(request=req, actor=dev_rnd, resolution="直接解决")
    clocks = timers(req)
    assert clocks["response"].stopped_at == local(3, 11) and clocks["resolution"].met
    req.refresh_from_db()
    assert req.status == Status.RESOLVED and req.acknowledged_at == local(3, 11)
    assert req.sla_state == "met" and req.sla_due_at is None
    request_services.request_close(request=req, actor=rep)
    req.refresh_from_db()
    assert req.status == Status.CLOSED


@pytest.mark.django_db
def test_transitions_out_of_order_are_refused_with_the_status_field(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    for service in (
        request_services.request_resume,
        request_services.request_close,
        request_services.request_reopen,
    ):
        with pytest.raises(ServiceError) as error:
            service(
                request=req,
                actor=dev_rnd if service is not request_services.request_reopen else rep,
            )
        assert error.value.field == "status"
    request_services.request_cancel(request=req, actor=rep, reason="不需要了")
    with pytest.raises(ServiceError):
        request_services.request_start(request=req, actor=dev_rnd)
    assert all(t.stop_reason == "cancelled" for t in timers(req).values())


@pytest.mark.django_db
def test_only_the_serving_department_works_a_request(frozen, rep, rep2, head_mkt, dev_rnd):
    req = file_tech_support(rep)
    for actor in (rep, rep2, head_mkt):
        with pytest.raises(PermissionDenied):
            request_services.request_acknowledge(request=req, actor=actor)
    with pytest.raises(PermissionDenied):
        request_services.request_reject(
            request=req, actor=dev_rnd, reason="不是我们的"
        )  # heads only
    with pytest.raises(PermissionDenied):
        request_services.request_cancel(request=req, actor=dev_rnd, reason="x")  # requester only


@pytest.mark.django_db
def test_cancel_and_reject_need_a_reason(frozen, rep, head_rnd):
    req = file_tech_support(rep)
    with pytest.raises(ServiceError) as error:
        request_services.request_reject(request=req, actor=head_rnd, reason="")
    assert error.value.field == "reason"
    request_services.request_reject(request=req, actor=head_rnd, reason="属于产品管理部")
    req.refresh_from_db()
    assert req.status == Status.REJECTED and req.status_reason == "属于产品管理部"


@pytest.mark.django_db
def test_transfer_keeps_the_old_clocks_and_starts_the_new_departments(
    frozen, org, rep, head_rnd, dev_rnd
):
    req = file_tech_support(rep)
    request_services.request_assign(request=req, actor=head_rnd, assignee=dev_rnd.user)
    frozen.move_to(local(3, 10))
    quote = request_type(org, "pm_pricing_quote")
    request_services.request_transfer(
        request=req,
        actor=head_rnd,
        serving_department=quote.serving_department,
        request_type=quote,
        reason="实为报价问题",
    )
    req.refresh_from_db()
    with organization_scope(org.id):  # related rows: RLS needs the scope
        assert (
            req.serving_department.code == "product"
            and req.assignee is None
            and req.status == Status.NEW
        )
    with organization_scope(org.id):
        old = SlaTimer.objects.filter(request=req, superseded_at__isnull=False)
        assert {t.stop_reason for t in old} == {"transferred"} and old.count() == 2
    clocks = timers(req)
    # Product's normal quote support: response within 8 working hours of 10:00 Monday.
    assert clocks["response"].started_at == local(3, 10) and clocks["response"].due_at == local(
        4, 10
    )


@pytest.mark.django_db
def test_transfer_refuses_a_type_of_another_department_and_writes_nothing(
    frozen, org, rep, head_rnd
):
    req = file_tech_support(rep)
    with pytest.raises(ServiceError) as error:
        request_services.request_transfer(
            request=req,
            actor=head_rnd,
            serving_department=department(org, "product"),
            request_type=request_type(org, "mkt_talk_track"),
        )
    assert error.value.field == "request_type"
    assert len(timers(req)) == 2 and SlaTimer.unscoped.filter(request=req).count() == 2


@pytest.mark.django_db
def test_assignee_must_be_an_active_member_of_the_serving_department(
    frozen, rep, head_rnd, head_mkt, dev_rnd
):
    req = file_tech_support(rep)
    with pytest.raises(ServiceError) as error:
        request_services.request_assign(request=req, actor=head_rnd, assignee=head_mkt.user)
    assert error.value.field == "assignee"
    request_services.request_assign(request=req, actor=head_rnd, assignee=dev_rnd.user)
    req.refresh_from_db()
    assert req.assignee_id == dev_rnd.user_id
    assert Notification.unscoped.filter(recipient=dev_rnd.user, kind="assigned").count() == 1


@pytest.mark.django_db
def test_bulk_assign_is_all_or_nothing(frozen, rep, head_rnd, dev_rnd, head_mkt):
    ours = [file_tech_support(rep), file_tech_support(rep)]
    request_services.requests_bulk_assign(requests=ours, actor=head_rnd, assignee=dev_rnd.user)
    assert set(
        Request.unscoped.filter(pk__in=[r.pk for r in ours]).values_list("assignee_id", flat=True)
    ) == {dev_rnd.user_id}
    fresh = [file_tech_support(rep), file_tech_support(rep)]
    request_services.request_cancel(request=fresh[1], actor=rep, reason="重复")
    with pytest.raises(ServiceError):
        request_services.requests_bulk_assign(requests=fresh, actor=head_rnd, assignee=dev_rnd.user)
    assert Request.unscoped.get(pk=fresh[0].pk).assignee_id is None


@pytest.mark.django_db
def test_filing_validates_type_department_priority_and_the_form(frozen, org, rep):
    tech = request_type(org, "rnd_tech_support")
    with organization_scope(org.id):
        with pytest.raises(ServiceError) as error:
            request_services.request_file(
                actor=rep,
                request_type=tech,
                serving_department=department(org, "marketing"),
                title="x",
                extra={"customer_name": "A"},
            )
        assert error.value.field == "request_type"
        with pytest.raises(ServiceError) as error:
            request_services.request_file(
                actor=rep, request_type=tech, priority="someday", title="x"
            )
        assert error.value.field == "priority"
        with pytest.raises(request_services.SchemaError) as error:
            request_services.request_file(
                actor=rep, request_type=tech, title="x", extra={"product_version": 3, "bogus": 1}
            )
        assert set(error.value.errors) == {"customer_name", "bogus"}
        tech.is_active = False
        tech.save()
        with pytest.raises(ServiceError) as error:
            request_services.request_file(
                actor=rep, request_type=tech, title="x", extra={"customer_name": "A"}
            )
        assert error.value.field == "request_type"
    assert Request.unscoped.count() == 0 and SlaTimer.unscoped.count() == 0


@pytest.mark.django_db
def test_feasibility_requests_get_a_milestone_clock_that_can_be_completed(
    frozen, org, rep, dev_rnd
):
    feasibility = request_type(org, "rnd_feasibility")
    with organization_scope(org.id):
        req = request_services.request_file(
            actor=rep,
            request_type=feasibility,
            title="集团多级权限",
            extra={
                "customer_name": "星河",
                "background": "b",
                "pain_point": "p",
                "expected_outcome": "e",
            },
        )
    milestone = timers(req)["feasibility"]
    assert milestone.kind == "milestone" and milestone.name_zh == "可行性答复"
    assert milestone.due_at == local(10, 18)  # 5 working days
    request_services.request_milestone_complete(request=req, actor=dev_rnd, key="feasibility")
    assert timers(req)["feasibility"].met is True


@pytest.mark.django_db
def test_mentions_are_recorded_and_notified_but_internal_notes_stay_internal(
    frozen, rep, dev_rnd, head_rnd
):
    req = file_tech_support(rep)
    note = request_services.comment_add(
        request=req, actor=dev_rnd, body="@head-rnd 请看一下，@teammate 不用管", is_internal=True
    )
    with organization_scope(note.organization_id):
        assert {u.username for u in note.mentions.all()} == {"head-rnd"}
    assert Notification.unscoped.filter(recipient=rep.user).count() == 0
    assert Notification.unscoped.filter(recipient=head_rnd.user, kind="mention").count() == 1
    with pytest.raises(PermissionDenied):
        request_services.comment_add(request=req, actor=rep, body="内部？", is_internal=True)


@pytest.mark.django_db
def test_the_mentioned_members_come_with_their_departments_in_one_query(
    rep, dev_rnd, head_rnd, head_mkt, django_assert_num_queries
):
    """An internal note asks of every mentioned member whether they serve the
    request (their department's code): read with them, not once each."""
    from requests_sla.requests.services.conversation import _mentioned_members

    req = file_tech_support(rep)
    with organization_scope(rep.organization_id), django_assert_num_queries(1):
        members = _mentioned_members("@head-rnd @dev-rnd @head-mkt 请看")
        codes = sorted(m.department.code for m in members)
        served = sorted(
            m.user.username for m in members if m.department_id == req.serving_department_id
        )
    assert codes == ["marketing", "rnd", "rnd"] and served == ["dev-rnd", "head-rnd"]


@pytest.mark.django_db
def test_a_serving_members_first_public_comment_is_the_first_response(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    frozen.move_to(local(3, 10))
    request_services.comment_add(request=req, actor=dev_rnd, body="收到，正在确认")
    req.refresh_from_db()
    assert req.status == Status.ACKNOWLEDGED and timers(req)["response"].met


@pytest.mark.django_db
@override_settings(COLLAB_ATTACHMENT_MAX_BYTES=1024)
def test_attachments_respect_size_and_type_limits(frozen, rep):
    req = file_tech_support(rep)
    big = SimpleUploadedFile("log.txt", b"x" * 2048, content_type="text/plain")
    with pytest.raises(ServiceError) as error:
        request_services.attachment_add(request=req, actor=rep, file=big)
    assert error.value.field == "file"
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
    with pytest.raises(ServiceError):
        request_services.attachment_add(request=req, actor=rep, file=script)
    ok = request_services.attachment_add(
        request=req,
        actor=rep,
        file=SimpleUploadedFile("报价.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    assert ok.original_name == "报价.pdf" and ok.size == 8 and "报价" not in ok.file.name


@pytest.mark.django_db
def test_watchers_can_be_added_and_removed(frozen, rep, rep2, dev_rnd):
    req = file_tech_support(rep)
    request_services.watcher_add(request=req, actor=rep, user=rep2.user)
    with organization_scope(rep.organization_id):
        assert list(req.watchers.values_list("username", flat=True)) == ["rep2"]
    with pytest.raises(PermissionDenied):
        request_services.watcher_add(
            request=req, actor=rep2, user=dev_rnd.user
        )  # watchers add only themselves
    request_services.watcher_remove(request=req, actor=rep2, user=rep2.user)
    with organization_scope(rep.organization_id):
        assert not req.watchers.exists()


@pytest.mark.django_db
def test_filing_checks_each_upload_once_before_writing_and_stores_it(frozen, rep, monkeypatch):
    from collab import uploads

    looked = []
    check = uploads.check_content
    monkeypatch.setattr(
        uploads, "check_content", lambda file, ext: looked.append(file.name) or check(file, ext)
    )
    spec = SimpleUploadedFile("spec.pdf", b"%PDF-1.4", content_type="application/pdf")
    filed = file_tech_support(rep, files={"attachment": spec})
    assert looked == ["spec.pdf"]
    [attachment] = filed.filed_attachments
    assert attachment.field_key == "attachment" and filed.extra["attachment"] == attachment.pk
    with organization_scope(rep.organization_id):
        assert Request.objects.get(pk=filed.pk).extra["attachment"] == attachment.pk
