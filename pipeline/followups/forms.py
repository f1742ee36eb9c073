"""The follow-up form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.parsing import BoundedDateTimeField, IdFormField
from pipeline.accounts import selectors as accounts_selectors
from pipeline.followups.models import FollowUpKind
from pipeline.periods import DATETIME


class FollowUpForm(forms.Form):
    account = forms.ModelChoiceField(label=_("客户"), queryset=None)
    kind = forms.ChoiceField(label=_("方式"), choices=FollowUpKind.choices)
    scheduled_for = BoundedDateTimeField(label=_("计划时间"), widget=DATETIME)
    request_id = IdFormField(label=_("协作请求编号"), required=False)
    done = forms.BooleanField(label=_("已完成"), required=False)
    csat = forms.TypedChoiceField(
        label=_("满意度（1–5）"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), *[(i, str(i)) for i in range(1, 6)]],
    )
    comment = forms.CharField(
        label=_("客户反馈"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts_selectors.accounts_visible_to(membership)
