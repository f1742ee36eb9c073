"""Writes for accounts, opportunities, leads and follow-ups.

Every function runs in one transaction and writes its own audit trail
(``StageChange`` rows, simple-history on opportunities, accounts and leads).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Membership, Organization

from .models import (
    Account,
    Contact,
    FollowUp,
    Lead,
    LeadKind,
    LeadSource,
    LeadStatus,
    LostReason,
    Opportunity,
    Stage,
    StageChange,
)

User = get_user_model()

# code, name_zh, name_en, order, default probability, is_won, is_lost
DEFAULT_STAGES = [
    ("lead", "线索", "Lead", 10, 10, False, False),
    ("qualified", "已确认需求", "Qualified", 20, 20, False, False),
    ("solution", "方案/演示", "Solution / demo", 30, 40, False, False),
    ("proposal", "报价", "Proposal / quote", 40, 60, False, False),
    ("negotiation", "谈判", "Negotiation", 50, 80, False, False),
    ("won", "赢单", "Won", 60, 100, True, False),
    ("lost", "丢单", "Lost", 70, 0, False, True),
]


def stages_provision(*, organization: Organization) -> list[Stage]:
    """Create the default stages that are missing. Idempotent by ``code``;
    stages an admin renamed keep their names."""
    with organization_scope(organization.id):
        existing = set(Stage.objects.values_list("code", flat=True))
        for code, name_zh, name_en, order, probability, is_won, is_lost in DEFAULT_STAGES:
            if code in existing:
                continue
            Stage.objects.create(
                organization=organization,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                order=order,
                default_probability=probability,
                is_won=is_won,
                is_lost=is_lost,
            )
        return list(Stage.objects.all())


def first_stage() -> Stage:
    stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
    if stage is None:
        raise ServiceError(_("本企业还没有销售阶段。"), field="stage")
    return stage


def _check_member(user, *, field: str) -> None:
    if user is None or not Membership.objects.filter(user=user, is_active=True).exists():
        raise ServiceError(_("该用户不是本企业的有效成员。"), field=field)


def _check_same_org(obj, actor_obj, *, field: str) -> None:
    if obj is not None and obj.organization_id != actor_obj.organization_id:
        raise ServiceError(_("不存在。"), field=field)


# --- accounts ------------------------------------------------------------------------------


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
    actor,
    name: str,
    industry: str,
    size: str,
    owner,
    is_key_account: bool = False,
    created_at: dt.datetime | None = None,
) -> Account:
    with transaction.atomic():
        name = _check_account_name(name)
        _check_member(owner, field="owner")
        account = Account(
            name=name,
            industry=industry,
            size=size,
            owner=owner,
            is_key_account=is_key_account,
            created_at=created_at or timezone.now(),
        )
        account._history_user = actor
        account.full_clean(exclude=["organization"])
        account.save()
        return account


ACCOUNT_FIELDS = {"name", "industry", "size", "owner", "is_key_account"}


def account_update(*, account: Account, actor, **fields: Any) -> Account:
    with transaction.atomic():
        for key, value in fields.items():
            if key not in ACCOUNT_FIELDS:
                raise ServiceError(f"unknown field {key}", field=key)
            if key == "name":
                value = _check_account_name(value, exclude_pk=account.pk)
            if key == "owner":
                _check_member(value, field="owner")
            setattr(account, key, value)
        account._history_user = actor
        account.full_clean(exclude=["organization"])
        account.save()
        return account


def contact_add(
    *, account: Account, actor, name: str, title: str = "", phone: str = "", email: str = ""
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


# --- opportunities ---------------------------------------------------------------------------


def opportunity_create(
    *,
    actor,
    account: Account,
    name: str,
    owner,
    amount: Decimal,
    expected_close_date: dt.date,
    currency: str = "CNY",
    stage: Stage | None = None,
    probability: int | None = None,
    next_step: str = "",
    at: dt.datetime | None = None,
) -> Opportunity:
    """A new deal, with its first ``StageChange`` (entering its first stage)."""
    at = at or timezone.now()
    with transaction.atomic():
        stage = stage or first_stage()
        _check_same_org(stage, account, field="stage")
        if stage.is_closed:
            raise ServiceError(_("新商机不能直接处于赢单或丢单阶段。"), field="stage")
        _check_member(owner, field="owner")
        if amount is None or Decimal(amount) < 0:
            raise ServiceError(_("金额不能为负数。"), field="amount")
        opportunity = Opportunity(
            organization_id=account.organization_id,
            account=account,
            name=(name or "").strip(),
            owner=owner,
            amount=amount,
            currency=currency,
            expected_close_date=expected_close_date,
            stage=stage,
            probability=stage.default_probability if probability is None else probability,
            next_step=next_step,
            stage_entered_at=at,
            reached_level=stage.order,
            reached_at=at,
            created_at=at,
        )
        opportunity._history_user = actor
        opportunity.full_clean(exclude=["organization"])
        opportunity.save()
        StageChange.objects.create(
            organization_id=opportunity.organization_id,
            opportunity=opportunity,
            from_stage=None,
            to_stage=stage,
            changed_by=actor,
            changed_at=at,
            amount=opportunity.amount,
            currency=opportunity.currency,
            from_level=0,
            to_level=stage.order,
            prev_level_at=None,
        )
        return opportunity


def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: Stage,
    actor,
    at: dt.datetime | None = None,
    lost_reason: str = "",
    lost_note: str = "",
    probability: int | None = None,
) -> Opportunity:
    """Move a deal to ``stage`` at ``at`` (now by default), recording the change.

    Lost needs a reason (and a note when the reason is "other"); won sets the
    probability to 100, lost to 0, any other stage to its default unless the
    rep gives one. ``at`` may be in the past (imports, demo data) but never
    before the deal entered its current stage, so stays never overlap.
    """
    at = at or timezone.now()
    with transaction.atomic():
        opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        _check_same_org(stage, opp, field="stage")
        if stage.pk == opp.stage_id:
            raise ServiceError(_("商机已处于该阶段。"), field="stage")
        if at < opp.stage_entered_at:
            raise ServiceError(_("变更时间不能早于进入当前阶段的时间。"), field="at")
        if stage.is_lost:
            if lost_reason not in LostReason.values:
                raise ServiceError(_("丢单时请选择丢单原因。"), field="lost_reason")
            if lost_reason == LostReason.OTHER and not lost_note.strip():
                raise ServiceError(_("丢单原因为“其他”时请填写说明。"), field="lost_note")
        if probability is not None and not 0 <= probability <= 100:
            raise ServiceError(_("赢率须在 0 到 100 之间。"), field="probability")

        from_level = opp.reached_level
        to_level = from_level if stage.is_lost else max(from_level, stage.order)
        StageChange.objects.filter(opportunity=opp, left_at__isnull=True).update(left_at=at)
        StageChange.objects.create(
            organization_id=opp.organization_id,
            opportunity=opp,
            from_stage_id=opp.stage_id,
            to_stage=stage,
            changed_by=actor,
            changed_at=at,
            amount=opp.amount,
            currency=opp.currency,
            from_level=from_level,
            to_level=to_level,
            prev_level_at=opp.reached_at,
        )
        if to_level > from_level:
            opp.reached_level, opp.reached_at = to_level, at
        opp.stage = stage
        opp.stage_entered_at = at
        if stage.is_won:
            opp.probability = 100
        elif stage.is_lost:
            opp.probability = 0
        else:
            opp.probability = stage.default_probability if probability is None else probability
        opp.lost_reason = lost_reason if stage.is_lost else ""
        opp.lost_note = lost_note if stage.is_lost else ""
        opp._history_user = actor
        opp.save()
        return opp


OPPORTUNITY_FIELDS = {
    "name",
    "account",
    "owner",
    "amount",
    "currency",
    "expected_close_date",
    "probability",
    "next_step",
    "lost_note",
}


def opportunity_update(*, opportunity: Opportunity, actor, **fields: Any) -> Opportunity:
    """Edit a deal's details. The stage moves only through ``opportunity_move``."""
    with transaction.atomic():
        for key, value in fields.items():
            if key not in OPPORTUNITY_FIELDS:
                raise ServiceError(f"unknown field {key}", field=key)
            if key == "owner":
                _check_member(value, field="owner")
            if key == "account":
                _check_same_org(value, opportunity, field="account")
            setattr(opportunity, key, value)
        opportunity._history_user = actor
        opportunity.full_clean(exclude=["organization"])
        opportunity.save()
        return opportunity


# --- follow-ups ------------------------------------------------------------------------------


def _check_csat(csat: int | None) -> None:
    if csat is not None and not 1 <= int(csat) <= 5:
        raise ServiceError(_("满意度须为 1 到 5 分。"), field="csat")


def followup_create(
    *,
    actor,
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
    actor,
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


# --- customer-success leads -----------------------------------------------------------------


def _notify_owner(lead: Lead) -> None:
    # The rep's leads page lists leads notified to them ("new leads for you");
    # when requests_sla's notifications land, this is the one place to call them.
    lead.owner_notified_at = timezone.now()
    lead.save(update_fields=["owner_notified_at"])


def lead_create(
    *,
    actor,
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
        lead._history_user = actor
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


def _decide(lead: Lead, actor, status: str, at: dt.datetime | None) -> None:
    lead.status = status
    lead.decided_by = actor
    lead.decided_at = at or timezone.now()
    lead._history_user = actor


def lead_accept(*, lead: Lead, actor, at: dt.datetime | None = None) -> Lead:
    with transaction.atomic():
        lead = _lock_lead(lead, {LeadStatus.NEW})
        _decide(lead, actor, LeadStatus.ACCEPTED, at)
        lead.save()
        return lead


def lead_reject(*, lead: Lead, actor, reason: str, at: dt.datetime | None = None) -> Lead:
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
    actor,
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
