"""The funnel's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.forms import PersonChoice, User
from pipeline.accounts.models import Industry
from pipeline.funnel import filters
from pipeline.opportunities.models import Currency
from pipeline.periods import PeriodForm


class FunnelFilterForm(PeriodForm):
    owner = PersonChoice(label=_("负责销售"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("团队（部门）"), queryset=None, required=False)
    industry = forms.ChoiceField(
        label=_("行业"), choices=[("", _("全部")), *Industry.choices], required=False
    )
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices, required=False)

    def __init__(self, *args, restricted: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Department.objects.all()
        self.fields["team"].label_from_instance = lambda d: d.name
        if restricted:
            # A rep's funnel is their own deals: no owner or team to choose.
            del self.fields["owner"]
            del self.fields["team"]
        else:
            self.fields["owner"].queryset = accounts_selectors.seller_users()

    def filters(self, *, owner_id: int | None = None) -> filters.FunnelFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        default = filters.default_filters()
        team = data.get("team")
        owner = data.get("owner")
        return filters.FunnelFilters(
            start=data.get("start") or default.start,
            end=data.get("end") or default.end,
            owner_id=owner_id or (owner.pk if owner else None),
            department_id=team.pk if team else None,
            industry=data.get("industry") or "",
            currency=data.get("currency") or Currency.CNY,
        )
