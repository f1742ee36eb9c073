from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.tenancy import TenantModel

from .roles import CAPABILITIES, Role, role_can

LANGUAGE_CHOICES = [("zh-hans", "简体中文"), ("en", "English")]


def bilingual(zh: str, en: str) -> str:
    """Pick the text for the active language; Chinese is the fallback."""
    lang = (get_language() or "zh-hans").lower()
    if lang.startswith("en"):
        return en or zh
    return zh or en


class Organization(models.Model):
    """A tenant: one company. Not itself tenant-owned."""

    name = models.CharField(_("名称"), max_length=200)
    slug = models.SlugField(_("标识"), max_length=64, unique=True)
    timezone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    default_language = models.CharField(
        _("默认语言"), max_length=10, choices=LANGUAGE_CHOICES, default="zh-hans"
    )
    country = models.CharField(
        _("节假日国家/地区"),
        max_length=2,
        default="CN",
        help_text=_("用于官方节假日与调休上班日的国家或地区代码，如 CN"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    FRONT = "front", _("前端")
    FRONT_MID = "front_mid", _("前端/中端")
    MID = "mid", _("中端")
    BACK = "back", _("后端")
    WHOLE = "whole", _("全流程")
    SERVED = "served", _("被服务方")
    GOVERNANCE = "governance", _("统筹")


class Department(TenantModel):
    code = models.SlugField(_("代码"), max_length=32)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    stage = models.CharField(_("配合阶段"), max_length=16, choices=Stage.choices)
    duties_zh = models.TextField(_("核心职责（中文）"), blank=True)
    duties_en = models.TextField(_("核心职责（英文）"), blank=True)
    deliverables_zh = models.TextField(_("输出成果（中文）"), blank=True)
    deliverables_en = models.TextField(_("输出成果（英文）"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_business = models.BooleanField(
        default=False, help_text=_("业务部：其他部门为之服务的前线部门")
    )
    leads_postmortems = models.BooleanField(
        default=False, help_text=_("运营管理部：主导因配合延迟丢单的复盘")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="department_org_code_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "sort_order"], name="department_org_sort_idx")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)

    @property
    def duties(self) -> str:
        return bilingual(self.duties_zh, self.duties_en)

    @property
    def deliverables(self) -> str:
        return bilingual(self.deliverables_zh, self.deliverables_en)


class Membership(TenantModel):
    """A user's place in one organization: role and (optionally) department."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("部门"),
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_org_user_uniq"
            )
        ]
        indexes = [models.Index(fields=["organization", "role"], name="membership_org_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id} ({self.role})"

    def can(self, capability: str) -> bool:
        return self.is_active and role_can(self.role, capability)

    @property
    def capabilities(self) -> frozenset[str]:
        return CAPABILITIES.get(self.role, frozenset())

    @property
    def is_head(self) -> bool:
        return self.role == Role.DEPT_HEAD
