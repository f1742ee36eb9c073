"""Presentation of the funnel report: one table for the page and both
exports (so they cannot disagree), the funnel chart's geometry, and the
bottleneck sentence.

How the figures are computed (selectors.funnel_report)
-------------------------------------------------------
Why rollups: read straight from ``StageChange`` the report scanned a third of
the table for entries and sorted every stay of both periods for the medians
(bench/funnel.py, 2,000,000 moves: ~1.5 s). The figures only need per-day
counts, so two rollup tables hold them (``rollups.models``):

- ``FunnelEntryDay`` keyed by (organization, stage, entry day, the day the
  deal entered the next stage or null, currency, owner, industry) → deals and
  amount at entry; the lost stage holds the moves to lost. Entries, amounts and
  lost deals are sums over the period's days; conversions add the condition
  "next-stage day ≤ period end" (a deal enters a stage at most once, and the
  entered stages are a prefix of the funnel, so the pairing is exact).
- ``FunnelStayDay`` keyed by (organization, stage, day the stay ended, whole
  days it lasted, currency, owner, industry) → closed stays: a histogram.
- ``FunnelOpenDay`` keyed by (organization, stage, UTC day the stay began,
  currency, owner, industry) → stays still open in an open stage. An open stay
  begun at t has lasted as_of − t, so one day's count holds stays whose
  lengths lie within one day of each other (two whole-day buckets).

Rows with a null owner and industry are the totals, so the unfiltered report
reads a few thousand rows; owner/team/industry filters read the detailed rows.
Days are in the organization's time zone (and so are the report's periods).

Medians stay exact (to the second, not rounded to whole days): every stay
of a period is counted with a range of whole-day buckets that holds its
length: one bucket for the closed stays' histogram and for the few stays read
one by one (ended on the period's last, partial day, or after it: open at its
end, counted up to it), two for a day of ``FunnelOpenDay``. Cumulative counts
by the lower and by the upper bucket bound the bucket(s) of the middle
rank(s); only the stays whose range meets them are read exactly (closed ones
through the ``stagechange_dwell_idx`` expression index, open ones of those few
days through the open-stays partial index) and ranked after the stays that are
certainly shorter. One statement, a few thousand rollup rows, whatever the
size of the open pipeline (selectors._MEDIAN_SQL).

How it stays right: the rollups are a pure function of the stage changes and
each deal's current owner and industry. Every service that changes one of
those (create, move, an owner or account change, an account's industry) reads
the deal's rollup rows before and after, with the same SQL as the rebuild, and
applies the difference in the same transaction, after locking the deal (keys
in a fixed order, so concurrent moves do not deadlock). Anything written
around the services (admin deletes, SQL repairs, a changed organization time
zone) is repaired by ``manage.py funnel_rollup_rebuild [--organization slug]``,
which recomputes an organization's rows with one ``INSERT … SELECT`` per table
and is idempotent; tests check that the kept rollup equals a rebuild after any
sequence of moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collab.exports import Sheet, sheets_response
from pipeline.funnel.selectors import FunnelReport, StageFigures


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def money(value: Decimal) -> str:
    return f"{value:,.0f}"


def funnel_table(report: FunnelReport) -> tuple[list[str], list[list[str]]]:
    headers = [
        _("阶段"),
        _("进入商机数"),
        _("进入金额"),
        _("转化率"),
        _("上期转化率"),
        _("停留天数中位数"),
        _("上期停留天数中位数"),
        _("瓶颈"),
    ]
    rows = [
        [
            f.stage.name,
            str(f.entered),
            money(f.entered_amount),
            pct(f.conversion) if f.has_next else "—",
            pct(f.prev_conversion) if f.has_next else "—",
            days(f.median_days),
            days(f.prev_median_days),
            _("是") if f.is_bottleneck else "",
        ]
        for f in report.stages
    ]
    return headers, rows


def forecast_table(report: FunnelReport) -> tuple[list[str], list[list[str]]]:
    headers = [_("预计成交月份"), _("商机数"), _("金额"), _("加权金额")]
    rows = [
        [
            date_format(m.month, "YEAR_MONTH_FORMAT"),
            str(m.count),
            money(m.amount),
            money(m.weighted),
        ]
        for m in report.forecast
    ]
    rows.append(
        [
            _("合计"),
            str(report.open_count),
            money(report.open_amount),
            money(report.weighted_pipeline),
        ]
    )
    return headers, rows


def bottleneck_sentence(report: FunnelReport) -> str:
    """One sentence in the active language; call under translation.override
    for the other one."""
    f = report.bottleneck
    if f is None:
        return _("本期没有足够的数据判断瓶颈。")
    return _(
        "瓶颈在“%(stage)s”：本期进入该阶段的商机中 %(conv)s 进入了下一阶段（上期 %(prev_conv)s），"
        "停留天数中位数 %(days)s 天（上期 %(prev_days)s 天）。"
    ) % {
        "stage": f.stage.name,
        "conv": pct(f.conversion),
        "prev_conv": pct(f.prev_conversion),
        "days": days(f.median_days),
        "prev_days": days(f.prev_median_days),
    }


def bottleneck_sentences(report: FunnelReport) -> list[tuple[str, str]]:
    """The sentence in the reader's language only (translated when the page
    is rendered), with that language's code for the ``lang`` attribute."""
    active = translation.get_language() or "zh-hans"
    return [("en" if active.startswith("en") else "zh-hans", bottleneck_sentence(report))]


@dataclass
class Bar:
    figures: StageFigures
    x: float
    y: float
    width: float
    height: float
    label_y: float
    conversion_label: str


def funnel_chart(
    report: FunnelReport, *, width: int = 640, bar_height: int = 44, gap: int = 22
) -> dict:
    """Centred bars, widths proportional to the deals that entered each stage."""
    top = max((f.entered for f in report.stages), default=0) or 1
    inner = width - 40
    bars = []
    y = 10.0
    for f in report.stages:
        w = max(inner * f.entered / top, 2)
        bars.append(
            Bar(
                figures=f,
                x=(width - w) / 2,
                y=y,
                width=w,
                height=bar_height,
                label_y=y + bar_height / 2 + 5,
                conversion_label=pct(f.conversion) if f.has_next else "",
            )
        )
        y += bar_height + gap
    return {"width": width, "height": int(y), "bars": bars, "center": width / 2}


def _filename(report: FunnelReport) -> str:
    return f"funnel_{report.filters.start:%Y%m%d}-{report.filters.end:%Y%m%d}"


def funnel_export(report: FunnelReport, fmt: str) -> HttpResponse:
    """The funnel (bottleneck shaded, its sentence below) and the forecast,
    as two sheets of one workbook or two sections of one CSV."""
    headers, rows = funnel_table(report)
    bottleneck = [i for i, stage in enumerate(report.stages) if stage.is_bottleneck]
    sheets = [
        Sheet(_("销售漏斗"), headers, rows, bottleneck, [bottleneck_sentence(report)]),
        Sheet(_("预测"), *forecast_table(report)),
    ]
    return sheets_response(fmt, _filename(report), sheets)
