"""Approval chains, a capability of the request engine.

* ``ApprovalStepDefinition``: a request type's chain, one row per step in
  order: who approves (a role, the head of a department, the organization
  admin), an optional condition on the request's fields (field, operator,
  value; evaluated with Decimals, never ``eval``) and the step's SLA target in
  working hours.
* ``ApprovalFlow`` / ``ApprovalStep``: one flow per request that had a chain
  when filed; its steps are materialised at filing from the conditions
  (``skipped`` when a condition is false). A send-back ends the step's round;
  the resubmission opens the next round from that position.
* ``ApprovalDelegation``: an approver on leave names a delegate for a range
  of dates; steps activated in that range go to the delegate, and the step
  records on whose behalf it was acted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel
from departments.models import bilingual
from departments.roles import Role


class ApproverKind(models.TextChoices):
    ROLE = "role", _("角色")
    DEPARTMENT_HEAD = "dept_head", _("部门负责人")
    ORG_ADMIN = "org_admin", _("企业管理员")


class Operator(models.TextChoices):
    GT = "gt", ">"
    GTE = "gte", "≥"
    LT = "lt", "<"
    LTE = "lte", "≤"
    EQ = "eq", "="
    NE = "ne", "≠"


class ApprovalStepDefinition(TenantModel):
    request_type = models.ForeignKey(
        "requests_sla.RequestType", on_delete=models.CASCADE, related_name="approval_steps"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    approver_kind = models.CharField(_("审批人"), max_length=12, choices=ApproverKind.choices)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("部门"),
        help_text=_("部门负责人：留空表示提交人所在部门的负责人"),
    )
    condition_field = models.SlugField(_("条件字段"), max_length=48, blank=True)
    condition_operator = models.CharField(
        _("条件运算"), max_length=4, choices=Operator.choices, blank=True
    )
    condition_value = models.CharField(_("条件值"), max_length=100, blank=True)
    sla_hours = models.DecimalField(
        _("时限（工作小时）"), max_digits=6, decimal_places=2, default=4
    )

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["request_type", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request_type", "position"],
                name="approval_definition_position_uniq",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class FlowState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("审批中")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    SENT_BACK = "sent_back", _("已退回修改")


class ApprovalFlow(TenantModel):
    # One flow per request: the (organization, request) constraint below (a
    # bare one-to-one would be a unique rule without organization).
    request = models.ForeignKey("requests_sla.Request", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("审批状态"), max_length=12, choices=FlowState.choices)
    round = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程")
        constraints = [
            models.UniqueConstraint(fields=["organization", "request"], name="approval_flow_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.state}"


class StepState(models.TextChoices):
    WAITING = "waiting", _("待前序审批")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    SENT_BACK = "sent_back", _("已退回")
    SKIPPED = "skipped", _("已跳过")


class ApprovalStep(TenantModel):
    flow = models.ForeignKey(ApprovalFlow, on_delete=models.CASCADE, related_name="steps")
    request = models.ForeignKey("requests_sla.Request", on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(
        ApprovalStepDefinition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    round = models.PositiveSmallIntegerField(default=1)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    sla_hours = models.DecimalField(max_digits=6, decimal_places=2, default=4)
    # The approver as the chain named them at filing (editing the chain later
    # does not reroute running flows); resolved to a person on activation.
    approver_kind = models.CharField(max_length=12, choices=ApproverKind.choices)
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=StepState.choices)
    # Who must act (the delegate when the approver delegated), and for whom.
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    timer = models.ForeignKey(
        "requests_sla.SlaTimer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["round", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "flow", "round", "position"], name="approval_step_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "approver", "state"], name="approval_step_approver_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.round}.{self.position}:{self.state}"

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def timer_key(self) -> str:
        return f"approval-{self.pk}"


class ApprovalDelegation(TenantModel):
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("代理人"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审批代理")
        verbose_name_plural = _("审批代理")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "delegator", "starts_on"],
                name="approval_delegation_start_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="approval_delegation_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator_id}->{self.delegate_id}"
