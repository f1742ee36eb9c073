"""Chains: materialised from the conditions at filing, approve / reject /
send back, not-yours and twice, resolve blocked until complete."""

from decimal import Decimal

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.approvals import services
from requests_sla.approvals.conditions import condition_holds
from requests_sla.approvals.models import FlowState, StepState
from requests_sla.approvals.tests.helpers import file_expense, flow_of, steps_of
from requests_sla.notifications.models import Notification
from requests_sla.requests.services import request_resolve
from requests_sla.sla.models import SlaTimer
from requests_sla.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "op", "limit", "expected"),
    [
        ("5000.00", "gt", "5000", False),
        ("5000.01", "gt", "5000", True),
        ("1,000,000", "gte", "50000", True),
        ("abc", "gt", "5000", False),
        (None, "gt", "5000", False),
        ("travel", "eq", "travel", True),
        ("travel", "ne", "travel", False),
        ("1e9", "gt", "5000", False),  # exponents are not amounts
    ],
)
def test_condition_compares_decimals_never_eval(value, op, limit, expected):
    assert condition_holds("amount", op, limit, {"amount": value}) is expected


def test_small_expense_needs_no_approval(rep, chain):
    request = file_expense(rep, "800.00")
    assert [s.state for s in steps_of(request)] == [StepState.SKIPPED, StepState.SKIPPED]
    assert flow_of(request).state == FlowState.APPROVED


def test_conditions_pick_the_steps_in_order(rep, chain, head_fin, admin):
    mid = file_expense(rep, "6000.00")
    assert [s.state for s in steps_of(mid)] == [StepState.PENDING, StepState.SKIPPED]
    assert steps_of(mid)[0].approver_id == head_fin.user_id
    big = file_expense(rep, "60000.00")
    first, second = steps_of(big)
    assert (first.state, second.state) == (StepState.PENDING, StepState.WAITING)
    with organization_scope(rep.organization_id):
        services.step_act(step_id=first.pk, actor=head_fin, action="approve")
    first, second = steps_of(big)
    assert first.state == StepState.APPROVED and first.actor_id == head_fin.user_id
    assert second.state == StepState.PENDING and second.approver_id == admin.user_id
    assert flow_of(big).state == FlowState.IN_PROGRESS
    services.step_act(step_id=second.pk, actor=admin, action="approve")
    assert flow_of(big).state == FlowState.APPROVED


def test_approver_is_notified_and_made_a_watcher(rep, chain, head_fin):
    request = file_expense(rep, "6000.00")
    assert Notification.unscoped.filter(
        recipient_id=head_fin.user_id, request_id=request.pk, kind="approval"
    ).exists()
    with organization_scope(request.organization_id):
        assert request.watchers.filter(pk=head_fin.user_id).exists()


def test_not_yours_and_twice(rep, chain, head_fin, admin):
    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    with pytest.raises(ServiceError) as not_yours:
        services.step_act(step_id=step.pk, actor=admin, action="approve")
    assert not isinstance(not_yours.value, services.StepConflict)
    services.step_act(step_id=step.pk, actor=head_fin, action="approve")
    with pytest.raises(services.StepConflict):
        services.step_act(step_id=step.pk, actor=head_fin, action="approve")
    step.refresh_from_db()
    assert step.state == StepState.APPROVED


def test_reject_needs_a_reason_and_ends_the_chain(rep, chain, head_fin):
    request = file_expense(rep, "60000.00")
    step = steps_of(request)[0]
    with pytest.raises(ServiceError):
        services.step_act(step_id=step.pk, actor=head_fin, action="reject", reason="  ")
    services.step_act(step_id=step.pk, actor=head_fin, action="reject", reason="超标")
    step.refresh_from_db()
    assert (step.state, step.reason) == (StepState.REJECTED, "超标")
    assert flow_of(request).state == FlowState.REJECTED
    timer = SlaTimer.unscoped.get(pk=step.timer_id)
    assert timer.stopped_at is not None


def test_send_back_then_resubmit_restarts_at_that_step(rep, chain, head_fin, admin):
    request = file_expense(rep, "60000.00")
    first = steps_of(request)[0]
    services.step_act(step_id=first.pk, actor=head_fin, action="approve")
    second = steps_of(request)[1]
    services.step_act(step_id=second.pk, actor=admin, action="send_back", reason="请附发票")
    assert flow_of(request).state == FlowState.SENT_BACK
    with pytest.raises(ServiceError):
        services.chain_resubmit(request=request, actor=admin)  # only the requester
    services.chain_resubmit(request=request, actor=rep, extra={"amount": "55000.00"})
    rows = steps_of(request)
    assert [(s.round, s.position, s.state) for s in rows] == [
        (1, 0, StepState.APPROVED),
        (1, 1, StepState.SENT_BACK),
        (2, 1, StepState.PENDING),
    ]
    request.refresh_from_db()
    assert Decimal(request.extra["amount"]) == Decimal("55000.00")
    services.step_act(step_id=rows[2].pk, actor=admin, action="approve")
    assert flow_of(request).state == FlowState.APPROVED


def test_resubmit_reads_the_conditions_again(rep, chain, head_fin):
    request = file_expense(rep, "60000.00")
    first = steps_of(request)[0]
    services.step_act(step_id=first.pk, actor=head_fin, action="send_back", reason="金额有误")
    services.chain_resubmit(request=request, actor=rep, extra={"amount": "4000.00"})
    assert flow_of(request).state == FlowState.APPROVED  # no step applies any more
    with pytest.raises(services.StepConflict):
        services.chain_resubmit(request=request, actor=rep)


def test_resolve_is_blocked_until_the_chain_completes(rep, chain, head_fin):
    request = file_expense(rep, "6000.00")
    with pytest.raises(ServiceError, match="审批|approval"):  # either language
        request_resolve(request=request, actor=head_fin)
    request.refresh_from_db()
    assert request.status != "resolved"
    services.step_act(step_id=steps_of(request)[0].pk, actor=head_fin, action="approve")
    request_resolve(request=request, actor=head_fin)
    request.refresh_from_db()
    assert request.status == "resolved"


def test_role_approver_and_fallback_to_admin(org, rep, admin):
    from requests_sla.approvals.models import ApprovalStepDefinition, ApproverKind
    from requests_sla.tests.factories import request_type

    rtype = request_type(org, "fin_expense_approval")
    ApprovalStepDefinition.unscoped.create(
        organization=org,
        request_type=rtype,
        position=0,
        name_zh="运营经理",
        approver_kind=ApproverKind.ROLE,
        role="ops_manager",
    )
    request = file_expense(rep, "100.00")
    assert steps_of(request)[0].approver_id == admin.user_id  # no ops manager yet
    ops = person(org, "ops_manager", "ops_mgmt", "ops")
    request = file_expense(rep, "100.00")
    assert steps_of(request)[0].approver_id == ops.user_id


def test_editing_the_chain_does_not_reroute_a_running_flow(org, rep, head_fin, admin):
    from requests_sla.approvals.models import ApprovalStepDefinition
    from requests_sla.tests.factories import request_type

    ops = person(org, "ops_manager", "ops_mgmt", "ops")
    rtype = request_type(org, "fin_expense_approval")
    finance = {"approver_kind": "dept_head", "department_id": head_fin.department_id}
    with organization_scope(org.id):
        services.chain_set(
            actor=admin,
            request_type=rtype,
            steps=[
                {"name_zh": "财务", **finance},
                {"name_zh": "运营", "approver_kind": "role", "role": "ops_manager"},
            ],
        )
    request = file_expense(rep, "100.00")
    with organization_scope(org.id):
        services.chain_set(actor=admin, request_type=rtype, steps=[{"name_zh": "财务", **finance}])
        assert ApprovalStepDefinition.objects.count() == 1
    first = steps_of(request)[0]
    services.step_act(step_id=first.pk, actor=head_fin, action="approve")
    second = steps_of(request)[1]
    assert (second.state, second.name_zh) == (StepState.PENDING, "运营")
    assert second.approver_id == ops.user_id  # as named at filing, not the admin fallback


def _definition_reads(queries) -> int:
    return sum('"requests_sla_approvalstepdefinition"' in q["sql"] for q in queries)


def test_filing_reads_the_chain_once_and_a_type_without_one_costs_one_read(org, rep, chain):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_sla.tests.factories import file_tech_support

    with CaptureQueriesContext(connection) as with_chain:
        request = file_expense(rep, "6000.00")
    assert flow_of(request).state == FlowState.IN_PROGRESS
    assert _definition_reads(with_chain.captured_queries) == 1  # the check is the chain
    with CaptureQueriesContext(connection) as without:
        request = file_tech_support(rep)
    assert _definition_reads(without.captured_queries) == 1
    assert not any('"requests_sla_approvalflow"' in q["sql"] for q in without.captured_queries)
    assert steps_of(request) == []
