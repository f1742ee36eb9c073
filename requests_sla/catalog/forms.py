"""The request type form: names, priorities, SLA targets per priority, the form schema."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.limits import LimitedJSONFormField
from departments.models import Department
from requests_sla.catalog.form_schema import target_amount_problem
from requests_sla.catalog.models import Priority, RequestType

UNIT_CHOICES = [
    ("calendar_hours", _("日历小时")),
    ("working_hours", _("工作小时")),
    ("working_days", _("工作日")),
]


class OptionalJSONFormField(LimitedJSONFormField):
    """Optional JSON whose box is empty when there is none (Django's own
    would show ``null``); an empty box reads back as none."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class RequestTypeForm(forms.Form):
    """A request type, with its SLA targets as a row per priority and the
    form fields and milestones as JSON (validated by the catalog services)."""

    serving_department = forms.ModelChoiceField(
        label=_("服务部门"), queryset=Department.objects.none()
    )
    code = forms.SlugField(label=_("代码"), max_length=48)
    name_zh = forms.CharField(label=_("中文名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=100)
    description_zh = forms.CharField(
        label=_("说明（中文）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description_en = forms.CharField(
        label=_("说明（英文）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    priorities = forms.MultipleChoiceField(
        label=_("可选优先级"), choices=Priority.choices, widget=forms.CheckboxSelectMultiple
    )
    default_priority = forms.ChoiceField(label=_("默认优先级"), choices=Priority.choices)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    form_schema = LimitedJSONFormField(
        label=_("表单字段（JSON）"),
        required=False,
        initial=list,
        widget=forms.Textarea(attrs={"rows": 10, "class": "code"}),
        help_text=_(
            '字段列表，如 [{"key": "customer_name", "label_zh": "客户名称", "label_en": "Customer name", "type": "text", "required": true}]；类型：text、long_text、number、money、date、choice、file、account、opportunity'
        ),
    )
    milestones = OptionalJSONFormField(
        label=_("里程碑（JSON，可选）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "code"}),
        help_text=_(
            '按优先级列出，如 {"normal": [{"key": "feasibility", "name_zh": "可行性答复", "name_en": "Feasibility answer", "unit": "working_days", "amount": 3}]}'
        ),
    )

    def __init__(self, *args, instance: RequestType | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        self.fields["serving_department"].queryset = Department.objects.all()
        self.fields["serving_department"].label_from_instance = lambda d: d.name
        for priority, label in Priority.choices:
            for kind, kind_label in (("response", _("回复时限")), ("resolution", _("解决时限"))):
                self.fields[f"{priority}_{kind}_amount"] = forms.DecimalField(
                    label=f"{label} · {kind_label}",
                    required=False,
                    min_value=0,
                    max_value=10_000,
                    max_digits=8,
                    decimal_places=2,
                )
                self.fields[f"{priority}_{kind}_unit"] = forms.ChoiceField(
                    label=f"{label} · {kind_label}", choices=UNIT_CHOICES, required=False
                )

    @staticmethod
    def initial_for(rtype: RequestType) -> dict:
        initial = {
            "serving_department": rtype.serving_department_id,
            "code": rtype.code,
            "name_zh": rtype.name_zh,
            "name_en": rtype.name_en,
            "description_zh": rtype.description_zh,
            "description_en": rtype.description_en,
            "priorities": rtype.priorities,
            "default_priority": rtype.default_priority,
            "sort_order": rtype.sort_order,
            "is_active": rtype.is_active,
            "form_schema": rtype.form_schema,
        }
        milestones = {}
        for priority, policy in (rtype.sla_targets or {}).items():
            for kind in ("response", "resolution"):
                spec = policy.get(kind) or {}
                initial[f"{priority}_{kind}_amount"] = spec.get("amount")
                initial[f"{priority}_{kind}_unit"] = spec.get("unit")
            if policy.get("milestones"):
                milestones[priority] = policy["milestones"]
        initial["milestones"] = milestones or None
        return initial

    def sla_rows(self):
        """(priority label, response amount, unit, resolution amount, unit) bound fields."""
        return [
            (
                label,
                *(
                    self[f"{p}_{k}_{part}"]
                    for k in ("response", "resolution")
                    for part in ("amount", "unit")
                ),
            )
            for p, label in Priority.choices
        ]

    def clean(self):
        data = super().clean()
        milestones = data.get("milestones") or {}
        if not isinstance(milestones, dict):
            self.add_error("milestones", _("里程碑必须是按优先级组织的对象。"))
            milestones = {}
        targets = {}
        for priority in data.get("priorities") or []:
            policy = {}
            for kind in ("response", "resolution"):
                amount = data.get(f"{priority}_{kind}_amount")
                if amount is None:
                    if f"{priority}_{kind}_amount" not in self.errors:
                        self.add_error(f"{priority}_{kind}_amount", _("请填写时限。"))
                    continue
                unit = data.get(f"{priority}_{kind}_unit") or "calendar_hours"
                if problem := target_amount_problem(unit, amount):
                    self.add_error(f"{priority}_{kind}_amount", problem)
                    continue
                policy[kind] = {
                    "unit": unit,
                    "amount": int(amount)
                    if amount == amount.to_integral_value()
                    else float(amount),
                }
            if milestones.get(priority):
                policy["milestones"] = milestones[priority]
            targets[priority] = policy
        data["sla_targets"] = targets
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            k: data[k]
            for k in (
                "serving_department",
                "code",
                "name_zh",
                "name_en",
                "description_zh",
                "description_en",
                "priorities",
                "default_priority",
                "sort_order",
                "is_active",
                "form_schema",
                "sla_targets",
            )
        }
        fields["sort_order"] = fields["sort_order"] or 0
        fields["form_schema"] = fields["form_schema"] if fields["form_schema"] is not None else []
        return fields


def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
