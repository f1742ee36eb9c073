"""Reads of approval chains, the request's visibility rule applied."""

from __future__ import annotations

from django.db.models import QuerySet

from departments.models import Membership
from requests_sla.approvals.models import (
    ApprovalDelegation,
    ApprovalFlow,
    ApprovalStep,
    ApprovalStepDefinition,
    StepState,
)
from requests_sla.requests.models import OPEN_STATUSES, Request
from requests_sla.requests.selectors import requests_visible_to


def pending_for(membership: Membership) -> QuerySet[ApprovalStep]:
    """The member's steps awaiting their decision ("待我审批"), oldest first,
    on open requests, with what a row shows (a constant number of queries)."""
    if not membership.is_active:
        return ApprovalStep.objects.none()
    return (
        ApprovalStep.objects.filter(
            approver_id=membership.user_id,
            state=StepState.PENDING,
            request__status__in=OPEN_STATUSES,
        )
        .select_related(
            "request",
            "request__request_type",
            "request__requester",
            "on_behalf_of",
            "timer",
        )
        .order_by("activated_at", "pk")
    )


def step_visible(membership: Membership, step_id) -> ApprovalStep:
    """A step of a request the member may see; ``DoesNotExist`` otherwise
    (another organization's id, a request they cannot see: a 404)."""
    visible = requests_visible_to(membership).values("pk")
    return (
        ApprovalStep.objects.select_related("request", "approver", "on_behalf_of", "actor")
        .filter(request_id__in=visible)
        .get(pk=step_id)
    )


def flow_of(request: Request) -> ApprovalFlow | None:
    """The request's flow with its steps (history of every round) in order."""
    flow = ApprovalFlow.objects.filter(request_id=request.pk).first()
    if flow is not None:
        flow.all_steps = list(
            flow.steps.select_related("approver", "on_behalf_of", "actor").order_by(
                "position", "round"
            )
        )
    return flow


def chain_of(request_type) -> QuerySet[ApprovalStepDefinition]:
    return ApprovalStepDefinition.objects.filter(request_type=request_type).select_related(
        "department"
    )


def delegations_of(membership: Membership) -> QuerySet[ApprovalDelegation]:
    return ApprovalDelegation.objects.filter(delegator_id=membership.user_id).select_related(
        "delegate"
    )
