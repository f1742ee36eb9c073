"""Forms of the meeting page: scheduling, root causes, action items, closing, and the post-mortem item's findings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from collab.parsing import BoundedDateField, BoundedDateTimeField
from departments.models import Department
from requests_sla.meetings.models import (
    PostMortemCause,
    RootCause,
)


class FindingForm(forms.Form):
    root_cause = forms.ChoiceField(
        label=gettext_lazy("原因分类"),
        choices=PostMortemCause.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择原因分类。")},
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DepartmentAddForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("相关部门"), queryset=Department.objects.none()
    )

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            is_business=False, leads_postmortems=False
        ).exclude(pk__in=list(exclude))


def attach_forms(item, *, members, bound, action_form_class) -> None:
    """Forms of a post-mortem agenda item (``item.postmortem_info``): per
    finding a classification and an action form, and one to add a
    department. ``bound`` holds the forms of a rejected POST, to keep input."""
    pm = getattr(item, "postmortem_info", None)
    if pm is None:
        return
    for finding in pm.finding_list:
        finding.classify_form = bound.get(("finding", finding.pk)) or FindingForm(
            initial={"root_cause": finding.root_cause, "note": finding.note},
            prefix=f"f{finding.pk}",
        )
        finding.action_form = bound.get(("finding_action", finding.pk)) or action_form_class(
            members=members, prefix=f"fa{finding.pk}"
        )
    pm.department_form = bound.get(("department", pm.pk)) or DepartmentAddForm(
        exclude=[f.department_id for f in pm.finding_list], prefix=f"pd{pm.pk}"
    )


class MeetingForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("会议名称"), max_length=200, required=False)
    scheduled_at = BoundedDateTimeField(
        label=gettext_lazy("会议时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label=gettext_lazy("地点"), max_length=200, required=False)


class ClassifyForm(forms.Form):
    # No preselection: a default would put the item in a department's review
    # with one careless click. The empty choice is refused.
    root_cause = forms.ChoiceField(
        label=gettext_lazy("原因分类"),
        choices=[("", gettext_lazy("— 请选择原因 —")), *RootCause.choices],
        error_messages={"required": gettext_lazy("请选择原因分类。")},
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("改进措施"), max_length=300)
    # "负责人" alone is a department's head; here it is the action item's owner.
    owner = forms.TypedChoiceField(label=pgettext_lazy("action item", "负责人"), coerce=int)
    due_date = BoundedDateField(
        label=gettext_lazy("截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (m.user_id, m.user.get_full_name() or m.user.username) for m in members
        ]


class CloseForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("会议结论"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
