"""Pages of deals: list, create, edit, the stage stepper (htmx)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError, apply_service_error
from collab.parsing import optional_id
from pipeline import permissions
from pipeline.opportunities import flags, selectors, services
from pipeline.opportunities.forms import MoveForm, OpportunityForm
from pipeline.opportunities.models import Stage
from pipeline.permissions import pipeline_required


@pipeline_required(permissions.can_view_pipeline)
def opportunity_list(request):
    membership = request.membership
    opportunities = selectors.opportunities_visible_to(membership)
    mine = request.GET.get("mine", "1" if membership.role == "sales_rep" else "") == "1"
    if mine:
        opportunities = opportunities.filter(owner_id=request.user.pk)
    stage = optional_id(request.GET.get("stage"))
    if stage:
        opportunities = opportunities.filter(stage_id=stage)
    if request.GET.get("open", "1") == "1":
        opportunities = opportunities.filter(stage__is_won=False, stage__is_lost=False)
    page = Paginator(opportunities, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pipeline/opportunity_list.html",
        {
            "page": page,
            "mine": mine,
            "stages": Stage.objects.all(),
            "stage": stage,
            "open_only": request.GET.get("open", "1") == "1",
            "can_create": permissions.can_sell(membership),
            "now": timezone.now(),
        },
    )


@pipeline_required(permissions.can_sell)
def opportunity_create(request):
    membership = request.membership
    can_assign = permissions.manages_pipeline(membership)
    initial = {
        "account": request.GET.get("account"),
        "expected_close_date": timezone.localdate() + dt.timedelta(days=60),
    }
    form = OpportunityForm(
        request.POST or None, initial=initial, membership=membership, can_assign=can_assign
    )
    form.fields["account"].widget.attrs.update(flags.flags_attrs(reverse("pipeline:account_flags")))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("owner", request.user)
        try:
            opportunity = services.opportunity_create(actor=request.user, **data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("商机已创建。"))
            return redirect("pipeline:opportunity_detail", pk=opportunity.pk)
    chosen = (request.POST if request.method == "POST" else request.GET).get("account")
    return render(
        request,
        "pipeline/form.html",
        {
            "form": form,
            "title": _("新建商机"),
            "flags": True,
            "flag_account": flags.flagged_account(membership, account=chosen),
        },
    )


def _stepper_context(request, opportunity, move_form=None):
    return {
        "opportunity": opportunity,
        "stages": Stage.objects.all(),
        "history": selectors.stage_history(opportunity),
        "move_form": move_form or MoveForm(initial={"stage": opportunity.stage_id}),
        "can_edit": permissions.can_edit_opportunity(request.membership, opportunity),
    }


@pipeline_required(permissions.can_view_pipeline)
def opportunity_detail(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.membership), pk=pk)
    context = _stepper_context(request, opportunity)
    context["can_file"] = request.membership.can("file_requests")
    return render(request, "pipeline/opportunity_detail.html", context)


@pipeline_required(permissions.can_view_pipeline)
def opportunity_edit(request, pk: int):
    membership = request.membership
    opportunity = get_object_or_404(selectors.opportunities_visible_to(membership), pk=pk)
    if not permissions.can_edit_opportunity(membership, opportunity):
        raise PermissionDenied
    can_assign = permissions.manages_pipeline(membership)
    fields = (
        "account",
        "name",
        "owner",
        "amount",
        "currency",
        "expected_close_date",
        "probability",
        "next_step",
    )
    initial = {f: getattr(opportunity, f) for f in fields}
    form = OpportunityForm(
        request.POST or None, initial=initial, membership=membership, can_assign=can_assign
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("probability") is None:
            data["probability"] = opportunity.stage.default_probability
        try:
            services.opportunity_update(opportunity=opportunity, actor=request.user, **data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("商机已保存。"))
            return redirect("pipeline:opportunity_detail", pk=opportunity.pk)
    return render(
        request, "pipeline/form.html", {"form": form, "title": _("编辑商机"), "cancel": opportunity}
    )


@require_POST
@pipeline_required(permissions.can_view_pipeline)
def opportunity_move(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.membership), pk=pk)
    if not permissions.can_edit_opportunity(request.membership, opportunity):
        raise PermissionDenied
    form = MoveForm(request.POST)
    moved = False
    if form.is_valid():
        try:
            opportunity = services.opportunity_move(
                opportunity=opportunity,
                actor=request.user,
                stage=form.cleaned_data["stage"],
                lost_reason=form.cleaned_data["lost_reason"],
                lost_note=form.cleaned_data["lost_note"],
            )
            moved = True
        except ServiceError as exc:
            apply_service_error(form, exc)
    if not request.htmx:
        if moved:
            messages.success(request, _("阶段已更新。"))
            return redirect("pipeline:opportunity_detail", pk=opportunity.pk)
        return render(
            request,
            "pipeline/opportunity_detail.html",
            _stepper_context(request, opportunity, form),
        )
    context = _stepper_context(request, opportunity, None if moved else form)
    context["moved"] = moved
    return render(request, "pipeline/_stepper_moved.html", context)
