"""Writes of commission plans: create a plan, add a version with its tiers
and its rate lines (by product category or bundle).

Tiers are checked before anything is written: bands must not overlap, must
start at 0% and leave no gap, and only the last may be open-ended; rate
lines name one category or one of the organization's bundles each, once,
and need a tier with a rate at 100% (which they replace); a bad version
writes nothing (one transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.money import round_money
from collab.tenancy import organization_scope
from departments.models import Membership
from incentives.permissions import can_manage
from incentives.plans.models import Basis, CommissionPlan, PlanVersion, RateLine, Tier
from incentives.plans.rates import on_target_rate
from pricing.bundles.models import Bundle
from pricing.catalog.models import Category


@dataclass(frozen=True)
class TierInput:
    from_pct: Decimal
    to_pct: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class RateInput:
    rate: Decimal
    category: str = ""
    bundle_id: int | None = None


def _require_manager(actor: Membership) -> None:
    if not can_manage(actor):
        raise ServiceError(_("只有人力资源和业务负责人可以管理激励方案。"))


def tiers_check(tiers: Sequence[TierInput]) -> list[TierInput]:
    """The tiers sorted, or a ServiceError naming what is wrong."""
    if not tiers:
        raise ServiceError(_("至少需要一个阶梯。"), field="tiers")
    ordered = sorted(tiers, key=lambda t: t.from_pct)
    if ordered[0].from_pct != 0:
        raise ServiceError(_("第一个阶梯必须从 0% 开始。"), field="tiers")
    for tier in ordered:
        if not Decimal(0) <= tier.rate <= Decimal(100):
            raise ServiceError(_("提成比例必须在 0% 到 100% 之间。"), field="tiers")
        if tier.to_pct is not None and tier.to_pct <= tier.from_pct:
            raise ServiceError(_("阶梯的截止达成率必须大于起始达成率。"), field="tiers")
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.to_pct is None or before.to_pct > after.from_pct:
            raise ServiceError(
                _("阶梯重叠：%(a)s%% 起和 %(b)s%% 起的两档有交叉。")
                % {"a": before.from_pct, "b": after.from_pct},
                field="tiers",
            )
        if before.to_pct < after.from_pct:
            raise ServiceError(
                _("阶梯之间有空档：%(a)s%% 到 %(b)s%% 没有比例。")
                % {"a": before.to_pct, "b": after.from_pct},
                field="tiers",
            )
    if ordered[-1].to_pct is not None:
        raise ServiceError(_("最后一个阶梯不能有截止达成率（超出部分也要有比例）。"), field="tiers")
    return ordered


def rate_lines_check(rates: Sequence[RateInput], tiers: Sequence[TierInput]) -> list[RateInput]:
    """The rate lines, or a ServiceError (field ``rate_lines``) naming what is
    wrong: neither or both of category and bundle, an unknown category, a
    bundle not of the organization in scope (the same error as a missing
    one), a rate outside 0–100%, a category or bundle twice, or no rate at
    100% attainment to replace."""
    seen: set[tuple[str, int | None]] = set()
    for line in rates:
        if bool(line.category) == (line.bundle_id is not None):
            raise ServiceError(
                _("每条类别比例须指定一个产品类别或一个促销方案。"), field="rate_lines"
            )
        if line.category and line.category not in Category.values:
            raise ServiceError(
                _("未知的产品类别“%(c)s”。") % {"c": line.category}, field="rate_lines"
            )
        if not Decimal(0) <= line.rate <= Decimal(100):
            raise ServiceError(_("提成比例必须在 0% 到 100% 之间。"), field="rate_lines")
        key = (line.category, line.bundle_id)
        if key in seen:
            raise ServiceError(
                _("类别比例重复：%(what)s 出现了两次。")
                % {"what": line.category or f"#{line.bundle_id}"},
                field="rate_lines",
            )
        seen.add(key)
    bundle_ids = {b for _c, b in seen if b is not None}
    if bundle_ids and Bundle.objects.filter(pk__in=bundle_ids).count() != len(bundle_ids):
        raise ServiceError(_("促销方案不存在。"), field="rate_lines")
    if rates and not on_target_rate(
        [Tier(from_pct=t.from_pct, to_pct=t.to_pct, rate=t.rate) for t in tiers]
    ):
        raise ServiceError(
            _("类别比例替代达成 100% 时的阶梯比例，该阶梯的比例不能为 0。"), field="rate_lines"
        )
    return list(rates)


def plan_create(
    *, actor: Membership, name: str, basis: str, currency: str = "CNY"
) -> CommissionPlan:
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写方案名称。"), field="name")
    if basis not in Basis.values:
        raise ServiceError(_("计提基数无效。"), field="basis")
    with organization_scope(actor.organization_id), transaction.atomic():
        if CommissionPlan.objects.filter(name=name).exists():
            raise ServiceError(_("已有同名方案。"), field="name")
        return CommissionPlan.objects.create(
            organization_id=actor.organization_id,
            name=name,
            basis=basis,
            currency=currency,
            created_at=timezone.now(),
        )


def version_add(
    *,
    actor: Membership,
    plan: CommissionPlan,
    effective_from: dt.date,
    tiers: Sequence[TierInput],
    cap: Decimal | None = None,
    note: str = "",
    rates: Sequence[RateInput] = (),
) -> PlanVersion:
    """A new version of the plan, in force from ``effective_from``. Versions
    are never edited: a change is a new version from a later day."""
    _require_manager(actor)
    ordered = tiers_check(tiers)
    if cap is not None and cap <= 0:
        raise ServiceError(_("封顶金额必须大于零。"), field="cap")
    with organization_scope(actor.organization_id), transaction.atomic():
        rate_lines = rate_lines_check(rates, ordered)
        if PlanVersion.objects.filter(plan=plan, effective_from=effective_from).exists():
            raise ServiceError(_("这一天已有一个版本生效。"), field="effective_from")
        try:
            version = PlanVersion.objects.create(
                organization_id=actor.organization_id,
                plan=plan,
                effective_from=effective_from,
                cap=round_money(cap) if cap is not None else None,
                note=note[:200],
                created_at=timezone.now(),
            )
            Tier.objects.bulk_create(
                Tier(
                    organization_id=actor.organization_id,
                    version=version,
                    from_pct=t.from_pct,
                    to_pct=t.to_pct,
                    rate=t.rate,
                )
                for t in ordered
            )
            RateLine.objects.bulk_create(
                RateLine(
                    organization_id=actor.organization_id,
                    version=version,
                    category=r.category,
                    bundle_id=r.bundle_id,
                    rate=r.rate,
                )
                for r in rate_lines
            )
        except IntegrityError:
            raise ServiceError(_("阶梯数值超出范围。"), field="tiers") from None
        return version


def tiers_parse(text: str) -> list[TierInput]:
    """'0-100:3' lines (from %, to % or empty, rate %) into tiers, for forms."""
    tiers = []
    for raw in (text or "").replace("；", "\n").replace(";", "\n").splitlines():
        line = raw.strip().replace("：", ":").replace("%", "")
        if not line:
            continue
        try:
            band, rate = line.split(":")
            low, high = band.split("-")
            tiers.append(
                TierInput(
                    from_pct=Decimal(low.strip()),
                    to_pct=Decimal(high.strip()) if high.strip() else None,
                    rate=Decimal(rate.strip()),
                )
            )
        except (ValueError, ArithmeticError):
            raise ServiceError(
                _("无法识别阶梯“%(line)s”，格式为“0-100:3”。") % {"line": raw.strip()},
                field="tiers",
            ) from None
    return tiers


def rate_lines_parse(text: str) -> list[RateInput]:
    """'licence:6' lines (a category's code or name, or a bundle's code, then
    the rate %) into rate lines, for forms; bundles looked up in scope."""
    names = {str(label): code for code, label in Category.choices}
    with translation.override("zh-hans"):  # the Chinese names work in any language
        names |= {str(label): code for code, label in Category.choices}
    lines: list[tuple[str, Decimal, str]] = []
    for raw in (text or "").replace("；", "\n").replace(";", "\n").splitlines():
        line = raw.strip().replace("：", ":").replace("%", "")
        if not line:
            continue
        try:
            what, figure = (part.strip() for part in line.rsplit(":", 1))
            lines.append((what, Decimal(figure), raw.strip()))
        except (ValueError, ArithmeticError):
            raise ServiceError(
                _("无法识别类别比例“%(line)s”，格式为“licence:6”。") % {"line": raw.strip()},
                field="rate_lines",
            ) from None
    codes = {w for w, _r, _raw in lines if w not in Category.values and w not in names}
    bundles = dict(Bundle.objects.filter(code__in=codes).values_list("code", "pk"))
    out = []
    for what, rate, raw in lines:
        category = what if what in Category.values else names.get(what, "")
        bundle_id = None if category else bundles.get(what)
        if not category and bundle_id is None:
            raise ServiceError(
                _("“%(line)s”不是产品类别，也不是促销方案编码。") % {"line": raw},
                field="rate_lines",
            )
        out.append(RateInput(rate=rate, category=category, bundle_id=bundle_id))
    return out
