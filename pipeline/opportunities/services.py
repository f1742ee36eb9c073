"""Writes of deals: create, move between stages (each move a ``StageChange`` row), edit.

Every function runs in one transaction and writes its own audit trail
(``StageChange`` rows, simple-history) and keeps the funnel's rollups
(``rollups.services.FunnelRollupKept``) in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from collab.tenancy import organization_scope
from departments.models import Organization
from pipeline.accounts.models import Account
from pipeline.accounts.services import check_member, check_same_org
from pipeline.opportunities.models import LostReason, Opportunity, Stage, StageChange
from pipeline.opportunities.postmortem import postmortem_if_due
from pipeline.rollups.services import FunnelRollupKept

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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


def opportunity_create(
    *,
    actor: User,
    account: Account,
    name: str,
    owner: User,
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
        check_same_org(stage, account, field="stage")
        if stage.is_closed:
            raise ServiceError(_("新商机不能直接处于赢单或丢单阶段。"), field="stage")
        check_member(owner, field="owner")
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
        history_note(opportunity, user=actor)
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
        FunnelRollupKept(opportunity.organization_id, [opportunity.pk], new=True).done()
        return opportunity


def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: Stage,
    actor: User,
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
        check_same_org(stage, opp, field="stage")
        rollup = FunnelRollupKept(opp.organization_id, [opp.pk])
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
        history_note(opp, user=actor)
        opp.save()
        rollup.done()
        if stage.is_lost:
            postmortem_if_due(opportunity=opp, actor=actor, at=at)
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


def opportunity_update(*, opportunity: Opportunity, actor: User, **fields: Any) -> Opportunity:
    """Edit a deal's details. The stage moves only through ``opportunity_move``."""
    with transaction.atomic():
        # The funnel counts a deal under its current owner and industry.
        regroups = bool({"owner", "account"} & fields.keys()) and opportunity.pk
        if regroups:
            Opportunity.objects.select_for_update().filter(pk=opportunity.pk).exists()
        rollup = FunnelRollupKept(opportunity.organization_id, [opportunity.pk] if regroups else [])
        for key, value in fields.items():
            if key not in OPPORTUNITY_FIELDS:
                raise ServiceError(f"unknown field {key}", field=key)
            if key == "owner":
                check_member(value, field="owner")
            if key == "account":
                check_same_org(value, opportunity, field="account")
            setattr(opportunity, key, value)
        history_note(opportunity, user=actor)
        opportunity.full_clean(exclude=["organization"])
        opportunity.save()
        rollup.done()
        return opportunity
