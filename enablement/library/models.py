"""The library (资料库): assets of the kinds Marketing, Product Management and
HR hand the business, their versions (each keeps its body, sections and
files) and the search vector kept on the asset.

An asset's title, summary and tags are the asset's; what a version changes is
its body, its talk-track sections and its files ("what changed" says how).
``Asset.search`` (and its two small siblings) is written by
``services.asset_reindex`` in the same transaction as every change of the
text it is built from (jieba lexemes, ``search.py``): never by a trigger, so
the segmentation stays in Python.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantModel
from departments.models import Department, bilingual


class AssetKind(models.TextChoices):
    INDUSTRY_REPORT = "industry_report", _("行业报告")
    COMPETITOR_ANALYSIS = "competitor", _("竞品分析")
    SOLUTION_PAGE = "solution_page", _("解决方案页")
    WEBINAR = "webinar", _("线上研讨会")
    TALK_TRACK = "talk_track", _("话术工具包")
    CASE_STUDY = "case_study", _("客户案例")
    TRAINING_HANDBOOK = "handbook", _("培训手册")
    BUNDLE_COMPARISON = "bundle_sheet", _("促销方案对比表")
    PRICE_EXPLANATION = "price_note", _("价格说明")


class AssetStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已下架")


class CustomerSize(models.TextChoices):
    ANY = "", _("不限")
    SMALL = "small", _("小型（<100人）")
    MEDIUM = "medium", _("中型（100–999人）")
    LARGE = "large", _("大型（1000–9999人）")
    ENTERPRISE = "enterprise", _("超大型（≥10000人）")


def _tags() -> ArrayField:
    return ArrayField(models.CharField(max_length=40), default=list, blank=True)


class Asset(TenantModel):
    kind = models.CharField(_("类型"), max_length=16, choices=AssetKind.choices)
    owner_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属部门")
    )
    title_zh = models.CharField(_("中文标题"), max_length=200)
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    summary_zh = models.TextField(_("中文摘要"), max_length=2000, blank=True)
    summary_en = models.TextField(_("英文摘要"), max_length=2000, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AssetStatus.choices, default=AssetStatus.DRAFT
    )
    # Tags: an industry code of pipeline's Industry ("" for any), funnel stage
    # codes, free pain points and products, a customer size.
    industry = models.CharField(_("行业"), max_length=24, blank=True)
    stages = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    pain_points = _tags()
    products = _tags()
    customer_size = models.CharField(
        _("客户规模"), max_length=16, choices=CustomerSize.choices, blank=True
    )
    version = models.PositiveIntegerField(_("当前版本"), default=1)
    search = SearchVectorField(null=True, editable=False)
    # Titles and tags alone, and titles alone: the search ranks by which of
    # the three vectors holds the query, and checking these small ones never
    # reads the body's large (TOASTed) vector (bench/library.py).
    search_head = SearchVectorField(null=True, editable=False)
    search_title = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("资料")
        verbose_name_plural = _("资料")
        ordering = ["-updated_at", "-id"]
        indexes = [
            GinIndex(fields=["search"], name="asset_search_gin"),
            GinIndex(fields=["search_head"], name="asset_search_head_gin"),
            GinIndex(fields=["search_title"], name="asset_search_title_gin"),
            # The newest published assets of an organization, walked in
            # order: a search for a common word reads a few rows off it
            # instead of every match (selectors.library_search).
            models.Index(
                fields=["organization", "status", "-updated_at", "-id"],
                name="asset_org_status_newest_idx",
            ),
            models.Index(fields=["organization", "status", "kind"], name="asset_org_status_idx"),
            models.Index(fields=["organization", "owner_department"], name="asset_org_dept_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self.title_zh, self.title_en or self.title_zh)

    @property
    def summary(self) -> str:
        return bilingual(self.summary_zh, self.summary_en or self.summary_zh)

    @property
    def is_retired(self) -> bool:
        return self.status == AssetStatus.RETIRED

    def get_absolute_url(self) -> str:
        return reverse("enablement:asset", args=[self.pk])


class AssetVersion(TenantModel):
    """One version's content. ``sections`` holds a talk-track toolkit's
    structure: ``{"objections": [{"q": ..., "a": ...}], "key_messages": [...],
    "proof_points": [...]}`` (plain text, escaped when shown)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    body = models.TextField(_("正文"), blank=True, max_length=200_000)
    sections = models.JSONField(default=dict, blank=True)
    change_note = models.CharField(_("更新说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("资料版本")
        verbose_name_plural = _("资料版本")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "asset", "number"], name="assetversion_org_num_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} v{self.number}"


def asset_file_path(instance: AssetFile, filename: str) -> str:
    return f"enablement/{instance.organization_id}/{timezone.now():%Y/%m}/{filename}"


class AssetFile(TenantModel):
    """A file of one version, served only through the checked download view."""

    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=asset_file_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"))
    content_type = models.CharField(_("文件类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("资料文件")
        verbose_name_plural = _("资料文件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("enablement:file", args=[self.pk])
