"""The department queue: due-first, filtered, constant query count."""

import datetime as dt

import pytest

from collab.tenancy import organization_scope
from requests_sla.requests import selectors
from requests_sla.requests import services as request_services
from requests_sla.requests.serializers import RequestListOutput
from requests_sla.sla import services as sla_services
from requests_sla.tests.factories import file_tech_support


def render_queue(membership, filters=None):
    with organization_scope(membership.organization_id):
        rows = list(selectors.department_queue(membership, filters)[:50])
        return RequestListOutput(rows, many=True).data


@pytest.mark.django_db
def test_queue_query_count_does_not_grow_with_the_number_of_requests(
    frozen, rep, head_rnd, dev_rnd, django_assert_num_queries
):
    for _ in range(2):
        request_services.request_assign(
            request=file_tech_support(rep), actor=head_rnd, assignee=dev_rnd.user
        )
    with django_assert_num_queries(2):  # requests with their relations + current timers
        assert len(render_queue(head_rnd)) == 2
    for priority in ("low", "normal", "high", "urgent") * 3:
        request_services.request_start(
            request=file_tech_support(rep, priority=priority), actor=dev_rnd
        )
    with django_assert_num_queries(2):
        assert len(render_queue(head_rnd)) == 14


@pytest.mark.django_db
def test_queue_is_sorted_by_the_next_due_time_and_filters(
    frozen, rep, rep2, head_rnd, dev_rnd, head_mkt, ops
):
    low = file_tech_support(rep, priority="low")  # response due in 48 h
    urgent = file_tech_support(rep2, priority="urgent")  # 4 h
    normal = file_tech_support(rep, priority="normal")  # 24 h
    request_services.request_assign(request=normal, actor=head_rnd, assignee=dev_rnd.user)
    done = file_tech_support(rep)
    request_services.request_resolve(request=done, actor=dev_rnd)
    assert [r["id"] for r in render_queue(head_rnd)] == [urgent.pk, normal.pk, low.pk]
    assert [r["id"] for r in render_queue(head_rnd, {"assignee": dev_rnd.user_id})] == [normal.pk]
    assert [r["id"] for r in render_queue(head_rnd, {"assignee": "none"})] == [urgent.pk, low.pk]
    assert [r["id"] for r in render_queue(head_rnd, {"status": ["resolved"]})] == [done.pk]
    assert render_queue(head_mkt) == []
    assert len(render_queue(ops)) == 3
    with organization_scope(rep.organization_id):
        assert not selectors.department_queue(rep).exists()  # reps have no queue


@pytest.mark.django_db
def test_queue_filters_by_sla_state(frozen, rep, head_rnd):
    urgent = file_tech_support(rep, priority="urgent")
    file_tech_support(rep, priority="low")
    frozen.shift(
        dt.timedelta(hours=3, minutes=30)
    )  # 4 h response: past 75 %, an at-risk check is due
    with organization_scope(rep.organization_id):
        from requests_sla.sla.models import SlaTimer

        for timer in SlaTimer.objects.filter(next_check_at__lte=dt.datetime.now(dt.UTC)):
            sla_services.timer_recompute(timer)
            sla_services.request_refresh_sla(timer.request)
    assert [r["id"] for r in render_queue(head_rnd, {"sla_state": "at_risk"})] == [urgent.pk]
