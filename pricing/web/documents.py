"""Downloads of pricing: the quote PDF, the comparison sheet (.xlsx) and
the quotes report (CSV/XLSX), through collab.exports' sheets."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _

from collab.exports import Sheet, sheets_response
from pricing.bundles.models import CustomerKind
from pricing.bundles.selectors import ComparisonRow


def comparison_sheet(rows: list[ComparisonRow], on: dt.date) -> Sheet:
    kinds = dict(CustomerKind.choices)
    return Sheet(
        title=_("促销方案对比表"),
        headers=[
            _("促销方案"),
            _("包含产品"),
            _("目录价合计"),
            _("方案价"),
            _("节省金额"),
            _("节省比例（%）"),
            _("适用行业"),
            _("适用规模"),
            _("适用客户"),
            _("可叠加整单折扣"),
            _("活动周期"),
        ],
        rows=[
            [
                r.bundle.name,
                "；".join(f"{i.product.name} × {i.quantity.normalize():f}" for i in r.items),
                r.list_total,
                r.bundle.bundle_price,
                r.saving,
                r.saving_pct,
                r.industries or _("全部"),
                r.sizes or _("全部"),
                str(kinds.get(r.bundle.customer_kind, "")),
                _("是") if r.bundle.stackable else _("否"),
                f"{r.bundle.starts_on.isoformat()} – {r.bundle.ends_on.isoformat()}",
            ]
            for r in rows
        ],
        notes=[_("对比日期：%(date)s；目录价取当日生效的标准定价表。") % {"date": on.isoformat()}],
    )


def comparison_xlsx(rows: list[ComparisonRow], on: dt.date) -> HttpResponse:
    return sheets_response(
        "xlsx", f"bundle-comparison-{on.isoformat()}", [comparison_sheet(rows, on)]
    )


def report_export(report: dict, fmt: str) -> HttpResponse:
    states = Sheet(
        title=_("按状态"),
        headers=[_("状态"), _("报价单数")],
        rows=[[str(s), n] for s, n in report["states"]],
    )
    reps = Sheet(
        title=_("按销售"),
        headers=[_("销售"), _("平均折扣（%）"), _("报价单数")],
        rows=[list(r) for r in report["by_rep"]],
    )
    products = Sheet(
        title=_("按产品"),
        headers=[_("产品"), _("平均折扣（%）"), _("报价行数")],
        rows=[[zh, depth, n] for (zh, _en), depth, n in report["by_product"]],
    )
    bands = Sheet(
        title=_("折扣区间赢率"),
        headers=[_("折扣区间（%）"), _("赢单"), _("已决"), _("赢率（%）")],
        rows=[[f"{lo}–{hi}", won, decided, rate] for lo, hi, won, decided, rate in report["bands"]],
    )
    return sheets_response(fmt, "quotes-report", [states, reps, products, bands])
