"""Writes of leads: Customer Success hands one over; the account's owner accepts, rejects or converts it into a deal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from pipeline.accounts.models import Account
from pipeline.followups.models import FollowUp
from pipeline.leads.models import Lead, LeadKind, LeadSource, LeadStatus
from pipeline.leads.notices import lead_params
from pipeline.opportunities.services import opportunity_create
from requests_sla.models import NotificationKind
from requests_sla.notifications.services import (
    notifications_send,
    notifications_settle,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _notify_owner(lead: Lead) -> None:
    """The account's owner hears of a new lead in their inbox (and by email);
    their leads page lists it under "new for you" until they decide."""
    lead.owner_notified_at = timezone.now()
    lead.save(update_fields=["owner_notified_at"])
    owner_id = lead.account.owner_id
    if owner_id is None or owner_id == lead.created_by_id:
        return
    notifications_send(
        organization_id=lead.organization_id,
        recipient_ids=[owner_id],
        kind=NotificationKind.LEAD,
        params=lead_params(lead),  # rendered in the reader's language (notices.lead_text)
        link=_lead_link(lead),
        at=lead.created_at,  # when it was handed over (backdated demo leads too)
    )


def lead_create(
    *,
    actor: User,
    account: Account,
    source: str,
    kind: str,
    estimated_amount: Decimal,
    description: str,
    follow_up: FollowUp | None = None,
    created_at: dt.datetime | None = None,
) -> Lead:
    """Customer Success hands a repeat/upsell lead to the account's owner."""
    with transaction.atomic():
        if source not in LeadSource.values:
            raise ServiceError(_("请选择线索来源。"), field="source")
        if kind not in LeadKind.values:
            raise ServiceError(_("请选择线索类型。"), field="kind")
        if follow_up is not None and follow_up.account_id != account.pk:
            raise ServiceError(_("该回访不属于这个客户。"), field="follow_up")
        if not (description or "").strip():
            raise ServiceError(_("请描述客户的需求。"), field="description")
        lead = Lead(
            organization_id=account.organization_id,
            account=account,
            source=source,
            kind=kind,
            estimated_amount=estimated_amount,
            description=description.strip(),
            follow_up=follow_up,
            created_by=actor,
            created_at=created_at or timezone.now(),
        )
        history_note(lead, user=actor)
        lead.full_clean(exclude=["organization", "account", "created_by", "follow_up"])
        lead.save()
        _notify_owner(lead)
        return lead


def _lock_lead(lead: Lead, allowed: set[str]) -> Lead:
    locked = Lead.objects.select_for_update().select_related("account").get(pk=lead.pk)
    if locked.status not in allowed:
        raise ServiceError(
            _("线索当前状态为“%(status)s”，不能执行此操作。")
            % {"status": locked.get_status_display()},
            field="status",
        )
    return locked


def _decide(lead: Lead, actor: User, status: str, at: dt.datetime | None) -> None:
    lead.status = status
    lead.decided_by = actor
    lead.decided_at = at or timezone.now()
    history_note(lead, user=actor)
    notifications_settle(link=_lead_link(lead), at=lead.decided_at)  # decided: no longer news


def _lead_link(lead: Lead) -> str:
    """Where a lead's notification opens: its row on the leads page."""
    return f"{reverse('pipeline:leads')}#lead-{lead.pk}"


def lead_accept(*, lead: Lead, actor: User, at: dt.datetime | None = None) -> Lead:
    with transaction.atomic():
        lead = _lock_lead(lead, {LeadStatus.NEW})
        _decide(lead, actor, LeadStatus.ACCEPTED, at)
        lead.save()
        return lead


def lead_reject(*, lead: Lead, actor: User, reason: str, at: dt.datetime | None = None) -> Lead:
    with transaction.atomic():
        if not (reason or "").strip():
            raise ServiceError(_("请填写拒绝原因。"), field="reason")
        lead = _lock_lead(lead, {LeadStatus.NEW, LeadStatus.ACCEPTED})
        _decide(lead, actor, LeadStatus.REJECTED, at)
        lead.reject_reason = reason.strip()
        lead.save()
        return lead


def lead_convert(
    *,
    lead: Lead,
    actor: User,
    name: str = "",
    expected_close_date: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Lead:
    """Turn the lead into an opportunity at the first stage, owned by the
    account's owner, for the lead's estimated amount."""
    at = at or timezone.now()
    with transaction.atomic():
        lead = _lock_lead(lead, {LeadStatus.NEW, LeadStatus.ACCEPTED})
        account = lead.account
        opportunity = opportunity_create(
            actor=actor,
            account=account,
            name=name.strip() or f"{lead.get_kind_display()} · {account.name}",
            owner=account.owner,
            amount=lead.estimated_amount,
            expected_close_date=expected_close_date or (at + dt.timedelta(days=90)).date(),
            at=at,
        )
        _decide(lead, actor, LeadStatus.CONVERTED, at)
        lead.opportunity = opportunity
        lead.save()
        return lead
