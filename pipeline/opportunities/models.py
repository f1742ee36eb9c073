"""Deals (商机), their stages and every move between stages.

The funnel's figures come from ``StageChange``: one row per move, never
edited except for ``left_at`` (the end of the stay it started). Three columns
are written once, at insert, so the funnel report is a single indexed range
scan instead of a window over every change of every opportunity:

- ``from_level`` / ``to_level``: the opportunity's high-water mark (the
  furthest non-lost stage ``order`` it had reached) before and after the move.
  A move *enters* stage S exactly when ``from_level < S.order <= to_level``;
  since the mark only rises, each opportunity enters each stage at most once
  (skipped stages count as passed through, going backwards enters nothing).
- ``prev_level_at``: when the mark reached ``from_level``, so "did it enter the
  previous stage inside the same period" needs no second look-up.
- ``amount`` / ``currency``: the deal's value at the move, so the default view
  of the funnel never joins the opportunities (bench/funnel.py: 2M changes).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel
from departments.models import bilingual
from pipeline.accounts.models import Account


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")


class LostReason(models.TextChoices):
    COLLABORATION_DELAY = "collaboration_delay", _("配合延迟")
    PRICE = "price", _("价格")
    COMPETITOR = "competitor", _("竞争对手")
    NO_BUDGET = "no_budget", _("无预算")
    OTHER = "other", _("其他")


class Stage(TenantModel):
    """A funnel stage of one organization. ``order`` is the funnel level;
    the lost stage sits outside the sequence (it never raises the mark)."""

    code = models.SlugField(_("代码"), max_length=32)
    name_zh = models.CharField(_("中文名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("顺序"))
    default_probability = models.PositiveSmallIntegerField(
        _("默认赢率（%）"), validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("赢单阶段"), default=False)
    is_lost = models.BooleanField(_("丢单阶段"), default=False)

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="stage_org_code_uniq"),
            models.UniqueConstraint(fields=["organization", "order"], name="stage_org_order_uniq"),
            models.CheckConstraint(
                condition=~(Q(is_won=True) & Q(is_lost=True)), name="stage_not_won_and_lost"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Opportunity(TenantModel):
    """A deal (商机). Stage moves go through ``services.opportunity_move``."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("客户")
    )
    name = models.CharField(_("商机名称"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pipeline_opportunities",
        verbose_name=_("负责销售"),
    )
    amount = models.DecimalField(
        _("金额"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(
        _("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    expected_close_date = models.DateField(_("预计成交日期"))
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("阶段")
    )
    probability = models.PositiveSmallIntegerField(
        pgettext_lazy("opportunity", "赢率（%）"), validators=[MaxValueValidator(100)]
    )
    next_step = models.CharField(_("下一步"), max_length=300, blank=True)
    lost_reason = models.CharField(
        _("丢单原因"), max_length=24, choices=LostReason.choices, blank=True
    )
    lost_note = models.TextField(_("丢单说明"), blank=True)
    stage_entered_at = models.DateTimeField(_("进入当前阶段"))
    # The high-water mark (see the module docstring), kept by opportunity_move.
    reached_level = models.PositiveSmallIntegerField(default=0)
    reached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("商机")
        verbose_name_plural = pgettext_lazy("plural", "商机")
        ordering = ["expected_close_date", "id"]
        indexes = [
            # The funnel's filtered medians read a rep's (or team's) deal ids
            # from the index alone.
            models.Index(
                fields=["organization", "owner", "stage"],
                include=["id"],
                name="opp_org_owner_stage_idx",
            ),
            # Covering: the funnel's forecast (open deals by expected close
            # month) reads only the index.
            models.Index(
                fields=["organization", "stage", "expected_close_date"],
                include=["currency", "amount", "probability"],
                name="opp_org_stage_close_idx",
            ),
            models.Index(
                fields=["organization", "account"], include=["id"], name="opp_org_account_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pipeline:opportunity_detail", args=[self.pk])

    @property
    def weighted_amount(self) -> Decimal:
        return self.amount * self.probability / 100


class DwellDays(models.Func):
    """Whole days a closed stay lasted: ``floor((left_at - changed_at) / 1 day)``.

    The same expression is written out in the rollup's SQL (services.py) and
    the median query (selectors.py) so PostgreSQL matches it to the index."""

    template = "FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400)"
    arg_joiner = " - "
    output_field = models.DecimalField()

    def __init__(self, **extra):
        super().__init__(F("left_at"), F("changed_at"), **extra)


class StageChange(TenantModel):
    """One move of one opportunity; the funnel's source of truth."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    # The deal's amount and currency at the move: the funnel reports what
    # entered a stage at the value it had then, and reads one table.
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default=Currency.CNY)
    # The end of the stay in ``to_stage`` (the next change's changed_at);
    # null while the opportunity is still there.
    left_at = models.DateTimeField(null=True, blank=True)
    from_level = models.PositiveSmallIntegerField(default=0)
    to_level = models.PositiveSmallIntegerField(default=0)
    prev_level_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["changed_at", "id"]
        indexes = [
            # Covering indexes: the funnel's two scans (entries by changed_at,
            # stays by left_at) read only the index, never the heap
            # (bench/funnel.py: 2,000,000 moves).
            models.Index(
                fields=["organization", "changed_at"],
                include=[
                    "from_level",
                    "to_level",
                    "prev_level_at",
                    "to_stage",
                    "amount",
                    "currency",
                ],
                name="stagechange_org_at_idx",
            ),
            models.Index(
                fields=["organization", "left_at"],
                include=["changed_at", "to_stage", "currency", "opportunity"],
                name="stagechange_org_left_idx",
            ),
            models.Index(
                fields=["organization", "opportunity", "changed_at"], name="stagechange_org_opp_idx"
            ),
            # Stays still open: the funnel's medians count them up to the
            # period's end (a small set, read whole).
            models.Index(
                fields=["organization", "to_stage", "changed_at"],
                include=["currency", "opportunity"],
                condition=Q(left_at__isnull=True),
                name="stagechange_open_idx",
            ),
            # Closed stays by whole days in stage: the exact median inside the
            # rollup's bucket (FunnelStayDay) reads only that bucket's stays,
            # from the index alone (currency and deal are in it too).
            models.Index(
                F("organization"),
                F("to_stage"),
                F("currency"),
                DwellDays(),
                F("left_at"),
                F("changed_at"),
                F("opportunity"),
                condition=Q(left_at__isnull=False),
                name="stagechange_dwell_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class RequestLink(TenantModel):
    """The customer (and, optionally, the deal of that customer) a
    collaboration request is for: at most one per request.

    requests_sla never imports pipeline: it writes and reads these rows
    through its link registry (``requests_sla.catalog.links``), which
    ``pipeline.links.services`` fills. The table sits with the deals rather
    than in ``links/`` because the lost-deal post-mortem (here) and the
    follow-ups (above) read it, and ``links/`` sits above both. A deal always
    brings its account, so ``account`` is never empty; a deal deleted later
    leaves the request linked to its customer; a customer with linked
    requests is kept, like one with deals.
    """

    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.CASCADE, related_name="+", verbose_name=_("请求")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("商机"),
    )

    class Meta:
        verbose_name = _("请求关联")
        verbose_name_plural = _("请求关联")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request"], name="request_link_request_uniq"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "opportunity"],
                include=["request"],
                name="request_link_opp_idx",
            ),
            models.Index(
                fields=["organization", "account"],
                include=["request"],
                name="request_link_acct_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.account_id}/{self.opportunity_id}"
