"""Training (培训): courses owned by Product Management or HR, built from
library assets, with sessions (when, where or the link, the trainer), the
reps enrolled, who attended, and a short completion check (a few
multiple-choice questions and a pass mark).

A course may stand for a published price list or promotion bundle (the
one-step "course for this bundle"): ``bundle`` / ``price_list`` link it, one
course each. pricing sits below and never names these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel
from departments.models import Department, bilingual
from enablement.library.models import Asset
from pricing.models import Bundle, PriceList


class Course(TenantModel):
    title_zh = models.CharField(_("中文名称"), max_length=200)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    description = models.TextField(_("说明"), max_length=5000, blank=True)
    owner_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属部门")
    )
    # Percent of the check's questions answered right to pass.
    pass_mark = models.PositiveSmallIntegerField(
        _("及格线（%）"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    bundle = models.ForeignKey(
        Bundle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    price_list = models.ForeignKey(
        PriceList, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "bundle"],
                condition=Q(bundle__isnull=False),
                name="course_org_bundle_uniq",
            ),
            models.UniqueConstraint(
                fields=["organization", "price_list"],
                condition=Q(price_list__isnull=False),
                name="course_org_price_list_uniq",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self.title_zh, self.title_en or self.title_zh)

    def get_absolute_url(self) -> str:
        return reverse("enablement:course", args=[self.pk])


class CourseAsset(TenantModel):
    """A library asset the course is built from (handbook, webinar…)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="asset_links")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("课程资料")
        verbose_name_plural = _("课程资料")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "course", "asset"], name="courseasset_org_uniq"
            )
        ]


class CourseQuestion(TenantModel):
    """One question of the completion check: options and the right one."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("题目"), max_length=500)
    options = ArrayField(models.CharField(max_length=200), size=6)
    answer = models.PositiveSmallIntegerField(_("正确选项"))

    class Meta:
        verbose_name = _("考核题")
        verbose_name_plural = _("考核题")
        ordering = ["position", "id"]


class CourseSession(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    link = models.URLField(_("线上链接"), blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("讲师"),
    )
    # Ticked by the organizer to schedule outside the business calendar's
    # working hours (a weekend, a holiday, an evening): recorded, with who.
    outside_hours = models.BooleanField(_("非工作时间"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="coursesession_period"
            )
        ]


class Enrolment(TenantModel):
    """A rep on a course: the session they attended, their check, and when
    they completed it (passed the check, or attended a course without one)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    attended_session = models.ForeignKey(
        CourseSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("得分（%）"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "course", "user"], name="enrolment_org_course_user_uniq"
            )
        ]
        indexes = [models.Index(fields=["organization", "user"], name="enrolment_org_user_idx")]

    def __str__(self) -> str:
        return f"{self.course_id} ← {self.user_id}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.completed_at is None
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )
