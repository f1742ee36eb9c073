"""Forms: parse and validate input; every queryset is the scoped one, so a
foreign id fails validation exactly like a missing one."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department

from . import selectors
from .models import (
    AccountSize,
    Currency,
    FollowUpKind,
    Industry,
    LeadKind,
    LeadSource,
    LostReason,
    Stage,
)

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AccountForm(forms.Form):
    name = forms.CharField(label=_("客户名称"), max_length=200)
    industry = forms.ChoiceField(label=_("行业"), choices=Industry.choices)
    size = forms.ChoiceField(label=_("规模"), choices=AccountSize.choices)
    is_key_account = forms.BooleanField(label=_("重点客户"), required=False)
    owner = PersonChoice(label=_("负责销售"), queryset=User.objects.none())

    def __init__(self, *args, can_assign: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if can_assign:
            self.fields["owner"].queryset = selectors.seller_users()
        else:
            del self.fields["owner"]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    title = forms.CharField(label=_("职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("电话"), max_length=40, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)


class OpportunityForm(forms.Form):
    account = forms.ModelChoiceField(label=_("客户"), queryset=None)
    name = forms.CharField(label=_("商机名称"), max_length=200)
    owner = PersonChoice(label=_("负责销售"), queryset=User.objects.none())
    amount = forms.DecimalField(label=_("金额"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices, initial=Currency.CNY)
    expected_close_date = forms.DateField(label=_("预计成交日期"), widget=DATE)
    probability = forms.IntegerField(
        label=_("赢率（%）"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("留空则使用阶段的默认赢率"),
    )
    next_step = forms.CharField(label=_("下一步"), max_length=300, required=False)

    def __init__(self, *args, membership, can_assign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = selectors.accounts_visible_to(membership)
        if can_assign:
            self.fields["owner"].queryset = selectors.seller_users()
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


class LeadForm(forms.Form):
    account = forms.ModelChoiceField(label=_("客户"), queryset=None)
    source = forms.ChoiceField(label=_("来源"), choices=LeadSource.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=LeadKind.choices)
    estimated_amount = forms.DecimalField(
        label=_("预估金额"), min_value=0, max_digits=14, decimal_places=2
    )
    description = forms.CharField(label=_("描述"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.ModelChoiceField(label=_("来自回访"), queryset=None, required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = selectors.accounts_visible_to(membership)
        self.fields["follow_up"].queryset = selectors.follow_ups_visible_to(membership)
        self.fields["follow_up"].label_from_instance = lambda f: (
            f"{f.account.name} · {f.get_kind_display()} · {timezone.localtime(f.scheduled_for):%Y-%m-%d}"
        )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("拒绝原因"), widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    account = forms.ModelChoiceField(label=_("客户"), queryset=None)
    kind = forms.ChoiceField(label=_("方式"), choices=FollowUpKind.choices)
    scheduled_for = forms.DateTimeField(label=_("计划时间"), widget=DATETIME)
    request_id = forms.IntegerField(label=_("协作请求编号"), required=False, min_value=1)
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
        self.fields["account"].queryset = selectors.accounts_visible_to(membership)


class PeriodForm(forms.Form):
    """A reporting period in the URL; the default is the last 90 days."""

    start = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    end = forms.DateField(label=_("结束日期"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=selectors.DEFAULT_PERIOD_DAYS - 1)
        if start > end:
            self.add_error("start", _("开始日期不能晚于结束日期。"))
        elif (end - start).days > 3 * 366:
            self.add_error("start", _("统计周期最长三年。"))
        data["start"], data["end"] = start, end
        return data


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
            self.fields["owner"].queryset = selectors.seller_users()

    def filters(self, *, owner_id: int | None = None) -> selectors.FunnelFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        default = selectors.default_filters()
        team = data.get("team")
        owner = data.get("owner")
        return selectors.FunnelFilters(
            start=data.get("start") or default.start,
            end=data.get("end") or default.end,
            owner_id=owner_id or (owner.pk if owner else None),
            department_id=team.pk if team else None,
            industry=data.get("industry") or "",
            currency=data.get("currency") or Currency.CNY,
        )
