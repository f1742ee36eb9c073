"""Forms of the hiring page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.money import AmountFormField
from collab.parsing import BoundedDateField
from incentives.hiring.models import HEADCOUNT_MAX, Stage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HeadcountForm(forms.Form):
    department_id = forms.TypedChoiceField(
        label=_("部门"), coerce=int, required=False, empty_value=None
    )
    position = forms.CharField(label=_("职位"), max_length=100)
    level = forms.CharField(label=_("职级"), max_length=40)
    count = forms.IntegerField(label=_("人数"), min_value=1, max_value=HEADCOUNT_MAX, initial=1)
    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    needed_by = BoundedDateField(label=_("需到岗日期"), widget=DATE)
    budget_per_head = AmountFormField(label=_("人均预算"), allow_zero=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_id"].choices = [("", "—"), *[(d.pk, d.name) for d in departments]]


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(max_length=500, required=False)


class OpenForm(forms.Form):
    """The quarter of the plan the request's positions open in, as 2026-4."""

    quarter = forms.RegexField(label=_("季度"), regex=r"^(20\d\d)-([1-4])$", max_length=7)

    def year_quarter(self) -> tuple[int, int]:
        year, quarter = self.cleaned_data["quarter"].split("-")
        return int(year), int(quarter)


class MoveForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("阶段"), choices=[(s.value, s.label) for s in Stage if s != Stage.JOINED]
    )


class FillForm(forms.Form):
    email = forms.EmailField(label=_("入职人员邮箱"), max_length=254)
    joined_on = BoundedDateField(label=_("入职日期"), widget=DATE, required=False)
