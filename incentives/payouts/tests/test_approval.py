"""Payout runs through the approval chain: HR head → Finance head (→ the
admin above the threshold); the decided hook freezes or returns the run."""

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.roles import Role
from incentives.payouts import approval, services
from incentives.payouts.models import PayoutRun, RunState
from incentives.sprints import services as sprint_services
from incentives.tests.helpers import won
from requests_sla.approvals import services as approvals
from requests_sla.approvals.models import ApprovalStepDefinition
from requests_sla.catalog.models import RequestType
from requests_sla.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(org, hr, sprint, rep):
    sprint_services.target_set(
        actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=rep.user_id
    )
    won(org, rep, "50000", name="华东电力")
    return services.payout_compute(actor=hr, sprint=sprint)


def _run(org, run):
    with organization_scope(org.id):
        return PayoutRun.objects.select_related("approval_request").get(pk=run.pk)


def test_the_first_submission_creates_the_type_and_its_chain(org, hr, run):
    services.payout_submit(actor=hr, run=run)
    with organization_scope(org.id):
        rtype = RequestType.objects.select_related("serving_department").get(
            code=approval.PAYOUT_TYPE
        )
        chain = list(ApprovalStepDefinition.objects.filter(request_type=rtype).order_by("position"))
    assert [d.name_en for d in chain] == ["HR head", "Finance head", "Organization admin"]
    assert (chain[2].condition_field, chain[2].condition_value) == ("amount", "200000")
    assert rtype.serving_department.code == "finance"


def test_hr_head_then_finance_head_approve_and_the_run_freezes(org, hr, head_hr, head_fin, run):
    services.payout_submit(actor=hr, run=run)
    submitted = _run(org, run)
    assert submitted.state == RunState.SUBMITTED
    assert submitted.approval_request.extra["amount"] == "1500.00"
    with pytest.raises(ServiceError):  # Finance's step waits for HR's head
        services.payout_approve(actor=head_fin, run=run)
    services.payout_approve(actor=head_hr, run=run)
    assert _run(org, run).state == RunState.SUBMITTED
    approved = services.payout_approve(actor=head_fin, run=run)
    assert approved.state == RunState.APPROVED and approved.approved_by_id == head_fin.user_id
    with pytest.raises(ServiceError):  # frozen
        services.payout_approve(actor=head_fin, run=run)


def test_a_decision_on_the_request_page_moves_the_run(org, hr, head_fin, run):
    services.payout_submit(actor=hr, run=run)
    with organization_scope(org.id):
        step = approval.pending_step(_run(org, run))
    approvals.step_act(step_id=step.pk, actor=head_fin, action="reject", reason="金额有误")
    rejected = _run(org, run)
    assert rejected.state == RunState.DRAFT and rejected.approval_note == "金额有误"


def test_a_sent_back_run_is_resubmitted_on_the_same_request(org, hr, head_fin, run):
    services.payout_submit(actor=hr, run=run)
    services.payout_decide(actor=head_fin, run=run, action="send_back", reason="请补充说明")
    sent_back = _run(org, run)
    assert sent_back.state == RunState.DRAFT and sent_back.approval_note == "请补充说明"
    services.payout_compute(actor=hr, sprint=run.sprint)  # a draft again: recompute allowed
    services.payout_submit(actor=hr, run=run)
    again = _run(org, run)
    assert again.approval_request_id == sent_back.approval_request_id
    assert again.state == RunState.SUBMITTED and again.approval_note == ""
    assert services.payout_approve(actor=head_fin, run=run).state == RunState.APPROVED


def test_a_reject_needs_a_reason_and_nothing_moves_without_one(org, hr, head_fin, run):
    services.payout_submit(actor=hr, run=run)
    with pytest.raises(ServiceError):
        services.payout_decide(actor=head_fin, run=run, action="reject", reason="  ")
    assert _run(org, run).state == RunState.SUBMITTED


def test_above_the_threshold_the_admin_approves_last(org, hr, head_fin, sprint, rep):
    admin = person(org, Role.ORG_ADMIN, None, "boss")
    sprint_services.target_set(
        actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=rep.user_id
    )
    won(org, rep, "9000000")
    run = services.payout_compute(actor=hr, sprint=sprint)
    services.payout_submit(actor=hr, run=run)
    # No HR head in this organization: the admin stands in for that step too.
    services.payout_approve(actor=admin, run=run)
    services.payout_approve(actor=head_fin, run=run)
    assert _run(org, run).state == RunState.SUBMITTED
    assert services.payout_approve(actor=admin, run=run).state == RunState.APPROVED


def test_a_chain_whose_steps_all_skip_approves_on_submission(org, hr, run):
    with organization_scope(org.id):
        approval.payout_type(org.id)
        ApprovalStepDefinition.objects.filter(
            request_type__code=approval.PAYOUT_TYPE, condition_field=""
        ).delete()
    services.payout_submit(actor=hr, run=run)  # 1,500.00: the admin's step skips
    assert _run(org, run).state == RunState.APPROVED


def test_a_type_without_a_chain_refuses_submission(org, hr, run):
    with organization_scope(org.id):
        approval.payout_type(org.id)
        ApprovalStepDefinition.objects.filter(request_type__code=approval.PAYOUT_TYPE).delete()
    with pytest.raises(ServiceError):
        services.payout_submit(actor=hr, run=run)
    unchanged = _run(org, run)
    assert unchanged.state == RunState.DRAFT and unchanged.approval_request is None


def test_another_organizations_member_cannot_act(org, hr, head_fin, run, outsider_membership):
    services.payout_submit(actor=hr, run=run)
    with pytest.raises(PayoutRun.DoesNotExist):
        services.payout_approve(actor=outsider_membership, run=run)


def test_may_act_is_the_one_rule_of_the_page_and_the_service(client_for, hr, head_fin, run, org):
    """Before submission nobody may act (the page shows no button, the
    service refuses); submitted, only the pending step's approver may."""
    url = reverse("incentives:run", args=[run.pk])
    assert 'id="approve"' not in client_for(hr.user).get(url).content.decode()
    with organization_scope(org.id):
        assert not approval.may_act(run, None, hr.user_id)
    services.payout_submit(actor=hr, run=run)
    with organization_scope(org.id):
        fresh = PayoutRun.objects.get(pk=run.pk)
        step = approval.pending_step(fresh)
        assert step is not None
        assert approval.pending_of(approval.approval_steps(fresh)) == step
        assert approval.may_act(fresh, step, step.approver_id)
        outsiders = [u for u in (hr.user_id, head_fin.user_id) if u != step.approver_id]
        assert all(not approval.may_act(fresh, step, u) for u in outsiders)
