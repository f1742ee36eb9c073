"""Prototype validation (原型验证): the prototype, the customers who validate
it, their verdicts, and the requirement's return to the board."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from pipeline.accounts.models import Account, Contact
from roadmap import permissions
from roadmap.models import Prototype, Requirement, State, ValidationCustomer, Verdict
from roadmap.services.requirements import require, requirement_transition

if TYPE_CHECKING:
    from departments.models import Membership

MAX_CUSTOMERS = 10


def _customers_checked(
    customers: Sequence[tuple[int, int | None]],
) -> list[tuple[Account, Contact | None]]:
    if not customers:
        raise ServiceError(_("请选择参与验证的客户。"), field="customers")
    if len(customers) > MAX_CUSTOMERS:
        raise ServiceError(_("最多选择 10 个验证客户。"), field="customers")
    account_ids = [a for a, _c in customers]
    if len(set(account_ids)) != len(account_ids):
        raise ServiceError(_("同一客户只能选择一次。"), field="customers")
    accounts = Account.objects.in_bulk(account_ids)
    contacts = Contact.objects.in_bulk([c for _a, c in customers if c is not None])
    checked: list[tuple[Account, Contact | None]] = []
    for account_id, contact_id in customers:
        account = accounts.get(account_id)
        if account is None:
            raise ServiceError(_("客户不存在。"), field="customers")
        contact = contacts.get(contact_id) if contact_id is not None else None
        if contact_id is not None and (contact is None or contact.account_id != account_id):
            raise ServiceError(_("联系人不属于该客户。"), field="customers")
        checked.append((account, contact))
    return checked


def prototype_start(
    *,
    actor: Membership,
    requirement: Requirement,
    window_start: dt.date,
    window_end: dt.date,
    customers: Sequence[tuple[int, int | None]],
    link: str = "",
    description: str = "",
    at: dt.datetime | None = None,
) -> Prototype:
    """R&D/Product hands over the prototype: the requirement is now being validated."""
    require(permissions.can_assess(actor))
    at = at or timezone.now()
    if window_end < window_start:
        raise ServiceError(_("验证截止日期不能早于开始日期。"), field="window_end")
    if not link.strip() and not description.strip():
        raise ServiceError(_("请填写原型链接或说明。"), field="link")
    with transaction.atomic():
        requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
        checked = _customers_checked(customers)
        requirement_transition(
            requirement, State.VALIDATING, actor=actor, at=at, reason="prototype"
        )
        prototype = Prototype.objects.create(
            organization_id=requirement.organization_id,
            requirement=requirement,
            link=link.strip(),
            description=description.strip(),
            window_start=window_start,
            window_end=window_end,
            created_at=at,
        )
        ValidationCustomer.objects.bulk_create(
            ValidationCustomer(
                organization_id=requirement.organization_id,
                prototype=prototype,
                account=account,
                contact=contact,
            )
            for account, contact in checked
        )
        return prototype


def verdict_record(
    *,
    actor: Membership,
    prototype: Prototype,
    account_id: int,
    verdict: str,
    notes: str = "",
    at: dt.datetime | None = None,
) -> ValidationCustomer:
    """A rep or Customer Success records one customer's verdict; the last one
    completes the validation."""
    require(permissions.can_submit(actor))
    at = at or timezone.now()
    if verdict not in Verdict.values:
        raise ServiceError(_("请选择验证结论。"), field="verdict")
    with transaction.atomic():
        prototype = Prototype.objects.select_for_update().get(pk=prototype.pk)
        if prototype.completed_at is not None:
            raise ServiceError(_("验证已结束。"), field="verdict")
        row = ValidationCustomer.objects.filter(prototype=prototype, account_id=account_id).first()
        if row is None:
            raise ServiceError(_("该客户不在本次验证名单中。"), field="account_id")
        row.verdict, row.notes = verdict, (notes or "").strip()
        row.recorded_by, row.recorded_at = actor.user, at
        row.save(update_fields=["verdict", "notes", "recorded_by", "recorded_at"])
        if not ValidationCustomer.objects.filter(prototype=prototype, verdict="").exists():
            _complete(prototype, actor, at)
        return row


def _complete(prototype: Prototype, actor: Membership | None, at: dt.datetime) -> None:
    """The validation is over: back to the next board with its summary."""
    prototype.completed_at = at
    prototype.save(update_fields=["completed_at"])
    requirement = Requirement.objects.select_for_update().get(pk=prototype.requirement_id)
    if requirement.state == State.VALIDATING:
        if actor is None:
            requirement.state = State.READY_FOR_REVIEW  # the window closed: no person acted
            requirement.save(update_fields=["state"])
        else:
            requirement_transition(
                requirement, State.READY_FOR_REVIEW, actor=actor, at=at, reason="validated"
            )


def validations_close(*, organization_id: int, now: dt.datetime | None = None) -> int:
    """Complete the validations whose window has ended (beat)."""
    now = now or timezone.now()
    closed = 0
    with organization_scope(organization_id), transaction.atomic():
        today = timezone.localdate(now)
        for prototype in Prototype.objects.select_for_update(skip_locked=True).filter(
            completed_at__isnull=True, window_end__lt=today
        ):
            _complete(prototype, None, now)
            closed += 1
    return closed
