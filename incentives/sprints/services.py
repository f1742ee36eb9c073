"""Writes of sprints: create, teams and reps, targets (set, split, adjust
with a reason), awards, the budget reservation link, the product-mix focus
(a target or award on the product-mix measure needs one).

Every target write records a ``TargetChange`` (old → new, reason, who, when):
the history the sprint page shows. A target on a rep outside the sprint, a
negative amount or a split over an empty team is refused before anything is
written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import round_money
from collab.tenancy import organization_scope
from departments.models import Membership
from finance.models import BudgetLine, LineKind
from incentives.permissions import can_manage
from incentives.plans.models import CommissionPlan
from incentives.sprints.models import (
    TENURE_MAX_DAYS,
    Award,
    Measure,
    Sprint,
    SprintMember,
    SprintTeam,
    Target,
    TargetChange,
    TieBreak,
)
from pricing.bundles.models import Bundle
from pricing.catalog.models import Category


def _require_manager(actor: Membership) -> None:
    if not can_manage(actor):
        raise ServiceError(_("只有人力资源和业务负责人可以管理冲刺。"))


def _amount(value: Decimal | None, field: str = "amount") -> Decimal:
    if value is None or value < 0:
        raise ServiceError(_("目标不能为负数。"), field=field)
    return round_money(value)


def sprint_create(
    *,
    actor: Membership,
    name: str,
    start: dt.date,
    end: dt.date,
    theme: str = "",
    currency: str = "CNY",
    ranking_measure: str = Measure.WON,
    plan_id: int | None = None,
    mix_category: str = "",
    mix_bundle_id: int | None = None,
) -> Sprint:
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写冲刺名称。"), field="name")
    if end < start:
        raise ServiceError(_("结束日期不能早于开始日期。"), field="end")
    if ranking_measure not in Measure.values:
        raise ServiceError(_("排名指标无效。"), field="ranking_measure")
    with organization_scope(actor.organization_id), transaction.atomic():
        if plan_id is not None and not CommissionPlan.objects.filter(pk=plan_id).exists():
            raise ServiceError(_("提成方案不存在。"), field="plan")
        mix_category = _check_mix(mix_category, mix_bundle_id)
        return Sprint.objects.create(
            organization_id=actor.organization_id,
            name=name[:100],
            theme=(theme or "")[:200],
            start=start,
            end=end,
            currency=currency,
            ranking_measure=ranking_measure,
            plan_id=plan_id,
            mix_category=mix_category,
            mix_bundle_id=mix_bundle_id,
            created_by_id=actor.user_id,
            created_at=timezone.now(),
        )


def _check_mix(category: str | None, bundle_id: int | None) -> str:
    """The product-mix focus: a known category, or one of the organization's
    bundles (in scope: another organization's is "not found"), not both."""
    category = category or ""
    if category and bundle_id is not None:
        raise ServiceError(_("产品组合只能选一个类别或一个促销方案。"), field="mix_bundle")
    if category and category not in Category.values:
        raise ServiceError(_("未知的产品类别“%(c)s”。") % {"c": category}, field="mix_category")
    if bundle_id is not None and not Bundle.objects.filter(pk=bundle_id).exists():
        raise ServiceError(_("促销方案不存在。"), field="mix_bundle")
    return category


def sprint_set_mix(
    *, actor: Membership, sprint: Sprint, category: str = "", bundle_id: int | None = None
) -> Sprint:
    """Set the category or bundle the product-mix measure counts; clearing it
    is refused while product-mix targets or awards need it."""
    _require_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        category = _check_mix(category, bundle_id)
        if not category and bundle_id is None and _uses_mix(sprint):
            raise ServiceError(
                _("冲刺还有产品组合目标或奖项，不能清除产品组合。"), field="mix_category"
            )
        sprint.mix_category, sprint.mix_bundle_id = category, bundle_id
        sprint.save(update_fields=["mix_category", "mix_bundle"])
        return sprint


def _uses_mix(sprint: Sprint) -> bool:
    return (
        Target.objects.filter(sprint=sprint, measure=Measure.PRODUCT_MIX).exists()
        or Award.objects.filter(sprint=sprint, measure=Measure.PRODUCT_MIX).exists()
    )


def _require_mix(sprint: Sprint, measure: str) -> None:
    if measure == Measure.PRODUCT_MIX and not sprint.has_mix:
        raise ServiceError(
            _("请先为冲刺选定产品组合（一个产品类别或促销方案），再设产品组合的目标或奖项。"),
            field="measure",
        )


def team_add(*, actor: Membership, sprint: Sprint, name: str) -> SprintTeam:
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写团队名称。"), field="name")
    with organization_scope(actor.organization_id), transaction.atomic():
        team, _created = SprintTeam.objects.get_or_create(
            organization_id=actor.organization_id, sprint=sprint, name=name[:100]
        )
        return team


def member_add(
    *,
    actor: Membership,
    sprint: Sprint,
    team: SprintTeam,
    user_id: int,
    weight: Decimal = Decimal("1"),
) -> SprintMember:
    _require_manager(actor)
    if weight is None or weight <= 0:
        raise ServiceError(_("权重必须大于零。"), field="weight")
    with organization_scope(actor.organization_id), transaction.atomic():
        if team.sprint_id != sprint.pk:
            raise ServiceError(_("团队不属于本次冲刺。"), field="team")
        if not Membership.objects.filter(user_id=user_id, is_active=True).exists():
            raise ServiceError(_("该成员不在本企业。"), field="user")
        member, _created = SprintMember.objects.update_or_create(
            organization_id=actor.organization_id,
            sprint=sprint,
            user_id=user_id,
            defaults={"team": team, "weight": weight},
        )
        return member


def _write_target(
    actor: Membership,
    sprint: Sprint,
    measure: str,
    amount: Decimal,
    reason: str,
    *,
    member: SprintMember | None = None,
    team: SprintTeam | None = None,
) -> Target:
    target = (
        Target.objects.select_for_update()
        .filter(sprint=sprint, measure=measure, member=member, team=team)
        .first()
    )
    old = target.amount if target is not None else None
    if target is None:
        target = Target.objects.create(
            organization_id=actor.organization_id,
            sprint=sprint,
            measure=measure,
            member=member,
            team=team,
            amount=amount,
        )
    elif old != amount:
        target.amount = amount
        target.save(update_fields=["amount"])
    if old != amount:
        TargetChange.objects.create(
            organization_id=actor.organization_id,
            target=target,
            old_amount=old,
            new_amount=amount,
            reason=reason[:300],
            changed_by_id=actor.user_id,
            changed_at=timezone.now(),
        )
    return target


def _check_measure_and_reason(measure: str, reason: str, *, adjusting: bool) -> str:
    if measure not in Measure.values:
        raise ServiceError(_("指标无效。"), field="measure")
    reason = (reason or "").strip()
    if adjusting and not reason:
        raise ServiceError(_("调整目标时请填写原因。"), field="reason")
    return reason or _("设定目标")


def target_set(
    *,
    actor: Membership,
    sprint: Sprint,
    measure: str,
    amount: Decimal,
    user_id: int | None = None,
    team_id: int | None = None,
    reason: str = "",
) -> Target:
    """Set (or adjust, with a reason) the target of a rep (``user_id``) or a
    team (``team_id``) for one measure."""
    _require_manager(actor)
    amount = _amount(amount)
    if (user_id is None) == (team_id is None):
        raise ServiceError(_("目标要么属于一位销售，要么属于一个团队。"), field="user")
    with organization_scope(actor.organization_id), transaction.atomic():
        member = team = None
        if user_id is not None:
            member = SprintMember.objects.filter(sprint=sprint, user_id=user_id).first()
            if member is None:
                raise ServiceError(_("该销售不在本次冲刺中，不能给他设目标。"), field="user")
        else:
            team = SprintTeam.objects.filter(sprint=sprint, pk=team_id or 0).first()
            if team is None:
                raise ServiceError(_("团队不属于本次冲刺。"), field="team")
        _require_mix(sprint, measure)
        exists = Target.objects.filter(
            sprint=sprint, measure=measure, member=member, team=team
        ).exists()
        reason = _check_measure_and_reason(measure, reason, adjusting=exists)
        return _write_target(actor, sprint, measure, amount, reason, member=member, team=team)


def split_amounts(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` split by ``weights`` to the fen; the last share takes the
    rounding remainder, so the shares always add up to the total exactly."""
    whole = sum(weights, Decimal(0))
    shares = [round_money(total * w / whole) for w in weights[:-1]]
    return [*shares, round_money(total) - sum(shares, Decimal(0))]


def target_split(
    *,
    actor: Membership,
    sprint: Sprint,
    team: SprintTeam,
    measure: str,
    total: Decimal,
    by_weight: bool = False,
    reason: str = "",
) -> list[Target]:
    """Set the team's target to ``total`` and split it to its reps, evenly or
    by their weights."""
    _require_manager(actor)
    total = _amount(total, "total")
    with organization_scope(actor.organization_id), transaction.atomic():
        if team.sprint_id != sprint.pk:
            raise ServiceError(_("团队不属于本次冲刺。"), field="team")
        members = list(SprintMember.objects.filter(team=team).order_by("id"))
        if not members:
            raise ServiceError(_("团队里还没有销售，无法拆分。"), field="team")
        reason = _check_measure_and_reason(measure, reason, adjusting=False)
        _require_mix(sprint, measure)
        weights = [m.weight if by_weight else Decimal(1) for m in members]
        targets = [_write_target(actor, sprint, measure, total, reason, team=team)]
        for member, share in zip(members, split_amounts(total, weights), strict=True):
            targets.append(_write_target(actor, sprint, measure, share, reason, member=member))
        return targets


def award_set(
    *,
    actor: Membership,
    sprint: Sprint,
    name_zh: str,
    name_en: str = "",
    measure: str = Measure.WON,
    top_n: int = 1,
    min_attainment: Decimal = Decimal("100"),
    tie_break: str = TieBreak.AMOUNT,
    prize_amount: Decimal = Decimal("0"),
    prize_item: str = "",
    min_tenure_days: int = 0,
) -> Award:
    _require_manager(actor)
    if not (name_zh or "").strip():
        raise ServiceError(_("请填写奖项名称。"), field="name_zh")
    if measure not in Measure.values:
        raise ServiceError(_("指标无效。"), field="measure")
    if top_n is None or top_n < 1:
        raise ServiceError(_("名额至少为 1。"), field="top_n")
    if min_attainment is None or min_attainment < 0:
        raise ServiceError(_("最低达成率不能为负数。"), field="min_attainment")
    if tie_break not in TieBreak.values:
        raise ServiceError(_("并列规则无效。"), field="tie_break")
    if min_tenure_days is None or not 0 <= min_tenure_days <= TENURE_MAX_DAYS:
        raise ServiceError(
            _("最短在职天数须在 0 到 %(max)s 之间。") % {"max": TENURE_MAX_DAYS},
            field="min_tenure_days",
        )
    prize = _amount(prize_amount, "prize_amount")
    _require_mix(sprint, measure)
    with organization_scope(actor.organization_id), transaction.atomic():
        return Award.objects.create(
            organization_id=actor.organization_id,
            sprint=sprint,
            name_zh=name_zh.strip()[:100],
            name_en=(name_en or name_zh).strip()[:100],
            measure=measure,
            top_n=top_n,
            min_attainment=min_attainment,
            tie_break=tie_break,
            prize_amount=prize,
            prize_item=(prize_item or "")[:100],
            min_tenure_days=min_tenure_days,
        )


def sprint_link_reservation(*, actor: Membership, sprint: Sprint, line_id: int | None) -> Sprint:
    """Link (or unlink, ``None``) the budget reservation Finance made for it."""
    _require_manager(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        if (
            line_id is not None
            and not BudgetLine.objects.filter(pk=line_id, kind=LineKind.RESERVATION).exists()
        ):
            raise ServiceError(_("预算预留不存在。"), field="reservation")
        sprint.reservation_id = line_id
        sprint.save(update_fields=["reservation"])
        return sprint
