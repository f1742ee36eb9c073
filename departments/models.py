from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
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
        verbose_name_plural = pgettext_lazy("plural", "成员")
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


class UserProfile(models.Model):
    """A person's own choices, which follow them from device to device.

    Not tenant-owned: like the user row itself it belongs to the person, who
    may belong to several organizations. ``default_organization`` is where
    signing in lands (the one they last chose in the switcher, never an
    ordering accident); ``language`` is the language they last chose.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collab_profile"
    )
    default_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("默认企业"),
    )
    language = models.CharField(_("语言"), max_length=10, choices=LANGUAGE_CHOICES, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("个人偏好")
        verbose_name_plural = _("个人偏好")

    def __str__(self) -> str:
        return str(self.user)


class InvitationState(models.TextChoices):
    PENDING = "pending", _("待接受")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")
    REVOKED = "revoked", _("已撤回")
    # Never stored: a pending invitation past its expiry reads as expired.
    EXPIRED = "expired", _("已过期")


class Invitation(TenantModel):
    """An organization asks a person who already has an account to join.

    Nothing changes for the person until they accept while signed in: the
    inviting organization cannot move someone else's user into itself. The
    email link carries a token whose hash alone is stored; the link still
    only works for the invited person, signed in.
    """

    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="collab_invitations",
        verbose_name=_("受邀人"),
    )
    email = models.EmailField(_("邮箱"))
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("部门"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("邀请人"),
    )
    token_hash = models.CharField(max_length=64, db_index=True, editable=False)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=[c for c in InvitationState.choices if c[0] != InvitationState.EXPIRED],
        default=InvitationState.PENDING,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "invitee"],
                condition=models.Q(state="pending"),
                name="invitation_org_invitee_pending_uniq",
            )
        ]
        indexes = [models.Index(fields=["organization", "state"], name="invitation_org_state_idx")]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization_id} ({self.state})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.state == InvitationState.PENDING and self.is_expired:
            return InvitationState.EXPIRED
        return self.state

    def get_status_display(self) -> str:
        return InvitationState(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == InvitationState.PENDING


class ApiToken(models.Model):
    """A named API key with an expiry; only a hash of the key is stored.

    Not tenant-owned: a token authenticates a person, who names the
    organization of each call with ``X-Organization`` when they belong to
    several. The key is 256 random bits, so SHA-256 (fast, no salt) is
    enough to make a leaked table useless; a password hash would only slow
    every API call.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collab_api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
