"""The payment-risk warnings page, Finance's decision on one, and the
panels on the account and deal pages (registered with pipeline.panels):
the risk warnings, the link to a won deal's receivables, the deal's cost."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from finance import permissions
from finance.expenses import selectors as expense_selectors
from finance.forms import WarningActForm
from finance.risk import reasons, selectors, services
from finance.risk.models import RiskWarning, WarningState
from finance.views.common import finance_only, finance_page, form_errors


def _with_reasons(warnings):
    for w in warnings:
        w.reason = reasons.reason(w.rule, w.facts)
    return warnings


@finance_page(permissions.can_view_receivables)
def warnings(request):
    state = request.GET.get("state") or WarningState.OPEN
    rows = selectors.warnings_visible_to(request.membership)
    if state in WarningState.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "finance/warnings.html",
        {
            "warnings": _with_reasons(list(rows[:200])),
            "state": state,
            "states": WarningState.choices,
            "is_finance": permissions.is_finance(request.membership),
        },
    )


@require_POST
@finance_only
def warning_act(request, pk: int):
    get_object_or_404(RiskWarning.objects, pk=pk)
    form = WarningActForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("finance:warnings")
    try:
        services.warning_act(actor=request.membership, warning_id=pk, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("预警已处理。"))
    return redirect(
        request.POST.get("next") if _safe(request.POST.get("next")) else "finance:warnings"
    )


def _safe(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


def account_panel(request, account) -> str:
    """The account page's risk panel (also on every deal of the account)."""
    membership = getattr(request, "membership", None)
    if membership is None or not permissions.can_view_receivables(membership):
        return ""
    rows = _with_reasons(selectors.open_warnings_of_account(membership, account.pk))
    if not rows:
        return ""
    return render_to_string(
        "finance/_risk_panel.html",
        {"warnings": rows, "is_finance": permissions.is_finance(membership), "next": request.path},
        request=request,
    )


def opportunity_panel(request, opportunity) -> str:
    membership = getattr(request, "membership", None)
    if membership is None or not permissions.can_view_receivables(membership):
        return ""
    html = account_panel(request, opportunity.account) + _cost_panel(request, opportunity)
    link = (
        render_to_string("finance/_deal_link.html", {"deal": opportunity}, request=request)
        if opportunity.stage.is_won
        else ""
    )
    return html + link


def _cost_panel(request, opportunity) -> str:
    """The deal's cost: the approved expenses linked to it (one read)."""
    lines = expense_selectors.opportunity_cost(opportunity.pk)
    if not lines:
        return ""
    return render_to_string(
        "finance/_cost_panel.html",
        {"lines": lines, "totals": expense_selectors.cost_totals(lines)},
        request=request,
    )


def account_flag(request, account) -> str:
    """The new deal and new quote forms' flag: the account has open (or
    acknowledged, not resolved) payment-risk warnings. Any seller sees it,
    with the rules only: the invoices behind them may be another rep's."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_active:
        return ""
    rules = selectors.open_rules_of_account(account.pk)
    if not rules:
        return ""
    return render_to_string(
        "finance/_risk_flag.html", {"account": account, "rules": rules}, request=request
    )
