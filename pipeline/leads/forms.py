"""Forms of leads."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.money import AmountFormField
from pipeline.accounts import selectors as accounts_selectors
from pipeline.followups import selectors as followups_selectors
from pipeline.leads.models import LeadKind, LeadSource


class LeadForm(forms.Form):
    account = forms.ModelChoiceField(label=_("客户"), queryset=None)
    source = forms.ChoiceField(label=_("来源"), choices=LeadSource.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=LeadKind.choices)
    estimated_amount = AmountFormField(label=_("预估金额"))
    description = forms.CharField(label=_("描述"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.ModelChoiceField(label=_("来自回访"), queryset=None, required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts_selectors.accounts_visible_to(membership)
        self.fields["follow_up"].queryset = followups_selectors.follow_ups_visible_to(membership)
        self.fields["follow_up"].label_from_instance = lambda f: (
            f"{f.account.name} · {f.get_kind_display()} · {timezone.localtime(f.scheduled_for):%Y-%m-%d}"
        )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("拒绝原因"), widget=forms.Textarea(attrs={"rows": 2}))
