"""SLA data: working calendars, timers and their event logs, the escalation
ladder's settings and rungs, and each decided timer's outcome.

Every table is tenant-owned (``TenantModel``): unique constraints include
``organization`` and composite indexes start with it. Fields documented as a
*cache* are rewritten by ``sla.services`` from the event log; never edit
them by hand. sla/ sits below requests/: a timer reaches its request
through the ``SlaTimer.request`` foreign key, never by import."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel
from departments.models import bilingual


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", _("正常")
    AT_RISK = "at_risk", _("预警")
    BREACHED = "breached", _("超时")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已达成")


class BusinessCalendar(TenantModel):
    """Working time of an organization, or of one department (which then wins).

    ``version`` is bumped on every change (ranges, holidays, exceptions); SLA
    timers record the version they were computed with, and the in-process
    cache of built calendars is keyed by (id, version).
    """

    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("部门"),
        help_text=_("留空表示全企业通用的日历"),
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    timezone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    weekly = models.JSONField(
        _("每周工作时间"),
        default=dict,
        help_text=_(
            '按星期（0=周一）列出工作时段，如 {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}'
        ),
    )
    use_official_holidays = models.BooleanField(_("使用官方节假日"), default=True)
    country = models.CharField(_("节假日国家/地区"), max_length=2, default="CN")
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(department__isnull=True),
                name="calendar_one_org_default",
            ),
            models.UniqueConstraint(
                fields=["organization", "department"],
                condition=models.Q(department__isnull=False),
                name="calendar_one_per_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(_("工作日历"))


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日")
    WORKDAY = "workday", _("调休上班日")


class CalendarException(TenantModel):
    """A date an admin declares a holiday or a make-up workday; wins over official data."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=ExceptionKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("日历例外")
        verbose_name_plural = _("日历例外")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "calendar", "date"], name="calendar_exception_date_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class TimerKind(models.TextChoices):
    RESPONSE = "response", _("响应时限")
    RESOLUTION = "resolution", _("解决时限")
    MILESTONE = "milestone", _("里程碑")


class StopReason(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("已响应")
    RESOLVED = "resolved", _("已解决")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已撤回")
    REJECTED = "rejected", _("已拒绝")
    TRANSFERRED = "transferred", _("已转派")


class SlaTimer(TenantModel):
    """One SLA clock of a request. Its truth is its ``events``; the fields
    below the snapshot are a cache of ``compute_timer`` over them."""

    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.CASCADE, related_name="timers"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=TimerKind.choices)
    key = models.SlugField(
        _("代码"), max_length=48, help_text=_("response、resolution 或里程碑代码")
    )
    name_zh = models.CharField(max_length=100, blank=True)
    name_en = models.CharField(max_length=100, blank=True)
    # Snapshot of the policy the timer runs under.
    unit = models.CharField(_("单位"), max_length=16)
    amount = models.DecimalField(_("时限"), max_digits=8, decimal_places=2)
    policy_version = models.PositiveIntegerField(default=1)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    calendar_version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    # A transfer closes the old timers and starts fresh ones; the old ones
    # stay for the record (was the first department late?).
    superseded_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=12, choices=StopReason.choices, blank=True)

    # Cache of compute_timer(...).
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=SlaState.choices)
    at_risk_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(
        null=True, blank=True, help_text=_("状态下一次可能变化的时刻；已停止或暂停时为空")
    )
    breached_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    elapsed_minutes = models.IntegerField(default=0)
    budget_minutes = models.IntegerField(default=0)
    remaining_minutes = models.IntegerField(default=0)
    provisional = models.BooleanField(default=False)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA 计时器")
        verbose_name_plural = _("SLA 计时器")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "key"],
                condition=models.Q(superseded_at__isnull=True),
                name="sla_timer_current_key_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "next_check_at"], name="sla_timer_next_check_idx"),
            models.Index(fields=["organization", "request"], name="sla_timer_request_idx"),
            models.Index(fields=["organization", "state", "due_at"], name="sla_timer_state_idx"),
            # The escalation sweep reads due timers across organizations.
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(next_check_at__isnull=False),
                name="sla_timer_sweep_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.key}"

    @property
    def name(self) -> str:
        if self.kind == TimerKind.MILESTONE:
            return bilingual(self.name_zh, self.name_en) or self.key
        return str(TimerKind(self.kind).label)

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None and self.superseded_at is None


class SlaEventKind(models.TextChoices):
    START = "start", _("开始计时")
    PAUSE = "pause", _("暂停计时")
    RESUME = "resume", _("恢复计时")
    STOP = "stop", _("停止计时")
    RECALCULATED = "recalculated", _("重新计算")


class SlaEvent(TenantModel):
    """Append-only log of a timer. ``recalculated`` rows record a policy or
    calendar change and do not feed the computation."""

    timer = models.ForeignKey(SlaTimer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=SlaEventKind.choices)
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    calendar_version = models.PositiveIntegerField(default=1)
    policy_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("SLA 事件")
        verbose_name_plural = _("SLA 事件")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "timer", "at"], name="sla_event_timer_idx")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at}"


class EscalationLevel(models.IntegerChoices):
    AT_RISK = 1, _("预警")
    BREACHED = 2, _("超时上会")
    FOLLOW_UP = 3, _("超时未解决")


class EscalationPolicy(TenantModel):
    """The organization's ladder settings (one row, created with defaults).

    The at-risk threshold is the SLA engine's (75% of a timer's budget), so
    the ladder's level 1 and the queue's amber band always agree.
    """

    notify_at_risk = models.BooleanField(_("预警时通知处理人和部门负责人"), default=True)
    meeting_window_days = models.PositiveSmallIntegerField(
        _("沟通会窗口（工作日）"),
        default=5,
        help_text=_("该期限内已有安排的沟通会就直接上会，否则在下一个工作日新建一场"),
    )
    meeting_time = models.TimeField(_("新建沟通会的时间"), default=dt.time(10, 0))
    meeting_duration_minutes = models.PositiveSmallIntegerField(_("会议时长（分钟）"), default=60)
    follow_up_hours = models.PositiveSmallIntegerField(
        _("超时后多少工作小时仍未解决再次升级"), default=8
    )
    raise_priority = models.BooleanField(_("再次升级时提高优先级"), default=True)
    email_off_hours = models.BooleanField(
        _("非工作时间也发送邮件"), default=False, help_text=_("默认在下一个工作时间再发送")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("升级策略")
        verbose_name_plural = _("升级策略")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="escalation_policy_org_uniq")
        ]

    def __str__(self) -> str:
        return str(_("升级策略"))


class EscalationStep(TenantModel):
    """One rung of the ladder taken for one timer. The unique constraint is
    what makes the sweep exactly-once, whatever runs it and how often."""

    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.CASCADE, related_name="escalations"
    )
    timer = models.ForeignKey(
        "requests_sla.SlaTimer", on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.PositiveSmallIntegerField(_("级别"), choices=EscalationLevel.choices)
    fired_at = models.DateTimeField(_("升级时间"))
    # When the threshold was crossed (at_risk_at, due_at, breach + N hours);
    # fired_at - threshold_at is how late the sweep was.
    threshold_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(
        "requests_sla.ReviewMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A level recorded together with a higher one (e.g. the at-risk rung of a
    # timer found already breached): no separate notification was sent.
    caught_up = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        ordering = ["fired_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "request", "timer", "level"], name="escalation_step_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "fired_at"], name="escalation_step_fired_idx"),
            models.Index(fields=["organization", "timer"], name="escalation_step_timer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.timer_id}:L{self.level}"


class SlaOutcome(TenantModel):
    """The outcome of one decided response/resolution timer, as the dashboard
    counts it (met, or breached), with the request dimensions it is filtered
    by and the instants it is bucketed by.

    Why a summary table: the dashboard filters by the *request's* dimensions
    but counts *timers*; at a million requests, joining two million timers to
    their requests for every page view is the slow part. This is that join
    done once. It is maintained synchronously: ``timer_recompute`` calls
    ``sla.outcomes.outcome_sync(timer)`` (one upsert or delete, in the same
    transaction), so it never lags the timers' cached fields; writes that
    bypass the services are reconciled by ``outcomes_rebuild`` (nightly).
    The dimensions are captured when the row is first written, i.e. when the
    timer first had an outcome: a timer that breached before a transfer stays
    with the department that was late. Counts are read from its rollups in
    ``reporting.models``."""

    timer = models.ForeignKey("requests_sla.SlaTimer", on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        "requests_sla.Request", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=12)  # "response" | "resolution"
    serving_department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    requesting_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
    )
    request_type = models.ForeignKey(
        "requests_sla.RequestType", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    priority = models.CharField(max_length=8)
    # When the outcome was decided: the breach instant for a breached timer
    # (even if it was stopped later), else the instant it was met. This is
    # the instant attainment is bucketed by, so each timer counts once.
    decided_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True)  # time-to-X percentiles bucket by this
    met = models.BooleanField()
    breached = models.BooleanField()
    elapsed_minutes = models.IntegerField()  # business minutes, pauses excluded
    late_minutes = models.IntegerField(default=0)  # business minutes past due, once stopped

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "timer"], name="sla_outcome_timer_uniq")
        ]
        indexes = [
            # The drill-down's "decided in the window" lists (the page's
            # counts come from ``SlaOutcomeDay``).
            models.Index(fields=["organization", "decided_at"], name="sla_outcome_decided_idx"),
            # Percentiles of business minutes of the timers stopped in the
            # period: an index-only range scan (kind and minutes included),
            # for the whole organization or for one serving department.
            models.Index(
                fields=["organization", "stopped_at"],
                include=[
                    "kind",
                    "elapsed_minutes",
                    "serving_department",
                    "requesting_department",
                    "request_type",
                    "priority",
                ],
                condition=models.Q(stopped_at__isnull=False),
                name="sla_outcome_stopped_idx",
            ),
            models.Index(
                fields=["organization", "serving_department", "stopped_at"],
                include=[
                    "kind",
                    "elapsed_minutes",
                    "requesting_department",
                    "request_type",
                    "priority",
                ],
                condition=models.Q(stopped_at__isnull=False),
                name="sla_outcome_stopped_dept_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.timer_id}:{self.kind}"


def timer_request_model() -> type[models.Model]:
    """The model a timer's ``request`` points at (``requests.models.Request``).

    sla/ sits below requests/: requests/ drives the timers (filing starts them,
    every action appends events), so sla/ reaches a timer's request through the
    foreign key, never by import. Its cached SLA summary columns and its table
    (the outcome rows join it) are the only things sla/ touches."""
    model = SlaTimer._meta.get_field("request").related_model
    assert isinstance(model, type)  # resolved once the apps are loaded
    return model
