"""The commission plans page: plans, their versions and tiers; managers add
a plan or a version (tiers written as "0-100:3" lines)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from incentives import forms, permissions
from incentives.plans import selectors, services
from incentives.plans.models import CommissionPlan
from incentives.views.common import form_errors, incentives_page, manager


@incentives_page(permissions.sees_all_figures)
def plans(request):
    plans = list(selectors.plans_all())
    for plan in plans:
        plan.rate_gaps = selectors.plan_rate_gaps(plan)
    selectors.name_parts([w for plan in plans for w in plan.rate_gaps])
    return render(
        request,
        "incentives/plans.html",
        {
            "plans": plans,
            "can_manage": permissions.can_manage(request.membership),
            "plan_form": forms.PlanForm(),
            "version_form": forms.VersionForm(),
        },
    )


@require_POST
@manager
def plan_create(request):
    form = forms.PlanForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("incentives:plans")
    try:
        services.plan_create(actor=request.membership, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("方案已创建，请添加第一个版本。"))
    return redirect("incentives:plans")


@require_POST
@manager
def version_add(request, pk):
    plan = get_object_or_404(CommissionPlan.objects, pk=pk)
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("incentives:plans")
    data = form.cleaned_data
    try:
        services.version_add(
            actor=request.membership,
            plan=plan,
            effective_from=data["effective_from"],
            tiers=services.tiers_parse(data["tiers"]),
            cap=data["cap"],
            note=data["note"],
            rates=services.rate_lines_parse(data["rate_lines"]),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("新版本已保存。"))
    return redirect("incentives:plans")
