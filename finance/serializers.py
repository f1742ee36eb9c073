"""Finance's API serializers: input and output apart; money as strings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from collab.money import AmountSerializerField, Currency, MoneyOutput
from collab.parsing import BoundedDateSerializerField, IdSerializerField
from finance.budgets.models import Budget, BudgetLine
from finance.expenses.models import Expense, ExpenseKind
from finance.receivables.models import Invoice, MilestoneKind, Payment
from finance.risk import reasons
from finance.risk.models import RiskWarning, WarningState


class BudgetLineOutput(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "kind", "state", "amount", "currency", "label", "expires_on", "expense"]


class BudgetOutput(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code", read_only=True)
    available = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Budget
        fields = [
            "id",
            "department",
            "department_code",
            "period_start",
            "amount",
            "currency",
            "reserved",
            "consumed",
            "available",
        ]


class BudgetInput(serializers.Serializer):
    department = IdSerializerField()
    period_start = BoundedDateSerializerField()
    amount = AmountSerializerField()
    currency = serializers.ChoiceField(choices=Currency.choices, default="CNY")


class ReservationInput(serializers.Serializer):
    amount = AmountSerializerField(allow_zero=False)
    label = serializers.CharField(max_length=200)
    expires_on = BoundedDateSerializerField(required=False, allow_null=True)


class ExpenseLineInput(serializers.Serializer):
    date = BoundedDateSerializerField()
    category = IdSerializerField()
    amount = AmountSerializerField(allow_zero=False)
    currency = serializers.ChoiceField(choices=Currency.choices, default="CNY")
    units = serializers.DecimalField(max_digits=6, decimal_places=2, default=1, min_value=0)
    description = serializers.CharField(max_length=200, required=False, default="")
    opportunity = IdSerializerField(required=False, allow_null=True, default=None)
    campaign_id = IdSerializerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An enablement campaign of the organization (GET /api/campaigns/).",
    )
    campaign = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        help_text="Free text kept as written (before campaign_id linked campaigns).",
    )
    over_limit_reason = serializers.CharField(max_length=500, required=False, default="")


class ExpenseInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExpenseKind.choices)
    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=2000)
    lines = ExpenseLineInput(many=True, allow_empty=False)


class ExpenseOutput(serializers.ModelSerializer):
    reference = serializers.CharField(source="request.reference", read_only=True)

    class Meta:
        model = Expense
        fields = [
            "id",
            "request",
            "reference",
            "kind",
            "total",
            "currency",
            "state",
            "over_limit",
            "created_at",
            "approved_at",
        ]


@extend_schema_serializer(component_name="PaymentMilestoneInput")
class MilestoneInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MilestoneKind.choices)
    amount = AmountSerializerField(allow_zero=False)
    due_on = BoundedDateSerializerField()


@extend_schema_serializer(component_name="PaymentPlanInput")
class PlanInput(serializers.Serializer):
    opportunity = IdSerializerField()
    milestones = MilestoneInput(many=True)


class InvoiceInput(serializers.Serializer):
    opportunity = IdSerializerField()
    number = serializers.CharField(max_length=40)
    amount = AmountSerializerField(allow_zero=False)
    issued_on = BoundedDateSerializerField()
    due_on = BoundedDateSerializerField()
    milestone = IdSerializerField(required=False, allow_null=True, default=None)


class InvoiceOutput(serializers.ModelSerializer):
    open_amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "opportunity",
            "account",
            "owner",
            "milestone",
            "amount",
            "currency",
            "paid",
            "open_amount",
            "issued_on",
            "due_on",
            "paid_on",
        ]


class PaymentInput(serializers.Serializer):
    amount = AmountSerializerField(allow_zero=False)
    received_on = BoundedDateSerializerField()
    reference = serializers.CharField(max_length=200, required=False, default="")
    overpayment = serializers.BooleanField(default=False)


class MatchInput(serializers.Serializer):
    invoice = IdSerializerField()
    overpayment = serializers.BooleanField(default=False)


class PaymentOutput(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "account",
            "amount",
            "currency",
            "received_on",
            "payer",
            "reference",
            "source",
            "is_overpayment",
            "line_number",
        ]


class BankImportInput(serializers.Serializer):
    file = serializers.FileField()


class BankImportOutput(serializers.Serializer):
    id = serializers.IntegerField(source="bank_import.id")
    rows = serializers.IntegerField(source="bank_import.rows")
    encoding = serializers.CharField(source="bank_import.encoding")
    matched = serializers.IntegerField()
    unmatched = PaymentOutput(many=True)


class WarningOutput(serializers.ModelSerializer):
    reason = serializers.SerializerMethodField()

    class Meta:
        model = RiskWarning
        fields = [
            "id",
            "rule",
            "account",
            "opportunity",
            "invoice",
            "owner",
            "facts",
            "reason",
            "state",
            "note",
            "created_at",
        ]

    def get_reason(self, obj) -> str:
        return reasons.reason(obj.rule, obj.facts)


class WarningActInput(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[WarningState.ACKNOWLEDGED.value, WarningState.RESOLVED.value]
    )
    note = serializers.CharField(max_length=2000, required=False, default="")


class CampaignCostLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    expense = serializers.IntegerField(source="expense_id")
    request = serializers.IntegerField(source="expense.request_id")
    reference = serializers.CharField(source="expense.request.reference")
    date = serializers.DateField()
    category = serializers.CharField(source="category.name")
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()


class CampaignRoiOutput(serializers.Serializer):
    currency = serializers.CharField()
    cost = serializers.DecimalField(max_digits=20, decimal_places=2)
    revenue = serializers.DecimalField(max_digits=20, decimal_places=2)
    roi_pct = serializers.DecimalField(source="pct", max_digits=20, decimal_places=1)


class CampaignCostOutput(serializers.Serializer):
    """A campaign's budget, the approved expenses booked against it (per
    currency), the budget's remainder, won revenue and ROI per currency;
    ``lines`` is null for those who see the totals only."""

    campaign = serializers.IntegerField()
    budget = MoneyOutput()
    booked = MoneyOutput(many=True)
    remaining = MoneyOutput()
    used_pct = serializers.DecimalField(max_digits=20, decimal_places=1, allow_null=True)
    revenue = MoneyOutput(many=True)
    cost_per_lead = MoneyOutput(allow_null=True)
    roi = CampaignRoiOutput(many=True)
    lines = CampaignCostLineOutput(many=True, allow_null=True)
