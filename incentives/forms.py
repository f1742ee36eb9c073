"""Forms of the incentives pages."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from collab.money import AmountFormField
from collab.parsing import BoundedDateField
from incentives.plans.models import Basis
from incentives.sprints.models import TENURE_MAX_DAYS, Measure, TieBreak
from pricing.catalog.models import Category

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _option(value, label, chosen: set[str]) -> str:
    selected = " selected" if str(value) in chosen else ""
    return f'<option value="{escape(str(value))}"{selected}>{escape(str(label))}</option>'


class LongSelect(forms.Select):
    """A select of every rep (2,000 at scale) or team (200) of the sprint: the options
    written in one pass, the same markup as Django's select, without its
    template per option (which took seconds at that size)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "\n".join(_option(v, label, chosen) for v, label in self.choices)
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            attrs,
            mark_safe(options),  # noqa: S308 (every value and label escaped above)
        )


class Pairs(BaseChoiceIterator):
    """Choices already in Django's normal form, (value, label) pairs: given
    as a list, 2,000 of them were walked again by the field and by its
    widget (``normalize_choices``) on every render of the sprint page."""

    def __init__(self, pairs: list[tuple[object, str]]) -> None:
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


# A rep's weight in a sprint team is a relative share; 1000x another rep is already absurd.
WEIGHT_MAX = Decimal("1000")
# An award's minimum attainment, in percent: ten times the target is the most that means anything.
ATTAINMENT_MAX = Decimal("1000")


class SprintForm(forms.Form):
    name = forms.CharField(label=_("冲刺名称"), max_length=100)
    theme = forms.CharField(label=_("主题"), max_length=200, required=False)
    start = BoundedDateField(label=_("开始日期"), widget=DATE)
    end = BoundedDateField(label=_("结束日期"), widget=DATE)
    ranking_measure = forms.ChoiceField(label=_("排名指标"), choices=Measure.choices)
    plan_id = forms.TypedChoiceField(
        label=_("提成方案"), coerce=int, required=False, empty_value=None
    )
    mix_category = forms.ChoiceField(
        label=_("产品组合：类别"), choices=[("", "—"), *Category.choices], required=False
    )
    mix_bundle_id = forms.TypedChoiceField(
        label=_("产品组合：促销方案"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, plans=(), bundles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_id"].choices = [("", "—"), *[(p.pk, p.name) for p in plans]]
        self.fields["mix_bundle_id"].choices = [("", "—"), *[(b.pk, b.name) for b in bundles]]


class MixForm(forms.Form):
    """The sprint's product-mix focus: one category or one bundle."""

    category = forms.ChoiceField(
        label=_("产品组合：类别"), choices=[("", "—"), *Category.choices], required=False
    )
    bundle_id = forms.TypedChoiceField(
        label=_("产品组合：促销方案"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, bundles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bundle_id"].choices = [("", "—"), *[(b.pk, b.name) for b in bundles]]


class MemberForm(forms.Form):
    team = forms.CharField(label=_("团队"), max_length=100)
    user_id = forms.TypedChoiceField(label=_("销售"), coerce=int, widget=LongSelect)
    weight = forms.DecimalField(
        label=_("权重"),
        min_value=0.01,
        max_value=WEIGHT_MAX,
        max_digits=6,
        decimal_places=2,
        initial=1,
    )

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = Pairs(list(users))  # (user id, name) pairs


class TargetForm(forms.Form):
    who = forms.ChoiceField(label=_("对象"), widget=LongSelect)
    measure = forms.ChoiceField(label=_("指标"), choices=Measure.choices)
    amount = AmountFormField(label=_("目标"))
    reason = forms.CharField(label=_("调整原因"), max_length=300, required=False)

    def __init__(self, *args, who=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = Pairs(list(who))


class SplitForm(forms.Form):
    team_id = forms.TypedChoiceField(label=_("团队"), coerce=int, widget=LongSelect)
    measure = forms.ChoiceField(label=_("指标"), choices=Measure.choices)
    total = AmountFormField(label=_("团队目标"))
    by_weight = forms.BooleanField(label=_("按权重拆分"), required=False)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_id"].choices = Pairs([(t.pk, t.name) for t in teams])


class AwardForm(forms.Form):
    name_zh = forms.CharField(label=_("中文名称"), max_length=100, initial="销售之星")
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    measure = forms.ChoiceField(label=_("指标"), choices=Measure.choices)
    top_n = forms.IntegerField(label=_("名额"), min_value=1, max_value=100, initial=1)
    min_attainment = forms.DecimalField(
        label=_("最低达成率（%）"),
        min_value=0,
        max_value=ATTAINMENT_MAX,
        max_digits=7,
        decimal_places=2,
        initial=100,
    )
    tie_break = forms.ChoiceField(label=_("并列规则"), choices=TieBreak.choices)
    min_tenure_days = forms.IntegerField(
        label=_("最短在职天数"),
        min_value=0,
        max_value=TENURE_MAX_DAYS,
        initial=0,
        help_text=_("截至冲刺最后一天已入职的天数；0 表示不限"),
    )
    prize_amount = AmountFormField(label=_("奖金"), required=False)
    prize_item = forms.CharField(label=_("奖品"), max_length=100, required=False)


class ReservationLinkForm(forms.Form):
    line_id = forms.TypedChoiceField(
        label=_("预算预留"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line_id"].choices = [("", "—"), *[(ln.pk, str(ln.label)) for ln in lines]]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=100)
    basis = forms.ChoiceField(label=_("计提基数"), choices=Basis.choices)


class VersionForm(forms.Form):
    effective_from = BoundedDateField(label=_("生效日期"), widget=DATE)
    tiers = forms.CharField(
        label=_("阶梯（每行：起始%-截止%:比例%）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="0-100:3\n100-:5",
    )
    cap = AmountFormField(label=_("封顶金额"), required=False, allow_zero=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    rate_lines = forms.CharField(
        label=_("类别比例（每行：类别或促销方案编码:比例%，可留空）"),
        help_text=_("类别：licence 软件许可、service 实施服务、training 培训、support 支持服务。"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
