"""Forms of the approval pages: a decision's reason, a delegation, a chain."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.parsing import BoundedDateField
from departments.models import Department, Membership
from departments.roles import Role
from requests_sla.approvals.conditions import condition_valid
from requests_sla.approvals.models import ApproverKind, Operator
from requests_sla.catalog.form_schema import build_form_class
from requests_sla.catalog.links import LINK_TYPES

ACTION_CHOICES = [
    ("approve", _("通过")),
    ("reject", _("驳回")),
    ("send_back", _("退回修改")),
]


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), choices=ACTION_CHOICES)
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("action") in ("reject", "send_back") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("驳回或退回时请填写理由。"))
        return data


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=_("代理人"), queryset=Membership.objects.none())
    starts_on = BoundedDateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = BoundedDateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = (
            Membership.objects.filter(is_active=True)
            .exclude(user_id=membership.user_id)
            .select_related("user")
            .order_by("user__username")
        )
        self.fields["delegate"].label_from_instance = lambda m: (
            m.user.get_full_name() or m.user.username
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class ChainStepForm(forms.Form):
    name_zh = forms.CharField(label=_("中文名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)
    approver_kind = forms.ChoiceField(label=_("审批人"), choices=ApproverKind.choices)
    role = forms.ChoiceField(label=_("角色"), choices=[("", "—"), *Role.choices], required=False)
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.none(), required=False
    )
    condition_field = forms.SlugField(label=_("条件字段"), max_length=48, required=False)
    condition_operator = forms.ChoiceField(
        label=_("条件运算"), choices=[("", "—"), *Operator.choices], required=False
    )
    condition_value = forms.CharField(label=_("条件值"), max_length=100, required=False)
    sla_hours = forms.DecimalField(
        label=_("时限（工作小时）"),
        min_value=Decimal("0.25"),
        max_value=Decimal("999"),
        decimal_places=2,
        initial=4,
    )

    def __init__(self, *args, field_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("sort_order", "code")
        self.field_keys = set(field_keys)

    def clean(self):
        data = super().clean()
        kind = data.get("approver_kind")
        if kind == ApproverKind.ROLE and not data.get("role"):
            self.add_error("role", _("请选择角色。"))
        field, op = data.get("condition_field"), data.get("condition_operator")
        if field or op:
            if not (field and op):
                self.add_error("condition_operator", _("条件需要字段和运算。"))
            elif self.field_keys and field not in self.field_keys:
                self.add_error("condition_field", _("该请求类型没有这个字段。"))
            elif not condition_valid(op, data.get("condition_value", "")):
                self.add_error("condition_value", _("比较大小时条件值必须是金额。"))
        return data

    def spec(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        data.pop("ORDER", None)
        return data


ChainFormSet = forms.formset_factory(
    ChainStepForm, extra=1, can_delete=True, can_order=True, max_num=10, validate_max=True
)


def resubmit_form(request_obj, data=None):
    """The request's own fields (not files, not links), as filed, for the
    requester to correct before resubmitting a sent-back chain."""
    schema = [
        f
        for f in request_obj.request_type.form_schema or []
        if f.get("type") not in ("file", *LINK_TYPES)
    ]
    form_class = build_form_class(schema, organization_id=request_obj.organization_id)
    return form_class(data, initial=dict(request_obj.extra or {}), prefix="resubmit")
