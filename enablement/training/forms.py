"""Forms of the training pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.parsing import BoundedDateField, BoundedDateTimeField
from enablement.library.models import Asset, AssetStatus
from enablement.training import services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CourseForm(forms.Form):
    title_zh = forms.CharField(label=_("中文名称"), max_length=200)
    title_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    description = forms.CharField(
        label=_("说明"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pass_mark = forms.IntegerField(label=_("及格线（%）"), min_value=1, max_value=100, initial=80)
    due_on = BoundedDateField(label=_("完成期限"), widget=DATE, required=False)
    assets = forms.TypedMultipleChoiceField(label=_("课程资料"), coerce=int, required=False)
    questions = forms.CharField(
        label=_("考核题"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一题：题目 | 选项一 | 选项二 | … | 正确选项的序号（从 1 开始）"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assets"].choices = [
            (a.pk, a.title)
            for a in Asset.objects.filter(status=AssetStatus.PUBLISHED).order_by("-updated_at")[
                :300
            ]
        ]

    def clean_questions(self) -> list[services.Question]:
        out = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 4 or not parts[-1].isascii() or not parts[-1].isdigit():
                raise forms.ValidationError(
                    _("第 %(n)s 行：格式应为 题目 | 选项… | 正确选项序号") % {"n": number}
                )
            options = parts[1:-1]
            answer = int(parts[-1]) - 1
            if not 0 <= answer < len(options) or len(options) > 6:
                raise forms.ValidationError(_("第 %(n)s 行：正确选项不在选项之中") % {"n": number})
            out.append(services.Question(parts[0], options, answer))
        return out

    def course_fields(self) -> services.CourseFields:
        return services.CourseFields(**self.cleaned_data)


class SessionForm(forms.Form):
    # In context: another app's "结束时间" is a request's "Closed at".
    starts_at = BoundedDateTimeField(label=pgettext_lazy("session", "开始时间"), widget=DATETIME)
    ends_at = BoundedDateTimeField(label=pgettext_lazy("session", "结束时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    link = forms.URLField(
        label=_("线上链接"), max_length=200, required=False, assume_scheme="https"
    )
    trainer = forms.TypedChoiceField(label=_("讲师"), coerce=int, required=False, empty_value=None)
    outside_hours = forms.BooleanField(
        label=_("非工作时间"),
        required=False,
        help_text=_(
            "按工作日历，场次应安排在工作日的工作时间内；勾选后可安排在周末、节假日或下班后，并记录在场次上。"
        ),
    )

    def __init__(self, *args, trainers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainer"].choices = [("", "—"), *trainers]


class EnrolForm(forms.Form):
    users = forms.TypedMultipleChoiceField(label=_("报名成员"), coerce=int)
    due_on = BoundedDateField(label=_("完成期限"), widget=DATE, required=False)

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = list(people)
