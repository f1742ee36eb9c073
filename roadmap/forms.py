"""Forms of requirement review: input parsing only; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.parsing import BoundedDateField, IdFormField
from pipeline.accounts.selectors import accounts_visible_to
from pipeline.opportunities.selectors import opportunities_visible_to
from roadmap.models import Decision, Feasibility, Impact, Release, Verdict

TEXTAREA = {"rows": 3}


class RequirementForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    background = forms.CharField(
        label=_("客户背景"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("客户是谁、规模、现在怎么用我们的产品"),
    )
    pain_point = forms.CharField(
        label=_("痛点场景"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("在什么场景下遇到什么问题"),
    )
    expected_outcome = forms.CharField(
        label=_("预期效果"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("做成后客户能做到什么"),
    )
    impact = forms.TypedChoiceField(
        label=_("业务影响"), choices=Impact.choices, coerce=int, initial=Impact.MEDIUM
    )
    opportunity_ids = forms.ModelMultipleChoiceField(
        label=_("相关商机"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    account_ids = forms.ModelMultipleChoiceField(
        label=_("相关客户"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("没有商机时选择客户"),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        _backer_fields(self, membership)


def _backer_fields(form: forms.Form, membership) -> None:
    form.fields["opportunity_ids"].queryset = opportunities_visible_to(membership).filter(
        stage__is_lost=False
    )
    form.fields["opportunity_ids"].label_from_instance = lambda o: f"{o.account.name} · {o.name}"
    form.fields["account_ids"].queryset = accounts_visible_to(membership)


class BackForm(forms.Form):
    opportunity_ids = forms.ModelMultipleChoiceField(
        label=_("相关商机"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    account_ids = forms.ModelMultipleChoiceField(
        label=_("相关客户"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    needed_for_renewal = forms.BooleanField(
        label=_("已赢单商机：续约/增购需要此需求"), required=False
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        _backer_fields(self, membership)


class AssessmentForm(forms.Form):
    feasibility = forms.ChoiceField(label=_("技术可行性"), choices=Feasibility.choices)
    feasibility_reason = forms.CharField(
        label=_("可行性说明"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    cost_low_days = forms.CharField(label=_("开发成本下限（人天）"))
    cost_high_days = forms.CharField(label=_("开发成本上限（人天）"))
    resources = forms.CharField(
        label=_("所需资源"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    risks = forms.CharField(
        label=pgettext_lazy("plural", "风险"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    needs_prototype = forms.BooleanField(label=_("需要先做原型验证"), required=False)


class MergeForm(forms.Form):
    into = IdFormField(label=_("合并到需求编号"))


class PrototypeForm(forms.Form):
    link = forms.URLField(label=_("原型链接"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    window_start = BoundedDateField(
        label=_("验证开始"), widget=forms.DateInput(attrs={"type": "date"})
    )
    window_end = BoundedDateField(
        label=_("验证截止"), widget=forms.DateInput(attrs={"type": "date"})
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("验证客户"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = accounts


class VerdictForm(forms.Form):
    account_id = IdFormField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(label=_("结论"), choices=Verdict.choices)
    notes = forms.CharField(label=_("备注"), required=False)


class DecisionForm(forms.Form):
    requirement = IdFormField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("决定"), choices=Decision.choices)
    priority = forms.IntegerField(label=_("优先级"), required=False, min_value=1, max_value=99)
    note = forms.CharField(label=_("说明（拒绝时必填）"), required=False)
    release = forms.ModelChoiceField(
        label=pgettext_lazy("release", "版本"), queryset=None, required=False
    )
    revisit_on = BoundedDateField(
        label=_("重新评审日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, release_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = Release.objects.filter(shipped_at__isnull=True)
        if release_choices is not None:
            # The board page draws one form per agenda item: the choices are
            # read once for all of them (validation still reads the queryset).
            self.fields["release"].choices = release_choices


def release_choices() -> list[tuple[object, str]]:
    """The upcoming releases a decision may name (the next ones planned)."""
    upcoming = Release.objects.filter(shipped_at__isnull=True).order_by("planned_on", "id")[:30]
    return [("", "---------"), *((r.pk, r.version) for r in upcoming)]


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReleaseForm(forms.Form):
    version = forms.CharField(label=_("版本号"), max_length=40)
    planned_on = BoundedDateField(
        label=_("计划日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class DevelopForm(forms.Form):
    release = forms.ModelChoiceField(label=pgettext_lazy("release", "版本"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = Release.objects.filter(shipped_at__isnull=True)


class BoardSettingsForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("星期"),
        coerce=int,
        choices=[
            (0, _("周一")),
            (1, _("周二")),
            (2, _("周三")),
            (3, _("周四")),
            (4, _("周五")),
            (5, _("周六")),
            (6, _("周日")),
        ],
    )
    time = forms.TimeField(label=_("时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    anchor_date = BoundedDateField(
        label=_("起始周"), widget=forms.DateInput(attrs={"type": "date"})
    )
    active = forms.BooleanField(label=_("启用"), required=False)
