"""Forms of deals: details and the stage move."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.money import AmountFormField
from collab.parsing import BoundedDateField
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.forms import PersonChoice, User
from pipeline.opportunities.models import Currency, LostReason, Stage
from pipeline.periods import DATE


class OpportunityForm(forms.Form):
    account = forms.ModelChoiceField(label=_("客户"), queryset=None)
    name = forms.CharField(label=_("商机名称"), max_length=200)
    owner = PersonChoice(label=_("负责销售"), queryset=User.objects.none())
    amount = AmountFormField(label=_("金额"))
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices, initial=Currency.CNY)
    expected_close_date = BoundedDateField(label=_("预计成交日期"), widget=DATE)
    probability = forms.IntegerField(
        label=pgettext_lazy("opportunity", "赢率（%）"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("留空则使用阶段的默认赢率"),
    )
    next_step = forms.CharField(label=_("下一步"), max_length=300, required=False)

    def __init__(self, *args, membership, can_assign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts_selectors.accounts_visible_to(membership)
        if can_assign:
            self.fields["owner"].queryset = accounts_selectors.seller_users()
        else:
            del self.fields["owner"]


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("阶段"), queryset=None)
    lost_reason = forms.ChoiceField(
        label=_("丢单原因"), choices=[("", "—"), *LostReason.choices], required=False
    )
    lost_note = forms.CharField(
        label=_("丢单说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: a class-level queryset would be built out of scope.
        self.fields["stage"].queryset = Stage.objects.all()
        self.fields["stage"].label_from_instance = lambda s: s.name
