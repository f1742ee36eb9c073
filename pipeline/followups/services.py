"""Writes of customer-success follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from pipeline.accounts.models import Account
from pipeline.followups.models import FollowUp
from pipeline.opportunities.models import RequestLink

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _check_csat(csat: int | None) -> None:
    if csat is not None and not 1 <= int(csat) <= 5:
        raise ServiceError(_("满意度须为 1 到 5 分。"), field="csat")


def followup_create(
    *,
    actor: User,
    account: Account,
    kind: str,
    scheduled_for: dt.datetime,
    request_id: int | None = None,
    done_at: dt.datetime | None = None,
    csat: int | None = None,
    comment: str = "",
) -> FollowUp:
    """Plan a follow-up, or record one already done (with its satisfaction)."""
    _check_csat(csat)
    with transaction.atomic():
        # Only a request of the organization in scope linked to the account.
        if (
            request_id
            and not RequestLink.objects.filter(request_id=request_id, account=account).exists()
        ):
            raise ServiceError(_("该协作请求没有关联这个客户。"), field="request_id")
        if csat is not None and done_at is None:
            done_at = timezone.now()
        follow_up = FollowUp(
            organization_id=account.organization_id,
            account=account,
            kind=kind,
            scheduled_for=scheduled_for,
            request_id=request_id,
            done_at=done_at,
            csat=csat,
            comment=comment,
            by=actor,
        )
        follow_up.full_clean(exclude=["organization", "account", "by"])
        follow_up.save()
        return follow_up


def followup_complete(
    *,
    follow_up: FollowUp,
    actor: User,
    csat: int | None,
    comment: str = "",
    done_at: dt.datetime | None = None,
) -> FollowUp:
    _check_csat(csat)
    with transaction.atomic():
        follow_up.done_at = done_at or timezone.now()
        follow_up.csat = csat
        follow_up.comment = comment
        follow_up.save(update_fields=["done_at", "csat", "comment"])
        return follow_up
