"""Approval pages: my queue ("待我审批", one-click approve), acting on a step
(from the queue, the request page or the email link), resubmitting after a
send-back, delegations, and an admin's chain editor for a request type."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from requests_sla.approvals import selectors, services, signed_links
from requests_sla.approvals.forms import (
    ChainFormSet,
    DecisionForm,
    DelegationForm,
    resubmit_form,
)
from requests_sla.approvals.models import ApprovalDelegation, ApprovalStep
from requests_sla.catalog.models import RequestType
from requests_sla.requests import selectors as request_selectors
from requests_sla.requests.views.common import safe_next


def _queue_context(request, **extra) -> dict:
    membership = request.membership
    return {
        "steps": list(selectors.pending_for(membership)),
        "delegations": list(selectors.delegations_of(membership)),
        "delegation_form": extra.pop("delegation_form", None)
        or DelegationForm(membership=membership),
        **extra,
    }


@membership_required()
def approvals_queue(request):
    return render(request, "requests_sla/approvals/queue.html", _queue_context(request))


def _act(request, step_id: int, fallback: str):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(safe_next(request, fallback))
    try:
        step = services.step_act(
            step_id=step_id,
            actor=request.membership,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except ApprovalStep.DoesNotExist:
        raise Http404 from None
    except services.StepConflict as exc:
        messages.info(request, exc.message)
        return redirect(safe_next(request, fallback))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(safe_next(request, fallback))
    messages.success(
        request,
        _("%(ref)s：%(state)s")
        % {"ref": step.request.reference, "state": step.get_state_display()},
    )
    return redirect(safe_next(request, fallback))


@require_POST
@membership_required()
def approval_act(request, pk: int):
    try:
        selectors.step_visible(request.membership, pk)
    except ApprovalStep.DoesNotExist:
        raise Http404 from None
    return _act(request, pk, reverse("requests_sla:approvals"))


@membership_required()
def approval_link(request, token: str):
    """The email's signed link: shows the step; the approver decides by POST."""
    try:
        claim = signed_links.claim_read(token)
    except signed_links.LinkExpired:
        return render(request, "requests_sla/approvals/link.html", {"expired": True}, status=410)
    except signed_links.LinkInvalid:
        raise Http404 from None
    membership = request.membership
    if claim.organization_id != membership.organization_id:
        raise Http404
    if claim.user_id != membership.user_id:
        raise PermissionDenied
    try:
        step = selectors.step_visible(membership, claim.step_id)
    except ApprovalStep.DoesNotExist:
        raise Http404 from None
    if step.approver_id != membership.user_id:
        raise PermissionDenied
    if request.method == "POST":
        return _act(request, step.pk, reverse("requests_sla:detail", args=[step.request_id]))
    return render(request, "requests_sla/approvals/link.html", {"step": step, "token": token})


@require_POST
@membership_required()
def approval_resubmit(request, pk: int):
    obj = request_selectors.request_get(request.membership, pk)
    form = resubmit_form(obj, request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("requests_sla:detail", pk=obj.pk)
    try:
        services.chain_resubmit(request=obj, actor=request.membership, extra=form.extra_values)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新提交审批。"))
    return redirect("requests_sla:detail", pk=obj.pk)


@require_POST
@membership_required()
def delegation_add(request):
    form = DelegationForm(request.POST, membership=request.membership)
    if form.is_valid():
        try:
            services.delegation_add(
                actor=request.membership,
                delegate_id=form.cleaned_data["delegate"].user_id,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("已设置审批代理。"))
            return redirect("requests_sla:approvals")
    context = _queue_context(request, delegation_form=form)
    return render(request, "requests_sla/approvals/queue.html", context, status=400)


@require_POST
@membership_required()
def delegation_remove(request, pk: int):
    try:
        services.delegation_remove(actor=request.membership, delegation_id=pk)
    except ApprovalDelegation.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("已取消审批代理。"))
    return redirect("requests_sla:approvals")


@membership_required("manage_catalog")
def chain_edit(request, type_id: int):
    request_type = get_object_or_404(RequestType, pk=type_id)
    keys = [f["key"] for f in request_type.form_schema or []]
    initial = [
        {
            "name_zh": d.name_zh,
            "name_en": d.name_en,
            "approver_kind": d.approver_kind,
            "role": d.role,
            "department": d.department,
            "condition_field": d.condition_field,
            "condition_operator": d.condition_operator,
            "condition_value": d.condition_value,
            "sla_hours": d.sla_hours,
            "ORDER": d.position + 1,
        }
        for d in selectors.chain_of(request_type)
    ]
    formset = ChainFormSet(
        request.POST or None, initial=initial, form_kwargs={"field_keys": keys}, prefix="steps"
    )
    if request.method == "POST" and formset.is_valid():
        specs = [f.spec() for f in formset.ordered_forms]
        try:
            services.chain_set(actor=request.membership, request_type=request_type, steps=specs)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("审批流程已保存。"))
            return redirect("requests_sla:approval_chain", type_id=request_type.pk)
    return render(
        request,
        "requests_sla/approvals/chain.html",
        {"request_type": request_type, "formset": formset, "field_keys": keys},
        status=400 if request.method == "POST" else 200,
    )
