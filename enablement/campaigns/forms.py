"""Forms of the campaign pages: plan a campaign, record a response, import
responses from CSV, turn a response into a lead."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.money import AmountFormField, Currency
from collab.parsing import BoundedDateField
from enablement.campaigns import services
from enablement.campaigns.models import CampaignKind, ResponseKind
from enablement.library.models import Asset, AssetStatus
from pipeline.models import Account, Industry, LeadKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHOICES_LIMIT = 300


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CampaignKind.choices)
    title_zh = forms.CharField(label=_("中文名称"), max_length=200)
    title_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    description = forms.CharField(
        label=_("说明"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    industry = forms.ChoiceField(
        label=_("行业"), choices=[("", _("不限")), *Industry.choices], required=False
    )
    pain_point = forms.CharField(label=_("痛点"), max_length=40, required=False)
    starts_on = BoundedDateField(label=_("开始日期"), widget=DATE)
    ends_on = BoundedDateField(label=_("结束日期"), widget=DATE)
    budget = AmountFormField(label=pgettext_lazy("campaign", "预算"))
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices)
    assets_used = forms.TypedMultipleChoiceField(label=_("使用的资料"), coerce=int, required=False)
    assets_produced = forms.TypedMultipleChoiceField(
        label=_("产出的资料"), coerce=int, required=False
    )
    target_accounts = forms.TypedMultipleChoiceField(
        label=_("目标客户"), coerce=int, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        assets = [
            (a.pk, a.title)
            for a in Asset.objects.exclude(status=AssetStatus.RETIRED).order_by("-updated_at")[
                :CHOICES_LIMIT
            ]
        ]
        self.fields["assets_used"].choices = assets
        self.fields["assets_produced"].choices = assets
        self.fields["target_accounts"].choices = [
            (a.pk, a.name) for a in Account.objects.order_by("name")[:CHOICES_LIMIT]
        ]

    # The period rule (the end not before the start, dates in range) is the
    # save service's, one place for the form and the API: its ServiceError
    # lands on the field.
    def campaign_fields(self) -> services.CampaignFields:
        return services.CampaignFields(**self.cleaned_data)


class ResponseForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ResponseKind.choices)
    responded_on = BoundedDateField(label=_("日期"), widget=DATE)
    name = forms.CharField(label=_("姓名"), max_length=100)
    email = forms.EmailField(label=_("邮箱"), required=False)
    company = forms.CharField(label=_("公司"), max_length=200, required=False)

    def response_fields(self) -> services.ResponseFields:
        return services.ResponseFields(**self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV 文件"))


class LeadForm(forms.Form):
    kind = forms.ChoiceField(label=_("线索类型"), choices=LeadKind.choices)
    estimated_amount = AmountFormField(label=_("预估金额"))
