"""Expense pages: file an expense (lines, receipts, the policy warning
before it goes), my expenses, and Finance's list to pay with its export."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from collab.exports import FORMATS, Sheet, sheets_response
from departments.models import bilingual
from enablement.campaigns.models import Campaign
from finance import permissions
from finance.expenses import selectors, services
from finance.expenses.approval_times import approval_times
from finance.expenses.models import ExpenseCategory
from finance.forms import ExpenseForm, ExpenseLineFormSet
from finance.views.common import finance_only, finance_page
from pipeline.opportunities.selectors import opportunities_visible_to


def _deals(membership) -> list[tuple[int, str]]:
    return list(
        opportunities_visible_to(membership).order_by("name").values_list("pk", "name")[:200]
    )


def _campaigns() -> list[tuple[int, str]]:
    """The organization's latest campaigns, for a line's 关联活动."""
    rows = Campaign.objects.order_by("-starts_on", "-id").values_list("pk", "title_zh", "title_en")
    return [(pk, bilingual(zh, en or zh)) for pk, zh, en in rows[:200]]


def _lines(formset) -> list[services.LineInput]:
    return [
        services.LineInput(
            date=f.cleaned_data["date"],
            category_id=f.cleaned_data["category"].pk,
            amount=f.cleaned_data["amount"],
            currency=f.cleaned_data["currency"],
            units=f.cleaned_data["units"] or 1,
            description=f.cleaned_data["description"],
            opportunity_id=f.cleaned_data["opportunity"],
            campaign_id=f.cleaned_data["campaign"],
            over_limit_reason=f.cleaned_data["over_limit_reason"],
            receipt=f.cleaned_data.get("receipt"),
        )
        for f in formset.forms
        if f.cleaned_data
    ]


@finance_page(permissions.can_file_expenses)
def expense_new(request):
    deals = _deals(request.membership)
    form = ExpenseForm(request.POST or None)
    formset = ExpenseLineFormSet(
        request.POST or None,
        request.FILES or None,
        prefix="lines",
        form_kwargs={"deals": deals, "campaigns": _campaigns()},
    )
    warnings = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        lines = _lines(formset)
        categories = {c.pk: c for c in ExpenseCategory.objects.all()}
        warnings = services.policy_check(lines, categories)
        missing = [w for w in warnings if not lines[w.position].over_limit_reason.strip()]
        if not missing:
            try:
                expense = services.expense_file(
                    actor=request.membership, **form.cleaned_data, lines=lines
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("已提交 %(ref)s。") % {"ref": expense.request.reference}
                )
                return redirect("requests_sla:detail", expense.request_id)
    return render(
        request,
        "finance/expense_form.html",
        {"form": form, "formset": formset, "warnings": warnings},
    )


@finance_page(permissions.can_file_expenses)
def expenses(request):
    is_finance = permissions.is_finance(request.membership)
    fmt = request.GET.get("format")
    if is_finance and fmt in FORMATS:
        return sheets_response(fmt, "expenses-to-pay", [_pay_sheet()])
    mine = list(
        selectors.expenses_visible_to(request.membership)
        .filter(requester_id=request.membership.user_id)
        .order_by("-created_at")[:100]
    )
    return render(
        request,
        "finance/expenses.html",
        {
            "mine": mine,
            "to_pay": list(selectors.expenses_to_pay()) if is_finance else [],
            "is_finance": is_finance,
            "times": approval_times(now=timezone.now()),
        },
    )


def _pay_sheet() -> Sheet:
    rows = []
    for expense in selectors.expenses_to_pay():
        for line in expense.lines.all():
            rows.append(
                [
                    expense.request.reference,
                    expense.requester.get_full_name() or expense.requester.username,
                    expense.department.name,
                    line.date,
                    line.category.name,
                    line.amount,
                    line.currency,
                    line.description,
                    line.campaign.title if line.campaign_id else line.campaign_note,
                    expense.approved_at,
                ]
            )
    headers = [
        _("编号"),
        _("报销人"),
        _("部门"),
        _("日期"),
        _("类别"),
        _("金额"),
        _("币种"),
        _("说明"),
        _("关联活动"),
        _("审批通过时间"),
    ]
    return Sheet(_("待付款费用"), headers, rows)


@require_POST
@finance_only
def expenses_pay(request):
    ids = [int(x) for x in request.POST.getlist("expense") if x.isdigit()]
    try:
        count = services.expenses_mark_paid(actor=request.membership, expense_ids=ids)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记付款 %(n)s 笔。") % {"n": count})
    return redirect("finance:expenses")
