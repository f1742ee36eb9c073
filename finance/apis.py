"""Finance's DRF API: budgets and reservations, expenses, payment plans,
invoices and payments, the bank import, warnings and the collections figures.
Glue over the selectors and services: a ``ServiceError`` is a 400 with its
field, another organization's id a 404, a write outside one's rights a 400
(the service refuses) or a 403 (the list itself is not for the caller).
Approvals are acted on through /api/approvals/ (requests_sla)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from collab.parsing import optional_date
from departments.models import Department
from enablement.campaigns.selectors import campaign_get
from finance import permissions
from finance import serializers as s
from finance.budgets import selectors as budget_selectors
from finance.budgets import services as budget_services
from finance.budgets.models import Budget
from finance.expenses import selectors as expense_selectors
from finance.expenses import services as expense_services
from finance.expenses.campaign_cost import campaign_cost
from finance.expenses.models import Expense
from finance.receivables import selectors as receivable_selectors
from finance.receivables import services as receivable_services
from finance.receivables.bank_import import bank_import
from finance.receivables.models import Invoice, Payment
from finance.risk import selectors as risk_selectors
from finance.risk import services as risk_services
from finance.risk.models import RiskWarning
from finance.views.collections import collections_figures


def _require(check, membership) -> None:
    if not check(membership):
        raise PermissionDenied


class BudgetViewSet(TenantAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The quarter's budgets the caller may see (``?period=YYYY-MM-DD``)."""

    model = Budget
    serializer_class = s.BudgetOutput

    def get_scoped_queryset(self):
        _require(permissions.can_view_budgets, self.request.membership)
        day = optional_date(self.request.query_params.get("period")) or timezone.localdate()
        return budget_selectors.budgets_visible_to(self.request.membership, day)

    @extend_schema(request=s.BudgetInput, responses={201: s.BudgetOutput})
    def create(self, request):
        data = s.BudgetInput(data=request.data)
        data.is_valid(raise_exception=True)
        department = Department.objects.filter(pk=data.validated_data.pop("department")).first()
        if department is None:
            raise Http404
        budget = budget_services.budget_set(
            actor=request.membership, department=department, **data.validated_data
        )
        return Response(s.BudgetOutput(budget).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReservationInput, responses={201: s.BudgetLineOutput})
    @action(detail=True, methods=["post"])
    def reserve(self, request, pk=None):
        if not Budget.objects.filter(pk=pk).exists():
            raise Http404
        data = s.ReservationInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = budget_services.reservation_make(
            actor=request.membership, budget_id=int(pk), **data.validated_data
        )
        return Response(s.BudgetLineOutput(line).data, status=status.HTTP_201_CREATED)


class ExpenseViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's expenses (Finance: all). Filing through the API takes no
    receipt files; attach them on the request (/api/requests/{id}/attachments/)."""

    model = Expense
    serializer_class = s.ExpenseOutput

    def get_scoped_queryset(self):
        return expense_selectors.expenses_visible_to(self.request.membership).order_by(
            "-created_at", "-id"
        )

    @extend_schema(request=s.ExpenseInput, responses={201: s.ExpenseOutput})
    def create(self, request):
        data = s.ExpenseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lines = [
            expense_services.LineInput(
                date=line["date"],
                category_id=line["category"],
                amount=line["amount"],
                currency=line["currency"],
                units=line["units"],
                description=line["description"],
                opportunity_id=line["opportunity"],
                campaign_id=line["campaign_id"],
                campaign_note=line["campaign"],
                over_limit_reason=line["over_limit_reason"],
            )
            for line in values.pop("lines")
        ]
        expense = expense_services.expense_file(actor=request.membership, lines=lines, **values)
        return Response(s.ExpenseOutput(expense).data, status=status.HTTP_201_CREATED)


class InvoiceViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Invoices the caller may see (a rep: their deals'); Finance issues them
    and records payments."""

    model = Invoice
    serializer_class = s.InvoiceOutput

    def get_scoped_queryset(self):
        _require(permissions.can_view_receivables, self.request.membership)
        return receivable_selectors.invoices_visible_to(self.request.membership).order_by(
            "due_on", "id"
        )

    @extend_schema(request=s.InvoiceInput, responses={201: s.InvoiceOutput})
    def create(self, request):
        data = s.InvoiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        invoice = receivable_services.invoice_issue(
            actor=request.membership,
            opportunity_id=values.pop("opportunity"),
            milestone_id=values.pop("milestone"),
            **values,
        )
        return Response(s.InvoiceOutput(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PaymentInput, responses={201: s.PaymentOutput})
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        invoice = self.get_object()
        data = s.PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = receivable_services.payment_record(
            actor=request.membership, invoice_id=invoice.pk, **data.validated_data
        )
        return Response(s.PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class PaymentViewSet(TenantAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Unmatched payments (bank rows) for Finance to match by hand."""

    model = Payment
    serializer_class = s.PaymentOutput

    def get_scoped_queryset(self):
        _require(permissions.is_finance, self.request.membership)
        return receivable_selectors.unmatched_payments()

    @extend_schema(request=s.MatchInput, responses={200: s.PaymentOutput})
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        payment = self.get_object()
        data = s.MatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = receivable_services.payment_match(
            actor=request.membership,
            payment_id=payment.pk,
            invoice_id=data.validated_data["invoice"],
            overpayment=data.validated_data["overpayment"],
        )
        return Response(s.PaymentOutput(payment).data)


class PaymentPlanView(TenantAPIMixin, APIView):
    model = Invoice

    @extend_schema(request=s.PlanInput, responses={200: None})
    def post(self, request):
        """Record (or replace) a won deal's payment plan."""
        data = s.PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        milestones = receivable_services.plan_set(
            actor=request.membership,
            opportunity_id=data.validated_data["opportunity"],
            milestones=[
                receivable_services.MilestoneInput(m["kind"], m["amount"], m["due_on"])
                for m in data.validated_data["milestones"]
            ],
        )
        return Response({"milestones": [m.pk for m in milestones]})


class BankImportView(TenantAPIMixin, APIView):
    model = Payment
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.BankImportInput, responses={201: s.BankImportOutput})
    def post(self, request):
        """Import a bank CSV (UTF-8, UTF-8 with BOM or GB18030): all rows or none."""
        data = s.BankImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = bank_import(actor=request.membership, filename=upload.name, data=upload.read())
        return Response(s.BankImportOutput(result).data, status=status.HTTP_201_CREATED)


class WarningViewSet(
    TenantAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Payment-risk warnings the caller may see; Finance acts on them."""

    model = RiskWarning
    serializer_class = s.WarningOutput

    def get_scoped_queryset(self):
        _require(permissions.can_view_receivables, self.request.membership)
        return risk_selectors.warnings_visible_to(self.request.membership)

    @extend_schema(request=s.WarningActInput, responses={200: s.WarningOutput})
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        warning = self.get_object()
        data = s.WarningActInput(data=request.data)
        data.is_valid(raise_exception=True)
        warning = risk_services.warning_act(
            actor=request.membership, warning_id=warning.pk, **data.validated_data
        )
        return Response(s.WarningOutput(warning).data)


class CollectionsView(TenantAPIMixin, APIView):
    model = Invoice

    @extend_schema(responses={200: None})
    def get(self, request):
        """Aging, DSO, collected vs planned and collection rates (CNY only)."""
        _require(permissions.can_view_receivables, request.membership)
        figures = collections_figures(request.membership, timezone.localdate())
        return Response(
            {
                "today": figures["today"],
                "aging": {key: str(amount) for key, _label, amount in figures["aging"]},
                "aging_total": str(figures["aging_total"]),
                "dso_days": str(figures["dso"]) if figures["dso"] is not None else None,
                "months": [
                    {"month": m.month, "planned": str(m.planned), "collected": str(m.collected)}
                    for m in figures["months"]
                ],
                "by_rep": [_rate(r) for r in figures["by_rep"]],
                "by_team": [_rate(r) for r in figures["by_team"]],
                "by_customer": [_rate(r) for r in figures["by_customer"]],
            }
        )


def _rate(row) -> dict:
    return {
        "id": row.key,
        "label": row.label,
        "due": str(row.due),
        "paid": str(row.paid),
        "rate_pct": str(row.rate) if row.rate is not None else None,
    }


class CampaignCostView(TenantAPIMixin, APIView):
    """A campaign's cost and ROI (the campaign page's 费用与回报): every member
    who reads the campaign; the lines for Finance, ops, the admin and
    Marketing. Another organization's campaign is a 404."""

    model = Expense

    @extend_schema(responses={200: s.CampaignCostOutput})
    def get(self, request, pk: int):
        campaign = campaign_get(request.membership, pk)
        cost = campaign_cost(campaign)
        shown = permissions.sees_campaign_expenses(request.membership)
        data = {
            "campaign": campaign.pk,
            "budget": cost.budget,
            "booked": cost.booked,
            "remaining": cost.remaining,
            "used_pct": cost.used_pct,
            "revenue": cost.revenue,
            "cost_per_lead": cost.cost_per_lead,
            "roi": cost.roi,
            "lines": cost.lines if shown else None,
        }
        return Response(s.CampaignCostOutput(data).data)
