"""Request types: what a department can be asked for, with its SLA policy and form."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel
from departments.models import bilingual


class Priority(models.TextChoices):
    LOW = "low", _("低")
    NORMAL = "normal", _("普通")
    HIGH = "high", _("高")
    URGENT = "urgent", _("紧急")


class RequestType(TenantModel):
    """What a department can be asked for, with its SLA policy and form.

    ``sla_targets`` is JSON keyed by priority (validated by
    ``catalog.form_schema.validate_sla_targets``)::

        {"normal": {"response": {"unit": "calendar_hours", "amount": 24},
                    "resolution": {"unit": "working_days", "amount": 5},
                    "milestones": [{"key": "feasibility", "name_zh": "…", "name_en": "…",
                                    "unit": "working_days", "amount": 3}]}}

    ``policy_version`` is bumped whenever the targets change; timers snapshot
    the target and the version they were started (or recomputed) with.
    """

    serving_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="request_types",
        verbose_name=_("服务部门"),
    )
    code = models.SlugField(_("代码"), max_length=48)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    description_zh = models.TextField(_("说明（中文）"), blank=True)
    description_en = models.TextField(_("说明（英文）"), blank=True)
    priorities = models.JSONField(_("可选优先级"), default=list)
    default_priority = models.CharField(
        _("默认优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    sla_targets = models.JSONField(_("SLA 时限"), default=dict)
    policy_version = models.PositiveIntegerField(_("策略版本"), default=1)
    form_schema = models.JSONField(_("表单字段"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("请求类型")
        verbose_name_plural = _("请求类型")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="request_type_org_code_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "serving_department", "sort_order"],
                name="request_type_org_dept_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return bilingual(self.description_zh, self.description_en)

    def targets_for(self, priority: str) -> dict:
        return (self.sla_targets or {}).get(priority) or {}
