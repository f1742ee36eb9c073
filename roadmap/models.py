"""Requirement review (需求评审): requirements and their backers, the R&D
assessment, the bi-weekly review board, prototype validation and releases.

A requirement's truth is its row and its history (simple-history); its state
only moves through ``services.requirements.requirement_transition`` (the one
table of allowed moves, ``TRANSITIONS``). Backers are rows with real foreign
keys to pipeline's accounts and deals (pipeline sits below roadmap).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel


class State(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    UNDER_ASSESSMENT = "under_assessment", _("评估中")
    READY_FOR_REVIEW = "ready_for_review", _("待评审")
    PROTOTYPE = "prototype", _("原型制作中")
    VALIDATING = "validating", _("原型验证中")
    ACCEPTED = "accepted", _("已纳入版本")
    DECLINED = "declined", pgettext_lazy("requirement", "已拒绝")
    DEFERRED = "deferred", _("已延后")
    IN_DEVELOPMENT = "in_development", _("开发中")
    SHIPPED = "shipped", _("已上线")
    MERGED = "merged", _("已合并")


# The one table of allowed moves (from → to).
TRANSITIONS: dict[str, frozenset[str]] = {
    State.SUBMITTED: frozenset({State.UNDER_ASSESSMENT, State.MERGED}),
    State.UNDER_ASSESSMENT: frozenset({State.READY_FOR_REVIEW, State.MERGED}),
    State.READY_FOR_REVIEW: frozenset(
        {State.ACCEPTED, State.DECLINED, State.DEFERRED, State.PROTOTYPE, State.MERGED}
    ),
    State.PROTOTYPE: frozenset({State.VALIDATING}),
    State.VALIDATING: frozenset({State.READY_FOR_REVIEW}),
    State.DEFERRED: frozenset({State.READY_FOR_REVIEW}),
    State.ACCEPTED: frozenset({State.IN_DEVELOPMENT, State.SHIPPED}),
    State.IN_DEVELOPMENT: frozenset({State.SHIPPED}),
    State.DECLINED: frozenset(),
    State.SHIPPED: frozenset(),
    State.MERGED: frozenset(),
}
DECIDED_STATES = frozenset(
    {State.ACCEPTED, State.DECLINED, State.DEFERRED, State.IN_DEVELOPMENT, State.SHIPPED}
)


class Feasibility(models.TextChoices):
    FEASIBLE = "feasible", _("可行")
    CONDITIONAL = "conditional", _("有条件可行")
    NOT_FEASIBLE = "not_feasible", _("不可行")


class Impact(models.IntegerChoices):
    LOW = 1, _("低")
    MEDIUM = 2, _("中")
    HIGH = 3, _("高")


class Release(TenantModel):
    """A product version holding accepted requirements."""

    version = models.CharField(_("版本号"), max_length=40)
    planned_on = models.DateField(_("计划日期"))
    shipped_at = models.DateTimeField(_("上线时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("release", "版本")
        verbose_name_plural = pgettext_lazy("release", "版本")
        ordering = ["-planned_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="release_version_uniq")
        ]
        indexes = [models.Index(fields=["organization", "planned_on"], name="release_org_plan_idx")]

    def __str__(self) -> str:
        return self.version


class Requirement(TenantModel):
    title = models.CharField(_("标题"), max_length=200)
    background = models.TextField(_("客户背景"))
    pain_point = models.TextField(_("痛点场景"))
    expected_outcome = models.TextField(_("预期效果"))
    # Title and text segmented into words (jieba for Chinese), lower case:
    # the similar-requirement search runs pg_trgm over it.
    search_text = models.TextField(default="", blank=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    impact = models.PositiveSmallIntegerField(
        _("业务影响"), choices=Impact.choices, default=Impact.MEDIUM
    )
    # The R&D feasibility request whose SLA timers are the assessment's clock.
    assessment_request = models.ForeignKey(
        "requests_sla.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评估请求"),
    )
    feasibility = models.CharField(
        _("技术可行性"), max_length=16, choices=Feasibility.choices, blank=True
    )
    feasibility_reason = models.TextField(_("可行性说明"), blank=True)
    cost_low_days = models.DecimalField(
        _("开发成本下限（人天）"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    cost_high_days = models.DecimalField(
        _("开发成本上限（人天）"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    resources = models.TextField(_("所需资源"), blank=True)
    risks = models.TextField(pgettext_lazy("plural", "风险"), blank=True)
    needs_prototype = models.BooleanField(_("需要原型验证"), default=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评估人"),
    )
    assessed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decline_reason = models.TextField(pgettext_lazy("requirement", "拒绝原因"), blank=True)
    revisit_on = models.DateField(_("重新评审日期"), null=True, blank=True)
    release = models.ForeignKey(
        Release,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name=pgettext_lazy("release", "版本"),
    )
    shipped_at = models.DateTimeField(_("上线时间"), null=True, blank=True)
    # Working minutes (the organization's business calendar) from submission
    # to the board's decision, and from the decision to shipping: written when
    # each happens, so the loop's medians are one aggregate.
    decision_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    ship_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("合并到"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_low_days__isnull=True)
                | Q(cost_high_days__isnull=True)
                | Q(cost_low_days__lte=models.F("cost_high_days")),
                name="requirement_cost_low_le_high",
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="requirement_declined_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state"], name="requirement_org_state_idx"),
            models.Index(fields=["organization", "release"], name="requirement_org_release_idx"),
            # "My customers' requirements", newest first: walked backwards, it
            # stops at the twentieth match instead of sorting every match.
            models.Index(
                fields=["organization", "submitted_at"], name="requirement_org_submitted_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"RQ-{self.pk}"

    @property
    def cost_range(self) -> str:
        """The person-day estimate as shown: "3.0–5.0 人天" ("?" for a bound not set)."""
        low, high = self.cost_low_days, self.cost_high_days
        return gettext("%(low)s–%(high)s 人天") % {
            "low": "?" if low is None else localize(low),
            "high": "?" if high is None else localize(high),
        }


class Backer(TenantModel):
    """An account (and optionally one of its deals) behind a requirement."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="backers", verbose_name=_("需求")
    )
    account = models.ForeignKey(
        "pipeline.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("商机"),
    )
    needed_for_renewal = models.BooleanField(_("续约/增购所需"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("添加人"),
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("需求支持方")
        verbose_name_plural = _("需求支持方")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "requirement", "opportunity"],
                condition=Q(opportunity__isnull=False),
                name="backer_requirement_deal_uniq",
            ),
            models.UniqueConstraint(
                fields=["organization", "requirement", "account"],
                condition=Q(opportunity__isnull=True),
                name="backer_requirement_account_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "requirement"],
                include=["account", "opportunity", "needed_for_renewal"],
                name="backer_org_requirement_idx",
            ),
            # A rep's requirements are found from their accounts and deals: the
            # requirement id in the index spares a heap visit a backer.
            models.Index(
                fields=["organization", "opportunity"],
                include=["requirement"],
                name="backer_org_deal_idx",
            ),
            models.Index(
                fields=["organization", "account"],
                include=["requirement"],
                name="backer_org_account_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id}: {self.account_id}/{self.opportunity_id}"


class BoardSettings(TenantModel):
    """When an organization's bi-weekly review board meets (set by the admin).

    Boards fall every other week counted from ``anchor_date``'s week, on
    ``weekday`` at ``time`` (organization time zone); a holiday moves the
    board to the next working day of the business calendar."""

    weekday = models.PositiveSmallIntegerField(_("星期"), help_text=_("0=周一 … 6=周日"), default=2)
    time = models.TimeField(_("时间"), default="15:00")
    anchor_date = models.DateField(_("起始周"), help_text=_("第一次评审会所在的那一周的任意一天"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("评审会设置")
        verbose_name_plural = _("评审会设置")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="board_settings_one_per_org"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="board_settings_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.time}"


class ReviewBoard(TenantModel):
    """One bi-weekly requirement review meeting (双周需求评审会).

    ``slot`` is the planned date (every other ``weekday``) before the
    calendar moved it; one board per slot, so two beats create it once."""

    slot = models.DateField(_("计划日期"))
    starts_at = models.DateTimeField(_("开始时间"))
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("需求评审会")
        verbose_name_plural = _("需求评审会")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slot"], name="review_board_slot_uniq")
        ]
        indexes = [models.Index(fields=["organization", "starts_at"], name="board_org_starts_idx")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d}"


class Decision(models.TextChoices):
    ACCEPT = "accept", _("纳入版本")
    DECLINE = "decline", pgettext_lazy("requirement", "拒绝")
    DEFER = "defer", _("延后")
    PROTOTYPE = "prototype", _("需要原型")


class BoardItem(TenantModel):
    """A requirement on a board's agenda, and what the board decided."""

    board = models.ForeignKey(ReviewBoard, on_delete=models.CASCADE, related_name="items")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("评分"), max_digits=12, decimal_places=2, default=0)
    decision = models.CharField(_("决定"), max_length=12, choices=Decision.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评审议题")
        verbose_name_plural = _("评审议题")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "board", "requirement"], name="board_item_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.board_id}:{self.requirement_id}"


class Prototype(TenantModel):
    """The prototype or demo of a requirement and its validation window."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    link = models.URLField(_("原型链接"), blank=True)
    description = models.TextField(_("说明"), blank=True)
    window_start = models.DateField(_("验证开始"))
    window_end = models.DateField(_("验证截止"))
    completed_at = models.DateTimeField(_("验证完成"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("原型")
        verbose_name_plural = _("原型")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "requirement"], name="prototype_requirement_uniq"
            ),
            models.CheckConstraint(
                condition=Q(window_start__lte=models.F("window_end")), name="prototype_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id}"


class Verdict(models.TextChoices):
    MEETS = "meets", _("满足需求")
    PARTLY = "partly", _("部分满足")
    NO = "no", _("不满足")


class ValidationCustomer(TenantModel):
    """A customer chosen to validate a prototype, and their verdict."""

    prototype = models.ForeignKey(Prototype, on_delete=models.CASCADE, related_name="customers")
    account = models.ForeignKey("pipeline.Account", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "pipeline.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verdict = models.CharField(_("结论"), max_length=8, choices=Verdict.choices, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("验证客户")
        verbose_name_plural = _("验证客户")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "prototype", "account"], name="validation_customer_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prototype_id}:{self.account_id}"


class DealNote(TenantModel):
    """An activity on a deal's page written by the roadmap (a shipped requirement)."""

    opportunity = models.ForeignKey(
        "pipeline.Opportunity", on_delete=models.CASCADE, related_name="+"
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("商机动态")
        verbose_name_plural = _("商机动态")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "opportunity", "requirement", "release"],
                name="deal_note_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "opportunity"], name="deal_note_org_opp_idx")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}:{self.requirement_id}"
