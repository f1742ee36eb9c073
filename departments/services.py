"""Writes for organizations, departments and memberships."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from collab.signed_links import site_url
from collab.tenancy import dangerously_unscoped, organization_scope

from .models import (
    ApiToken,
    Department,
    Invitation,
    InvitationState,
    Membership,
    Organization,
    UserProfile,
)
from .registry import provisioning_steps
from .seed import DEPARTMENTS

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest
else:
    User = get_user_model()


def departments_provision(*, organization: Organization) -> list[Department]:
    """Create or refresh the seed's nine departments. Idempotent by ``code``.

    Existing departments keep the names an admin may have edited; only the
    missing ones are created.
    """
    with organization_scope(organization.id):
        existing = set(Department.objects.values_list("code", flat=True))
        for order, spec in enumerate(DEPARTMENTS):
            if spec["code"] in existing:
                continue
            Department.objects.create(organization=organization, sort_order=order * 10, **spec)
        return list(Department.objects.all())


def organization_provision(*, organization: Organization) -> None:
    """Run every provisioning step the apps registered (``registry``), in order.

    Each step is idempotent, so provisioning twice changes nothing.
    """
    # In the organization's own scope: row-level security lets the steps
    # write its rows and nothing else (a new organization needs no unscoped path).
    with transaction.atomic(), organization_scope(organization.id):
        for step in provisioning_steps:
            step.run(organization=organization)


def organization_create(
    *,
    name: str,
    slug: str = "",
    timezone: str = "Asia/Shanghai",
    default_language: str = "zh-hans",
    country: str = "CN",
    admin: User | None = None,
) -> Organization:
    with transaction.atomic():
        organization = Organization.objects.create(
            name=name,
            slug=slug or slugify(name, allow_unicode=False) or "org",
            timezone=timezone,
            default_language=default_language,
            country=country,
        )
        organization_provision(organization=organization)
        if admin is not None:
            with organization_scope(organization.id):
                Membership.objects.create(organization=organization, user=admin, role="org_admin")
    return organization


def organization_update_settings(
    *, organization: Organization, actor: User, **fields: str
) -> Organization:
    allowed = {"name", "timezone", "default_language", "country"}
    for key, value in fields.items():
        if key not in allowed:
            raise ServiceError(_("未知字段：%(field)s") % {"field": key}, field=key)
        setattr(organization, key, value)
    history_note(organization, user=actor)
    organization.full_clean()
    organization.save()
    return organization


def membership_set(
    *,
    organization: Organization,
    user: User,
    role: str,
    department: Department | None,
    actor: User | None = None,
) -> Membership:
    """Create or update the user's membership. The department must be ours."""
    if department is not None and department.organization_id != organization.id:
        raise ServiceError(_("所选部门不属于本企业。"), field="department")
    with organization_scope(organization.id), transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            organization=organization,
            user=user,
            defaults={"role": role, "department": department, "is_active": True},
        )
    return membership


@dataclass(frozen=True)
class InviteOutcome:
    """What an invitation did: a new account with its membership (the person
    had none, so nobody is moved anywhere), or a pending invitation that an
    existing person must accept."""

    membership: Membership | None = None
    invitation: Invitation | None = None


def member_invite(
    *,
    organization: Organization,
    email: str,
    role: str,
    department: Department | None,
    actor: User,
    request: HttpRequest | None = None,
) -> InviteOutcome:
    """Invite a person by email.

    A new person gets an account, the membership and a link to set a
    password (Django's password-reset flow, so the link expires and works
    once): the account exists only in this organization. A person who
    already has an account gets a *pending invitation*, an email and an
    in-app notice; nothing changes for them until they accept while signed
    in. An active member cannot be invited again: roles change in the
    member list, where nobody may change their own.
    """
    email = email.strip().lower()
    if department is not None and department.organization_id != organization.id:
        raise ServiceError(_("所选部门不属于本企业。"), field="department")
    with transaction.atomic():
        users = list(User.objects.filter(email__iexact=email).order_by("pk")[:2])
        if len(users) > 1:
            raise ServiceError(
                _("有多个账号使用这个邮箱，无法确定邀请哪一位；请联系系统管理员。"), field="email"
            )
        if not users:
            membership = _account_create(
                organization=organization,
                email=email,
                role=role,
                department=department,
                actor=actor,
            )
            transaction.on_commit(lambda: _send_welcome(email, request))
            return InviteOutcome(membership=membership)
        invitation, token = invitation_create(
            organization=organization,
            user=users[0],
            email=email,
            role=role,
            department=department,
            actor=actor,
        )
    transaction.on_commit(
        lambda: _send_invitation(invitation.organization_id, invitation.pk, token)
    )
    return InviteOutcome(invitation=invitation)


def _account_create(
    *,
    organization: Organization,
    email: str,
    role: str,
    department: Department | None,
    actor: User,
) -> Membership:
    username = _free_username(email.split("@")[0])
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email)
    except IntegrityError as exc:  # a concurrent invite took the name
        raise ServiceError(_("创建账号时与另一操作冲突，请重试。"), field="email") from exc
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return membership_set(
        organization=organization, user=user, role=role, department=department, actor=actor
    )


def invitation_create(
    *,
    organization: Organization,
    user: User,
    email: str,
    role: str,
    department: Department | None,
    actor: User,
) -> tuple[Invitation, str]:
    """Create the pending invitation, or refresh the one already open (new
    role, department, link and expiry; the old link stops working). Returns
    it with the link's token; sends nothing (``member_invite`` emails it)."""
    with organization_scope(organization.id):
        current = Membership.objects.filter(user=user, is_active=True).exists()
        if current:
            raise ServiceError(
                _("%(email)s 已是本企业成员；请在成员列表中修改其角色。") % {"email": email},
                field="email",
            )
        token = secrets.token_urlsafe(32)
        values = {
            "email": email,
            "role": role,
            "department": department,
            "invited_by": actor,
            "token_hash": _digest(token),
            "expires_at": timezone.now() + timedelta(days=settings.COLLAB_INVITATION_DAYS),
        }
        invitation = (
            Invitation.objects.select_for_update()
            .filter(invitee=user, state=InvitationState.PENDING)
            .first()
        )
        try:
            with transaction.atomic():
                if invitation is None:
                    invitation = Invitation.objects.create(
                        organization=organization, invitee=user, **values
                    )
                else:
                    for key, value in values.items():
                        setattr(invitation, key, value)
                    invitation.save()
        except IntegrityError as exc:  # the same person invited twice at once
            raise ServiceError(_("这位成员刚刚已被邀请，请刷新页面。"), field="email") from exc
    return invitation, token


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The invited person joins, signed in as themselves; only now does a
    membership appear."""
    with transaction.atomic():
        invitation = _invitation_for_decision(invitation=invitation, user=user)
        membership = membership_set(
            organization=invitation.organization,
            user=user,
            role=invitation.role,
            department=invitation.department,
        )
        _invitation_close(invitation, InvitationState.ACCEPTED)
    return membership


def invitation_decline(*, invitation: Invitation, user: User) -> Invitation:
    with transaction.atomic():
        invitation = _invitation_for_decision(invitation=invitation, user=user)
        _invitation_close(invitation, InvitationState.DECLINED)
    return invitation


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """The inviting organization withdraws an invitation still pending."""
    with transaction.atomic(), organization_scope(invitation.organization_id):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != InvitationState.PENDING:
            raise ServiceError(_("这份邀请已处理，无法撤回。"))
        _invitation_close(invitation, InvitationState.REVOKED)
    return invitation


def _invitation_for_decision(*, invitation: Invitation, user: User) -> Invitation:
    # Locked, so accepting and a concurrent revoke cannot both win. The row
    # is the inviting organization's: read in its scope, not past it.
    with organization_scope(invitation.organization_id):
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "department")
            .get(pk=invitation.pk)
        )
    if invitation.invitee_id != user.pk:
        raise ServiceError(_("这份邀请不是发给你的。"))
    if invitation.status == InvitationState.EXPIRED:
        raise ServiceError(_("这份邀请已过期，请让对方重新邀请。"))
    if invitation.state != InvitationState.PENDING:
        raise ServiceError(_("这份邀请已处理。"))
    return invitation


def _invitation_close(invitation: Invitation, state: str) -> None:
    invitation.state = state
    invitation.decided_at = timezone.now()
    with organization_scope(invitation.organization_id):
        invitation.save(update_fields=["state", "decided_at"])


def invitation_by_token(*, token: str, user: User) -> Invitation | None:
    """The invitation an email link names, if it is addressed to ``user``."""
    if not token or len(token) > 100:
        return None
    with dangerously_unscoped("the invitation an email link names"):
        return Invitation.unscoped.filter(token_hash=_digest(token), invitee=user).first()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _free_username(base: str) -> str:
    # Room for a counter within the username column (150 characters).
    base = slugify(base)[:140].strip("-") or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


class _WelcomeForm(PasswordResetForm):
    """An unusable password hides the user from the reset form; invited users
    have one by design, so the form's user lookup is widened."""

    def get_users(self, email: str) -> Iterable[User]:
        return User.objects.filter(email__iexact=email, is_active=True)


def _send_welcome(email: str, request: HttpRequest | None) -> None:
    form = _WelcomeForm({"email": email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=bool(request and request.is_secure()),
            subject_template_name="registration/invite_subject.txt",
            email_template_name="registration/invite_email.txt",
        )


def _send_invitation(organization_id: int, invitation_id: int, token: str) -> None:
    """Email the invited person, in their language, with a link that opens
    the invitation once they are signed in (the inviting organization's row,
    read in its scope)."""
    with organization_scope(organization_id):
        invitation = (
            Invitation.objects.select_related("organization", "invitee", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
    if invitation is None:
        return
    language = profile_of(invitation.invitee).language or invitation.organization.default_language
    link = site_url(reverse("departments:invitation_open", args=[token]))
    context = {"invitation": invitation, "link": link, "days": settings.COLLAB_INVITATION_DAYS}
    with translation.override(language):
        subject = render_to_string("departments/email/invitation_subject.txt", context)
        body = render_to_string("departments/email/invitation_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])


# --- a person's own choices -------------------------------------------------


def profile_of(user: User) -> UserProfile:
    """The user's stored choices (an unsaved, empty profile if none yet)."""
    return UserProfile.objects.filter(user=user).first() or UserProfile(user=user)


def profile_set_language(*, user: User, language: str) -> UserProfile:
    """Store the language the person chose; it follows them to every device."""
    supported = {code for code, _label in settings.LANGUAGES}
    if language not in supported:
        raise ServiceError(_("不支持的语言：%(code)s") % {"code": language}, field="language")
    profile, _created = UserProfile.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return profile


def profile_set_default_organization(*, user: User, organization: Organization) -> UserProfile:
    """Store the organization the person chose explicitly: signing in lands there."""
    with dangerously_unscoped("a member's own memberships"):
        is_member = Membership.unscoped.filter(
            user=user, organization=organization, is_active=True
        ).exists()
    if not is_member:
        raise ServiceError(_("你不是该企业的成员。"), field="organization")
    profile, _created = UserProfile.objects.update_or_create(
        user=user, defaults={"default_organization": organization}
    )
    return profile


# --- API tokens --------------------------------------------------------------


def api_token_create(*, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``. The key is returned once, here; only its
    SHA-256 is stored, so it can never be shown again."""
    if not 1 <= days <= settings.COLLAB_API_TOKEN_MAX_DAYS:
        raise ServiceError(
            _("有效期须在 1 到 %(max)s 天之间。") % {"max": settings.COLLAB_API_TOKEN_MAX_DAYS},
            field="days",
        )
    name = name.strip()
    if not name:
        raise ServiceError(_("请为令牌命名。"), field="name")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[:8],
        key_hash=_digest(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.user_id != actor.pk:
        raise ServiceError(_("只能撤销自己的令牌。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_find(key: str) -> ApiToken | None:
    """The token whose key this is, with its user, whatever its state."""
    if not key or len(key) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=_digest(key)).first()


def api_token_touch(token: ApiToken, *, every: timedelta = timedelta(minutes=1)) -> None:
    """Record when a token was last used, at most once a minute, so a busy
    client does not write a row on every call."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= every:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
