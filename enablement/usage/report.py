"""The library report: every asset used on a deal, with its deals, wins,
losses, win rate, the organization's win rate since the asset was first
used, and revenue won per currency. Four queries whatever the size; CSV or
XLSX through collab.exports."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext as _

from collab.exports import Sheet
from collab.money import Money, round_money
from enablement.library.models import Asset
from enablement.usage.models import AssetUse
from pipeline.models import Opportunity


@dataclass
class ReportRow:
    asset: Asset
    deals: int
    won: int
    lost: int
    win_rate: Decimal | None
    org_win_rate: Decimal | None
    revenue: list[Money] = field(default_factory=list)


def _rate(won: int, closed: int) -> Decimal | None:
    return round_money(Decimal(won) * 100 / closed) if closed else None


def library_report() -> list[ReportRow]:
    on_deals = AssetUse.objects.filter(opportunity__isnull=False)
    counts = {
        r["asset_id"]: r
        for r in on_deals.values("asset_id").annotate(
            deals=Count("opportunity_id"),
            won=Count("opportunity_id", filter=Q(opportunity__stage__is_won=True)),
            lost=Count("opportunity_id", filter=Q(opportunity__stage__is_lost=True)),
            first=Min("used_at"),
        )
    }
    revenue: dict[int, list[Money]] = {}
    for r in (
        on_deals.filter(opportunity__stage__is_won=True)
        .values("asset_id", "opportunity__currency")
        .annotate(total=Sum("opportunity__amount"))
        .order_by("asset_id", "opportunity__currency")
    ):
        revenue.setdefault(r["asset_id"], []).append(Money(r["total"], r["opportunity__currency"]))
    # The organization's closed deals by when they closed: the win rate since
    # any date is two bisects away.
    closed = sorted(
        Opportunity.objects.filter(Q(stage__is_won=True) | Q(stage__is_lost=True)).values_list(
            "stage_entered_at", "stage__is_won"
        )
    )
    when = [c[0] for c in closed]
    wins_after = [0] * (len(closed) + 1)
    for i in range(len(closed) - 1, -1, -1):
        wins_after[i] = wins_after[i + 1] + (1 if closed[i][1] else 0)
    rows = []
    assets = Asset.objects.filter(pk__in=counts).select_related("owner_department")
    for asset in sorted(assets, key=lambda a: (-counts[a.pk]["deals"], a.pk)):
        c = counts[asset.pk]
        start = bisect.bisect_left(when, c["first"])
        rows.append(
            ReportRow(
                asset=asset,
                deals=c["deals"],
                won=c["won"],
                lost=c["lost"],
                win_rate=_rate(c["won"], c["won"] + c["lost"]),
                org_win_rate=_rate(wins_after[start], len(closed) - start),
                revenue=revenue.get(asset.pk, []),
            )
        )
    return rows


def report_sheet(rows: list[ReportRow]) -> Sheet:
    return Sheet(
        title=_("资料效果"),
        headers=[
            _("资料"),
            _("类型"),
            _("所属部门"),
            _("使用的商机"),
            _("赢单"),
            _("丢单"),
            _("赢率（%）"),
            _("同期企业赢率（%）"),
            _("赢单金额"),
        ],
        rows=[
            [
                r.asset.title,
                r.asset.get_kind_display(),
                r.asset.owner_department.name,
                r.deals,
                r.won,
                r.lost,
                r.win_rate if r.win_rate is not None else "",
                r.org_win_rate if r.org_win_rate is not None else "",
                "; ".join(str(m) for m in r.revenue),
            ]
            for r in rows
        ],
    )
