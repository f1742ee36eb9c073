"""Accounts, opportunities and customer-success leads (see issue 6).

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

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel
from departments.models import bilingual


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("制造业")
    RETAIL = "retail", _("零售与消费")
    FINANCE = "finance", _("金融")
    HEALTHCARE = "healthcare", _("医疗健康")
    EDUCATION = "education", _("教育")
    TECHNOLOGY = "technology", _("互联网与科技")
    LOGISTICS = "logistics", _("物流")
    ENERGY = "energy", _("能源")
    GOVERNMENT = "government", _("政府与公共事业")
    OTHER = "other", _("其他")


class AccountSize(models.TextChoices):
    SMALL = "small", _("小型（<100人）")
    MEDIUM = "medium", _("中型（100–999人）")
    LARGE = "large", _("大型（1000–9999人）")
    ENTERPRISE = "enterprise", _("超大型（≥10000人）")


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


class Account(TenantModel):
    """A customer (客户)."""

    name = models.CharField(_("客户名称"), max_length=200)
    industry = models.CharField(_("行业"), max_length=24, choices=Industry.choices)
    size = models.CharField(_("规模"), max_length=16, choices=AccountSize.choices)
    is_key_account = models.BooleanField(_("重点客户"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pipeline_accounts",
        verbose_name=_("负责销售"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="account_org_name_uniq")
        ]
        indexes = [
            models.Index(fields=["organization", "owner"], name="account_org_owner_idx"),
            models.Index(fields=["organization", "industry"], name="account_org_industry_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pipeline:account_detail", args=[self.pk])


class Contact(TenantModel):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("客户")
    )
    name = models.CharField(_("姓名"), max_length=100)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["name"]
        indexes = [models.Index(fields=["organization", "account"], name="contact_org_account_idx")]

    def __str__(self) -> str:
        return self.name


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
        _("赢率（%）"), validators=[MaxValueValidator(100)]
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
        verbose_name_plural = _("商机")
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

    def as_sqlite(self, compiler, connection, **extra_context):
        # The embedded default (make run without DATABASE_URL) is SQLite.
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s) ) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


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


class LeadSource(models.TextChoices):
    FOLLOW_UP = "follow_up", _("回访")
    SERVICE_RECORD = "service_record", _("服务记录")
    OTHER = "other", _("其他")


class LeadKind(models.TextChoices):
    REPEAT = "repeat", _("复购")
    UPSELL = "upsell", _("增购")
    RENEWAL = "renewal", _("续约")
    REFERRAL = "referral", _("转介绍")


class LeadStatus(models.TextChoices):
    NEW = "new", _("新线索")
    ACCEPTED = "accepted", _("已接受")
    REJECTED = "rejected", _("已拒绝")
    CONVERTED = "converted", _("已转商机")


class FollowUpKind(models.TextChoices):
    VISIT = "visit", _("拜访")
    CALL = "call", _("电话")
    SURVEY = "survey", _("问卷")


class FollowUp(TenantModel):
    """A customer-success touch: visit, call or survey, with satisfaction."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("客户")
    )
    # The collaboration request this follows up on (requests_sla, built
    # separately); a plain id until that model is stable.
    request_id = models.IntegerField(_("协作请求编号"), null=True, blank=True)
    kind = models.CharField(_("方式"), max_length=16, choices=FollowUpKind.choices)
    scheduled_for = models.DateTimeField(_("计划时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        _("满意度（1–5）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("客户反馈"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("执行人"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-scheduled_for"]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                name="followup_csat_1_5",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "account", "done_at"], name="followup_org_account_idx"
            ),
            models.Index(fields=["organization", "done_at"], name="followup_org_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account_id}"


class Lead(TenantModel):
    """A repeat-purchase or upsell lead (复购增购线索) from Customer Success."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="leads", verbose_name=_("客户")
    )
    source = models.CharField(_("来源"), max_length=16, choices=LeadSource.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=LeadKind.choices)
    estimated_amount = models.DecimalField(
        _("预估金额"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    description = models.TextField(_("描述"))
    follow_up = models.ForeignKey(
        FollowUp,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("来自回访"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    reject_reason = models.TextField(_("拒绝原因"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    opportunity = models.OneToOneField(
        Opportunity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead",
        verbose_name=_("转化的商机"),
    )
    # The in-app notice to the account owner: the rep's leads page lists
    # the new leads notified to them.
    owner_notified_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("复购增购线索")
        verbose_name_plural = _("复购增购线索")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "status", "created_at"], name="lead_org_status_idx"
            ),
            models.Index(fields=["organization", "account"], name="lead_org_account_idx"),
            models.Index(fields=["organization", "created_at"], name="lead_org_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.account_id}"


class FunnelEntryDay(TenantModel):
    """Rollup of funnel entries (see selectors.funnel_report and reports.py).

    One row per (stage, day the deals entered it, day they entered the next
    stage or null, currency, owner, industry): how many deals and their
    amount at entry. Rows with a null owner and industry are the totals over
    all owners and industries (the unfiltered report reads only those). For
    the lost stage: moves to lost, ``next_day`` null. Days are in the
    organization's time zone. Kept by the services in the move's transaction;
    ``manage.py funnel_rollup_rebuild`` recomputes it from ``StageChange``.
    """

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    next_day = models.DateField(null=True)
    currency = models.CharField(max_length=3)
    owner_id = models.IntegerField(null=True)
    industry = models.CharField(max_length=24, null=True)
    n = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "stage",
                    "day",
                    "next_day",
                    "currency",
                    "owner_id",
                    "industry",
                ],
                nulls_distinct=False,
                name="funnelentryday_key_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "currency", "day"],
                include=["stage", "next_day", "n", "amount"],
                condition=Q(owner_id__isnull=True),
                name="funnelentryday_total_idx",
            ),
            # Covering, as the filtered reports read them.
            models.Index(
                fields=["organization", "owner_id", "day"],
                include=["stage", "next_day", "currency", "industry", "n", "amount"],
                name="funnelentryday_owner_idx",
            ),
            models.Index(
                fields=["organization", "industry", "day"],
                include=["stage", "next_day", "currency", "owner_id", "n", "amount"],
                name="funnelentryday_industry_idx",
            ),
        ]


class FunnelStayDay(TenantModel):
    """Rollup of closed stays: a histogram of whole days in stage.

    One row per (stage, day the stay ended, whole days it lasted, currency,
    owner, industry): how many stays. Null owner and industry: totals. With
    cumulative counts it locates the bucket that holds a median; the exact
    value inside that bucket comes from ``StageChange`` through the
    ``stagechange_dwell_idx`` expression index (a few rows)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    left_day = models.DateField()
    dwell_days = models.IntegerField()
    currency = models.CharField(max_length=3)
    owner_id = models.IntegerField(null=True)
    industry = models.CharField(max_length=24, null=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "stage",
                    "left_day",
                    "dwell_days",
                    "currency",
                    "owner_id",
                    "industry",
                ],
                nulls_distinct=False,
                name="funnelstayday_key_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "currency", "left_day"],
                include=["stage", "dwell_days", "n"],
                condition=Q(owner_id__isnull=True),
                name="funnelstayday_total_idx",
            ),
            # Covering, as the filtered reports read them.
            models.Index(
                fields=["organization", "owner_id", "left_day"],
                include=["stage", "dwell_days", "currency", "industry", "n"],
                name="funnelstayday_owner_idx",
            ),
            models.Index(
                fields=["organization", "industry", "left_day"],
                include=["stage", "dwell_days", "currency", "owner_id", "n"],
                name="funnelstayday_industry_idx",
            ),
        ]


class FunnelOpenDay(TenantModel):
    """Rollup of stays still open, in the funnel's open stages: how many
    entered each stage on each day (UTC) and are still there.

    One row per (stage, UTC day the stay began, currency, owner, industry).
    Null owner and industry: totals. An open stay that began at ``t`` has
    lasted ``as_of − t`` at ``as_of``, so a day's row bounds its stays'
    durations to one day's width: with the closed stays' histogram
    (FunnelStayDay) it locates the whole-day bucket(s) of a median without
    reading the open pipeline (see selectors._MEDIAN_SQL). UTC days, not the
    organization's, so that each row spans exactly 86,400 seconds."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    currency = models.CharField(max_length=3)
    owner_id = models.IntegerField(null=True)
    industry = models.CharField(max_length=24, null=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stage", "day", "currency", "owner_id", "industry"],
                nulls_distinct=False,
                name="funnelopenday_key_uniq",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "currency", "day"],
                include=["stage", "n"],
                condition=Q(owner_id__isnull=True),
                name="funnelopenday_total_idx",
            ),
            # Covering, as the filtered reports read them.
            models.Index(
                fields=["organization", "owner_id", "day"],
                include=["stage", "currency", "industry", "n"],
                name="funnelopenday_owner_idx",
            ),
            models.Index(
                fields=["organization", "industry", "day"],
                include=["stage", "currency", "owner_id", "n"],
                name="funnelopenday_industry_idx",
            ),
        ]
