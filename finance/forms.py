"""Forms of the Finance pages: the expense and its lines, budgets and
reservations, a payment plan's milestone, an invoice, a payment, the bank
import, a warning's decision."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.money import AmountFormField, Currency
from collab.parsing import BoundedDateField, IdFormField
from departments.models import Department
from finance.expenses.models import ExpenseCategory, ExpenseKind
from finance.receivables.models import MilestoneKind
from finance.risk.models import WarningState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_LINES = 10


# An expense line's quantity: the most its column (6 digits, 2 decimals) holds.
UNITS_MAX = Decimal("9999.99")


class ExpenseForm(forms.Form):
    kind = forms.ChoiceField(label=_("费用类别"), choices=ExpenseKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    purpose = forms.CharField(
        label=_("事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExpenseLineForm(forms.Form):
    date = BoundedDateField(label=_("日期"), widget=DATE)
    category = forms.ModelChoiceField(label=_("类别"), queryset=ExpenseCategory.objects.none())
    units = forms.DecimalField(
        label=_("数量"), min_value=0, max_value=UNITS_MAX, max_digits=6, decimal_places=2, initial=1
    )
    amount = AmountFormField(label=_("金额"), allow_zero=False)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices, initial="CNY")
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    opportunity = forms.TypedChoiceField(
        label=_("关联商机"), coerce=int, required=False, empty_value=None
    )
    campaign = forms.TypedChoiceField(
        label=_("关联活动"), coerce=int, required=False, empty_value=None
    )
    receipt = forms.FileField(label=_("票据"), required=False)
    over_limit_reason = forms.CharField(label=_("超标理由"), max_length=500, required=False)

    def __init__(self, *args, deals=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        categories = ExpenseCategory.objects.all()
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = _category_label
        self.fields["opportunity"].choices = [("", "—"), *deals]
        # The organization's campaigns (another's id is "not a valid choice").
        self.fields["campaign"].choices = [("", "—"), *campaigns]


def _category_label(category: ExpenseCategory) -> str:
    if category.limit_per_unit is None:
        return category.name
    return _("%(name)s（标准 %(limit)s/%(unit)s）") % {
        "name": category.name,
        "limit": f"{category.limit_per_unit:,.2f}",
        "unit": category.unit or "—",
    }


ExpenseLineFormSet = forms.formset_factory(
    ExpenseLineForm, extra=2, max_num=MAX_LINES, validate_max=True, min_num=1, validate_min=True
)


class BudgetForm(forms.Form):
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none())
    period_start = BoundedDateField(label=_("季度内任一天"), widget=DATE)
    amount = AmountFormField(label=_("预算金额"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("sort_order", "id")


class ReservationForm(forms.Form):
    budget = IdFormField(widget=forms.HiddenInput)
    amount = AmountFormField(label=_("预留金额"), allow_zero=False)
    label = forms.CharField(label=_("用途"), max_length=200)
    expires_on = BoundedDateField(label=_("到期日"), widget=DATE, required=False)


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("节点"), choices=MilestoneKind.choices)
    amount = AmountFormField(label=_("金额"), allow_zero=False)
    due_on = BoundedDateField(label=_("计划回款日"), widget=DATE)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, max_num=8, validate_max=True)


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("发票号"), max_length=40)
    amount = AmountFormField(label=_("金额"), allow_zero=False)
    issued_on = BoundedDateField(label=_("开票日期"), widget=DATE)
    due_on = BoundedDateField(label=_("到期日"), widget=DATE)
    milestone = forms.TypedChoiceField(
        label=_("回款节点"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [("", "—"), *milestones]


class PaymentForm(forms.Form):
    invoice = IdFormField(widget=forms.HiddenInput)
    amount = AmountFormField(label=_("金额"), allow_zero=False)
    received_on = BoundedDateField(label=_("到账日期"), widget=DATE)
    reference = forms.CharField(label=_("流水号/备注"), max_length=200, required=False)
    overpayment = forms.BooleanField(label=_("超额付款"), required=False)


class BankImportForm(forms.Form):
    file = forms.FileField(label=_("银行流水 CSV"))


class MatchForm(forms.Form):
    invoice_number = forms.CharField(label=_("发票号"), max_length=40)
    overpayment = forms.BooleanField(label=_("超额付款"), required=False)


class WarningActForm(forms.Form):
    state = forms.ChoiceField(
        label=_("处理"),
        choices=[
            (WarningState.ACKNOWLEDGED, _("知悉")),
            (WarningState.RESOLVED, _("解决")),
        ],
    )
    note = forms.CharField(label=_("备注"), max_length=2000, required=False)
