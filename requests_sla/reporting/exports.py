"""The dashboard's tables as ``collab.exports.Sheet``s, in the user's
language: the page, the CSV and the .xlsx are built from the same figures
(``collab.exports`` writes the files)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from collab.exports import Sheet
from requests_sla.reporting.backlog import AGE_BUCKETS
from requests_sla.reporting.selectors import Dashboard
from requests_sla.requests.models import Request
from requests_sla.sla.models import TimerKind


def pct(value: float | None) -> float | None:
    """Attainment as a percentage with one decimal, as on the page."""
    return None if value is None else round(value * 100, 1)


def hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 1)


def age_label(key: str) -> str:
    labels = {
        "d0": _("不到 1 天"),
        "d1": _("1–3 天"),
        "d3": _("3–7 天"),
        "d7": _("7–14 天"),
        "d14": _("14–30 天"),
        "d30": _("30 天以上"),
    }
    return labels[key]


def kind_label(kind: str) -> str:
    return str(TimerKind(kind).label)


def summary_table(d: Dashboard) -> Sheet:
    rows = [
        [
            kind_label(k.kind),
            k.decided,
            k.met,
            k.breached,
            pct(k.attainment),
            pct(k.prev_attainment),
            k.stopped,
            hours(k.p50_minutes),
            hours(k.p90_minutes),
        ]
        for k in d.kinds.values()
    ]
    return Sheet(
        _("SLA 达成率"),
        [
            _("时限"),
            _("已判定"),
            _("达成"),
            _("超时"),
            _("达成率 %"),
            _("上期达成率 %"),
            _("已停止计时"),
            _("中位数（工作小时）"),
            _("P90（工作小时）"),
        ],
        rows,
    )


def matrix_table(d: Dashboard) -> Sheet:
    rows = []
    for (requesting, serving), cell in sorted(
        d.matrix.items(), key=lambda i: (i[0][0] or 0, i[0][1])
    ):
        rows.append(
            [
                d.departments[requesting].name if requesting in d.departments else _("（未填写）"),
                d.departments[serving].name if serving in d.departments else "",
                cell.decided,
                cell.met,
                cell.breached,
                pct(cell.attainment),
                hours(cell.mean_late_minutes),
            ]
        )
    return Sheet(
        _("部门矩阵"),
        [
            _("提出部门"),
            _("服务部门"),
            _("已判定"),
            _("达成"),
            _("超时"),
            _("达成率 %"),
            _("平均超时（工作小时）"),
        ],
        rows,
    )


def trend_table(d: Dashboard) -> Sheet:
    rows = [
        [
            w.week,
            w.filed,
            w.response_decided,
            pct(w.attainment("response")),
            w.resolution_decided,
            pct(w.attainment("resolution")),
        ]
        for w in d.trend
    ]
    return Sheet(
        _("每周趋势"),
        [
            _("周（周一）"),
            _("新提交"),
            _("响应已判定"),
            _("响应达成率 %"),
            _("解决已判定"),
            _("解决达成率 %"),
        ],
        rows,
    )


def backlog_table(d: Dashboard) -> Sheet:
    rows = [[age_label(key), d.backlog[key]] for key, _lo, _hi in AGE_BUCKETS]
    return Sheet(_("未结请求账龄"), [_("账龄"), _("请求数")], rows)


def requests_table(title: str, requests: Iterable[Request]) -> Sheet:
    rows = [
        [
            r.reference,
            r.title,
            r.requesting_department.name if r.requesting_department else "",
            r.serving_department.name,
            r.request_type.name,
            r.get_priority_display(),
            r.get_status_display(),
            r.get_sla_state_display() if r.sla_state else "",
            r.created_at,
            r.sla_due_at,
        ]
        for r in requests
    ]
    return Sheet(
        title,
        [
            _("编号"),
            _("标题"),
            _("提出部门"),
            _("服务部门"),
            _("请求类型"),
            _("优先级"),
            _("状态"),
            _("SLA 状态"),
            _("提交时间"),
            _("最近到期"),
        ],
        rows,
    )


def dashboard_tables(d: Dashboard) -> dict[str, Sheet]:
    return {
        "summary": summary_table(d),
        "matrix": matrix_table(d),
        "trend": trend_table(d),
        "backlog": backlog_table(d),
        "live": requests_table(_("预警与超时的未结请求"), d.live),
    }
