"""A won deal's receivables page (payment plan, invoices, payments) and the
bank import with its unmatched rows."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.errors import ServiceError
from finance import permissions
from finance.forms import BankImportForm, InvoiceForm, MatchForm, MilestoneFormSet, PaymentForm
from finance.receivables import selectors, services
from finance.receivables.bank_import import bank_import
from finance.receivables.models import BankImport, Invoice, Milestone, Payment
from finance.views.common import finance_only, finance_page, form_errors
from pipeline.opportunities.models import Opportunity
from pipeline.opportunities.selectors import opportunities_visible_to


def _deal(request, pk: int):
    """Finance, ops, the admin and the sales head open every deal's
    receivables; a rep only their own deals' (another's is a 404)."""
    membership = request.membership
    deals = Opportunity.objects.all()
    if not selectors.sees_all_receivables(membership):
        deals = opportunities_visible_to(membership).filter(owner_id=membership.user_id)
    return get_object_or_404(deals.select_related("account", "stage", "owner"), pk=pk)


@finance_page(permissions.can_view_receivables)
def deal_receivables(request, pk: int):
    deal = _deal(request, pk)
    milestones = list(Milestone.objects.filter(opportunity=deal))
    invoices = list(
        Invoice.objects.filter(opportunity=deal).prefetch_related("payments").order_by("due_on")
    )
    can_plan = permissions.is_finance(request.membership) or deal.owner_id == request.user.pk
    return render(
        request,
        "finance/deal.html",
        {
            "deal": deal,
            "milestones": milestones,
            "invoices": invoices,
            "can_plan": can_plan and deal.stage.is_won,
            "is_finance": permissions.is_finance(request.membership),
            "plan_formset": MilestoneFormSet(prefix="plan"),
            "invoice_form": InvoiceForm(
                milestones=[(m.pk, f"{m.get_kind_display()} {m.amount}") for m in milestones]
            ),
        },
    )


@require_POST
@finance_page(permissions.can_view_receivables)
def plan_save(request, pk: int):
    deal = _deal(request, pk)
    formset = MilestoneFormSet(request.POST, prefix="plan")
    if not formset.is_valid():
        for form in formset.forms:
            form_errors(request, form)
        return redirect("finance:deal", deal.pk)
    items = [
        services.MilestoneInput(
            f.cleaned_data["kind"], f.cleaned_data["amount"], f.cleaned_data["due_on"]
        )
        for f in formset.forms
        if f.cleaned_data
    ]
    try:
        services.plan_set(actor=request.membership, opportunity_id=deal.pk, milestones=items)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("回款计划已保存。"))
    return redirect("finance:deal", deal.pk)


@require_POST
@finance_only
def invoice_add(request, pk: int):
    deal = _deal(request, pk)
    milestones = Milestone.objects.filter(opportunity=deal).values_list("pk", "kind")
    form = InvoiceForm(request.POST, milestones=list(milestones))
    if not form.is_valid():
        form_errors(request, form)
        return redirect("finance:deal", deal.pk)
    data = form.cleaned_data
    try:
        services.invoice_issue(
            actor=request.membership,
            opportunity_id=deal.pk,
            number=data["number"],
            amount=data["amount"],
            issued_on=data["issued_on"],
            due_on=data["due_on"],
            milestone_id=data["milestone"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("发票已登记。"))
    return redirect("finance:deal", deal.pk)


@require_POST
@finance_only
def payment_add(request):
    form = PaymentForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("finance:collections")
    data = form.cleaned_data
    invoice = get_object_or_404(Invoice.objects, pk=data["invoice"])
    try:
        services.payment_record(
            actor=request.membership,
            invoice_id=invoice.pk,
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
            overpayment=data["overpayment"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("回款已登记。"))
    return redirect("finance:deal", invoice.opportunity_id)


@finance_only
def bank_import_page(request):
    form = BankImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = bank_import(actor=request.membership, filename=upload.name, data=upload.read())
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _("已导入 %(rows)s 行，自动匹配 %(matched)s 行。")
                % {"rows": result.bank_import.rows, "matched": result.matched},
            )
            return redirect("finance:bank_import")
    return render(
        request,
        "finance/bank_import.html",
        {
            "form": form,
            "imports": list(BankImport.objects.select_related("created_by")[:10]),
            "unmatched": list(selectors.unmatched_payments()[:200]),
        },
    )


@require_POST
@finance_only
def payment_match(request, pk: int):
    get_object_or_404(Payment.objects, pk=pk)
    form = MatchForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("finance:bank_import")
    invoice = Invoice.objects.filter(number=form.cleaned_data["invoice_number"].strip()).first()
    if invoice is None:
        messages.error(request, _("找不到这张发票。"))
        return redirect("finance:bank_import")
    try:
        services.payment_match(
            actor=request.membership,
            payment_id=pk,
            invoice_id=invoice.pk,
            overpayment=form.cleaned_data["overpayment"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已匹配到发票 %(number)s。") % {"number": invoice.number})
    return redirect("finance:bank_import")
