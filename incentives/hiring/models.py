"""Hiring plans (招聘计划): departments ask for headcount, HR turns approved
requests into a quarter's plan of open positions and follows each through
the pipeline (sourcing → interviews → offer → joined).

One position is one head: a request for three engineers opens three
positions, each with its own stage, dates and new joiner.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.money import amount_field, currency_field
from collab.tenancy import TenantModel

# A department asking for more than this many heads at once is a typo.
HEADCOUNT_MAX = 50


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("待人力审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    PLANNED = "planned", _("已纳入计划")


class Stage(models.TextChoices):
    SOURCING = "sourcing", _("寻访")
    INTERVIEWS = "interviews", _("面试")
    OFFER = "offer", _("录用通知")
    JOINED = "joined", _("已入职")


STAGE_ORDER = [Stage.SOURCING, Stage.INTERVIEWS, Stage.OFFER, Stage.JOINED]


class HeadcountRequest(TenantModel):
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("职位"), max_length=100)
    level = models.CharField(_("职级"), max_length=40)
    count = models.PositiveSmallIntegerField(_("人数"))
    reason = models.TextField(_("理由"), max_length=2000)
    needed_by = models.DateField(_("需到岗日期"))
    budget_per_head = amount_field(_("人均预算"))
    currency = currency_field()
    state = models.CharField(
        _("状态"), max_length=10, choices=RequestState.choices, default=RequestState.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("编制申请")
        verbose_name_plural = _("编制申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "department"], name="hiring_request_dept_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(count__gte=1, count__lte=HEADCOUNT_MAX),
                name="hiring_request_count_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.position} × {self.count}"

    @property
    def budget_total(self):
        return self.budget_per_head * self.count


class HiringPlan(TenantModel):
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("招聘计划")
        verbose_name_plural = _("招聘计划")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "quarter"], name="hiring_plan_quarter_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="hiring_plan_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


class Position(TenantModel):
    plan = models.ForeignKey(HiringPlan, on_delete=models.CASCADE, related_name="positions")
    request = models.ForeignKey(
        HeadcountRequest, on_delete=models.PROTECT, related_name="positions"
    )
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("职位"), max_length=100)
    level = models.CharField(_("职级"), max_length=40)
    budget = amount_field(_("预算"))
    currency = currency_field()
    stage = models.CharField(
        _("阶段"), max_length=10, choices=Stage.choices, default=Stage.SOURCING
    )
    opened_on = models.DateField(_("开放日期"))
    joined_on = models.DateField(_("入职日期"), null=True, blank=True)
    joiner_email = models.EmailField(_("入职人员邮箱"), blank=True)
    joiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invitation = models.ForeignKey(
        "departments.Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("招聘职位")
        verbose_name_plural = _("招聘职位")
        ordering = ["plan_id", "department_id", "id"]
        indexes = [
            models.Index(fields=["organization", "plan", "department"], name="hiring_position_idx")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.stage})"
