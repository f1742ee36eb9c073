"""Writes for organizations, departments and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from collab.errors import ServiceError
from collab.tenancy import organization_scope

from .models import Department, Membership, Organization
from .registry import provisioning_steps
from .seed import DEPARTMENTS

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
    with transaction.atomic():
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
            raise ServiceError(f"unknown field {key}", field=key)
        setattr(organization, key, value)
    organization._history_user = actor
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
        raise ServiceError("department belongs to another organization", field="department")
    with organization_scope(organization.id), transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            organization=organization,
            user=user,
            defaults={"role": role, "department": department, "is_active": True},
        )
    return membership


def member_invite(
    *,
    organization: Organization,
    email: str,
    role: str,
    department: Department | None,
    actor: User,
    request=None,
) -> Membership:
    """Add a person by email. A new person gets an account and a link to set
    a password (Django's password-reset flow, so the link expires and works
    once); a person who already has an account is simply added.
    """
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        is_new = user is None
        if is_new:
            username = _free_username(email.split("@")[0])
            try:
                user = User.objects.create_user(username=username, email=email)
            except IntegrityError as exc:  # a concurrent invite took the name
                raise ServiceError(
                    "could not create the account, try again", field="email"
                ) from exc
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership = membership_set(
            organization=organization, user=user, role=role, department=department, actor=actor
        )
    if is_new:
        transaction.on_commit(lambda: _send_welcome(email, request))
    return membership


def _free_username(base: str) -> str:
    base = slugify(base) or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _send_welcome(email: str, request) -> None:
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        # An unusable password hides the user from the reset form; invited
        # users have one by design, so the form's user lookup is widened.
        form.get_users = lambda e: User.objects.filter(email__iexact=e, is_active=True)
        form.save(
            request=request,
            use_https=bool(request and request.is_secure()),
            subject_template_name="registration/invite_subject.txt",
            email_template_name="registration/invite_email.txt",
        )
