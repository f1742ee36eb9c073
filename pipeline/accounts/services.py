"""Writes of accounts and contacts (simple-history records who changed an account)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from departments.models import Membership
from pipeline.accounts.models import Account, Contact
from pipeline.rollups.services import FunnelRollupKept, account_deals_locked

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from collab.tenancy import TenantModel


def check_member(user: User | None, *, field: str) -> None:
    if user is None or not Membership.objects.filter(user=user, is_active=True).exists():
        raise ServiceError(_("该用户不是本企业的有效成员。"), field=field)


def check_same_org(obj: TenantModel | None, actor_obj: TenantModel, *, field: str) -> None:
    if obj is not None and obj.organization_id != actor_obj.organization_id:
        raise ServiceError(_("不存在。"), field=field)


def _check_account_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写客户名称。"), field="name")
    clash = Account.objects.filter(name=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ServiceError(_("已有同名客户。"), field="name")
    return name


def account_create(
    *,
    actor: User,
    name: str,
    industry: str,
    size: str,
    owner: User,
    is_key_account: bool = False,
    created_at: dt.datetime | None = None,
) -> Account:
    with transaction.atomic():
        name = _check_account_name(name)
        check_member(owner, field="owner")
        account = Account(
            name=name,
            industry=industry,
            size=size,
            owner=owner,
            is_key_account=is_key_account,
            created_at=created_at or timezone.now(),
        )
        history_note(account, user=actor)
        account.full_clean(exclude=["organization"])
        account.save()
        return account


ACCOUNT_FIELDS = {"name", "industry", "size", "owner", "is_key_account"}


def account_update(*, account: Account, actor: User, **fields: Any) -> Account:
    with transaction.atomic():
        # The funnel counts a deal under its account's current industry.
        ids = []
        if "industry" in fields and fields["industry"] != account.industry:
            ids = account_deals_locked(account.organization_id, account.pk)
        rollup = FunnelRollupKept(account.organization_id, ids)
        for key, value in fields.items():
            if key not in ACCOUNT_FIELDS:
                raise ServiceError(f"unknown field {key}", field=key)
            if key == "name":
                value = _check_account_name(value, exclude_pk=account.pk)
            if key == "owner":
                check_member(value, field="owner")
            setattr(account, key, value)
        history_note(account, user=actor)
        account.full_clean(exclude=["organization"])
        account.save()
        rollup.done()
        return account


def contact_add(
    *, account: Account, actor: User, name: str, title: str = "", phone: str = "", email: str = ""
) -> Contact:
    with transaction.atomic():
        if not (name or "").strip():
            raise ServiceError(_("请填写联系人姓名。"), field="name")
        contact = Contact(
            organization_id=account.organization_id,
            account=account,
            name=name.strip(),
            title=title,
            phone=phone,
            email=email,
        )
        contact.full_clean(exclude=["organization", "account"])
        contact.save()
        return contact
