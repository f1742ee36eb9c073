"""The budgets page: this quarter's budget per department, reserved,
consumed and available, its lines; Finance sets budgets and reserves."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from collab.parsing import optional_date
from finance import permissions
from finance.budgets import selectors, services
from finance.budgets.models import BudgetLine, quarter_label, quarter_start
from finance.forms import BudgetForm, ReservationForm
from finance.views.common import finance_only, finance_page, form_errors


@finance_page(permissions.can_view_budgets)
def budgets(request):
    day = optional_date(request.GET.get("period")) or timezone.localdate()
    rows = list(selectors.budgets_visible_to(request.membership, day))
    lines = selectors.budget_lines([b.pk for b in rows])
    start = quarter_start(day)
    return render(
        request,
        "finance/budgets.html",
        {
            "rows": [(b, lines[b.pk]) for b in rows],
            "period_start": start,
            "period_label": quarter_label(start),
            "previous": quarter_start(start - dt.timedelta(days=1)),
            "next": quarter_start(start + dt.timedelta(days=95)),
            "is_finance": permissions.is_finance(request.membership),
            "budget_form": BudgetForm(initial={"period_start": start}),
        },
    )


@require_POST
@finance_only
def budget_set(request):
    form = BudgetForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("finance:budgets")
    try:
        budget = services.budget_set(actor=request.membership, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("预算已保存。"))
        return redirect(f"{reverse('finance:budgets')}?period={budget.period_start}")
    return redirect("finance:budgets")


@require_POST
@finance_only
def reservation_add(request):
    form = ReservationForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("finance:budgets")
    data = form.cleaned_data
    try:
        services.reservation_make(
            actor=request.membership,
            budget_id=data["budget"],
            amount=data["amount"],
            label=data["label"],
            expires_on=data["expires_on"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已预留。"))
    return redirect("finance:budgets")


@require_POST
@finance_only
def reservation_release(request, pk: int):
    try:
        services.reservation_release(
            actor=request.membership, line_id=pk, organization_id=request.membership.organization_id
        )
    except BudgetLine.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("预留已释放。"))
    return redirect("finance:budgets")
