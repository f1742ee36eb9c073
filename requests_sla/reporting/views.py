"""The ops manager's SLA dashboard, its drill-down list, exports and API.

Glue only: filters come from the query string (so a view can be bookmarked
and shared), figures from ``selectors``, charts and table bodies from ``presentation``,
files from ``collab.exports``.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote_plus, urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from collab.decorators import membership_required
from collab.exports import FORMATS, sheets_response
from departments.models import bilingual
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.reporting import exports, presentation
from requests_sla.reporting import presentation as charts
from requests_sla.reporting.backlog import AGE_BUCKETS
from requests_sla.reporting.drilldown import drilldown
from requests_sla.reporting.filters import KINDS, DashboardFilters, parse_filters
from requests_sla.reporting.panels import dashboard_panels
from requests_sla.reporting.selectors import (
    Dashboard,
    dashboard,
    meetings_for,
    scorecards_for,
)
from requests_sla.reporting.summary import worst_departments
from requests_sla.sla.models import TimerKind
from requests_sla.templatetags import dashboard as dashboard_tags

DRILLDOWN_PAGE = 50
# The tables the page exports (see ``exports.dashboard_tables``).
TABLES = ("summary", "matrix", "trend", "backlog", "live")

_quote = functools.lru_cache(maxsize=4096)(quote_plus)
_PK = 987654321  # placeholders for the one reverse() of each pattern
_TABLE = "table0placeholder"


class Links:
    """The page's links: one ``reverse()`` per URL pattern, then string work
    per link (a ``{% url %}`` and a ``{% drill %}`` tag per link were a large
    share of the page's rendering time).

    ``drill(**extra)`` equals ``{% url 'dashboard:drilldown' %}?`` +
    ``filters.query(**extra)``: the view's own parameters come first and
    never share a name with a drill-down's (bucket, kind, week, from, to,
    breached), so the query string is the view's followed by the extra's."""

    def __init__(self, filters: DashboardFilters):
        self.query = filters.query()
        self._drill = f"{reverse('dashboard:drilldown')}?{self.query}&"
        self._detail = reverse("requests_sla:detail", args=[_PK]).replace(str(_PK), "{}")
        self._export = reverse("dashboard:export", args=[_TABLE, "csv"])[: -len("csv")]

    def drill(self, **extra: Any) -> str:
        # What urlencode() writes, with each name and value quoted once per
        # process: a page repeats the same few (bucket names, kinds, weeks).
        return self._drill + "&".join(
            f"{_quote(k)}={_quote(str(v))}" for k, v in extra.items() if v not in (None, "")
        )

    def detail(self, pk: int) -> str:
        return self._detail.format(pk)

    def export(self, table: str) -> dict[str, str]:
        prefix = self._export.replace(_TABLE, table)
        return {fmt: f"{prefix}{fmt}?{self.query}" for fmt in ("csv", "xlsx")}


def _charts(d: Dashboard, links: Links) -> dict:
    labels = [formats.date_format(w.week, "m-d") for w in d.trend]
    weeks = [w.week.isoformat() for w in d.trend]
    x_label = _("周（从周一开始）")
    attainment = charts.line_chart(
        title=_("每周 SLA 达成率"),
        x_label=x_label,
        y_label=_("达成率"),
        categories=labels,
        series=[
            charts.Series(
                str(TimerKind(kind).label),
                [w.attainment(kind) for w in d.trend],
                [links.drill(bucket="week", kind=kind, week=week) for week in weeks],
            )
            for kind in KINDS
        ],
    )
    volume = charts.bar_chart(
        title=_("每周新提交请求数"),
        x_label=x_label,
        y_label=_("请求数"),
        categories=labels,
        values=[w.filed for w in d.trend],
        hrefs=[links.drill(bucket="filed", week=week) for week in weeks],
    )
    return {"attainment": attainment, "volume": volume}


KPI_BUCKETS = ("met", "decided", "prev_decided", "breached", "stopped")


def _kpis(d: Dashboard, links: Links) -> list[tuple]:
    """Each timer kind's figures, the links behind them and their texts."""
    kpis = []
    for k in d.kinds.values():
        change = k.change
        text = {
            "attainment": dashboard_tags.pct(k.attainment),
            "prev_attainment": dashboard_tags.pct(k.prev_attainment),
            "change": "" if change is None else dashboard_tags.pct_change(change),
            "direction": "down" if change is not None and change < 0 else "up",
            "p50": dashboard_tags.bhours(k.p50_minutes),
            "p90": dashboard_tags.bhours(k.p90_minutes),
        }
        hrefs = {bucket: links.drill(bucket=bucket, kind=k.kind) for bucket in KPI_BUCKETS}
        kpis.append((k, hrefs, text))
    return kpis


def _matrix_rows(d: Dashboard, links: Links) -> list[dict]:
    """The matrix, each cell's class, figures and links worked out here
    rather than per cell in the template."""
    rows = []
    for department in d.matrix_rows:
        key = department.pk if department else None
        cells = []
        for column in d.matrix_columns:
            cell = d.matrix.get((key, column.pk))
            cells.append(cell and _matrix_cell(cell, links, key, column.pk))
        rows.append({"department": department, "cells": cells})
    return rows


def _matrix_cell(cell, links: Links, requesting: int | None, serving: int) -> dict:
    attainment, late = cell.attainment, cell.mean_late_minutes
    href = links.drill(bucket="matrix", **{"from": requesting or "none", "to": serving})
    return {
        "class": "bad" if attainment < 0.8 else "warn" if attainment < 0.95 else "good",
        "attainment": dashboard_tags.pct(attainment),
        "href": href,
        "href_breached": f"{href}&breached=1",
        "breached": cell.breached,
        "decided": cell.decided,
        "late": None if late is None else dashboard_tags.bhours(late),
    }


def _live_rows(d: Dashboard, links: Links) -> list[dict]:
    """The live list: each row's state chip (breached when the cached state
    says so or its clock is already past due), due time and assignee."""
    rows = []
    for r in d.live:
        if r.sla_state == "breached" or (r.sla_due_at and r.sla_due_at <= d.as_of):
            state = "breached"
        elif r.sla_state == "at_risk":
            state = "at_risk"
        else:
            state = r.get_sla_state_display()
        due = r.sla_due_at and timezone.localtime(r.sla_due_at)
        rows.append(
            {
                "r": r,
                "url": links.detail(r.pk),
                "state": state,
                "due": formats.date_format(due, "SHORT_DATETIME_FORMAT") if due else "—",
                "assignee": r.assignee and (r.assignee.get_full_name() or r.assignee.username),
            }
        )
    return rows


def _filter_options(filters: DashboardFilters, d: Dashboard) -> dict[str, Any]:
    """The filter form's ``<option>`` lists, each marking the current value."""
    departments = [(dep.pk, dep.name) for dep in d.departments.values()]
    names = dict(departments)
    types = RequestType.objects.order_by("serving_department__sort_order", "sort_order", "code")
    if filters.forced_serving:  # a head filters among their department's types
        types = types.filter(serving_department_id=filters.serving)
    # Names only (not the types' JSON targets and forms, nor their
    # departments again: the page has read those).
    type_rows = types.values_list("pk", "name_zh", "name_en", "serving_department_id")
    periods = [
        ("week", _("本周")),
        ("month", _("本月")),
        ("quarter", _("本季度")),
        ("custom", _("自定义")),
    ]
    return {
        "period": presentation.options(periods, filters.period),
        "serving": presentation.options(departments, filters.serving),
        "requesting": presentation.options(departments, filters.requesting),
        "request_type": presentation.options(
            [(pk, f"{names.get(dep, '')} · {bilingual(zh, en)}") for pk, zh, en, dep in type_rows],
            filters.request_type,
        ),
        "priority": presentation.options(Priority.choices, filters.priority),
    }


@membership_required()
def dashboard_page(request):
    filters = parse_filters(request.GET, request.membership)
    d = dashboard(filters)
    links = Links(filters)
    context = {
        "d": d,
        "f": filters,
        "query": links.query,
        "kpis": _kpis(d, links),
        "worst": worst_departments(d),
        "open_links": {b: links.drill(bucket=b) for b in ("open", "breached_open", "at_risk")},
        "exports": {t: presentation.export_links(links.export(t)) for t in TABLES},
        "charts": _charts(d, links),
        "matrix_rows": d.matrix_rows,
        "matrix_body": presentation.matrix_body(_matrix_rows(d, links)),
        "live_body": presentation.live_body(_live_rows(d, links)),
        "age_buckets": [
            (key, exports.age_label(key), d.backlog[key], links.drill(bucket=f"age_{key}"))
            for key, _lo, _hi in AGE_BUCKETS
        ],
        "meetings": meetings_for(filters, request.membership),
        "scorecards_lazy": True,
        "options": _filter_options(filters, d),
        "panels": dashboard_panels(request, filters),
    }
    return render(request, "requests_sla/dashboard/dashboard.html", context)


@membership_required()
def dashboard_scorecards(request):
    """The department scorecards section, loaded by htmx when it scrolls
    into view (see ``selectors.scorecards_for``)."""
    filters = parse_filters(request.GET, request.membership)
    scorecards = scorecards_for(filters)
    if scorecards is None:
        raise Http404
    return render(
        request, "requests_sla/dashboard/_scorecards.html", {"scorecards": scorecards, "f": filters}
    )


@membership_required()
def dashboard_export(request, table: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    filters = parse_filters(request.GET, request.membership)
    tables = exports.dashboard_tables(dashboard(filters))
    if table not in tables:
        raise Http404
    filename = f"sla-{table}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
    return sheets_response(fmt, filename, [tables[table]])


@membership_required()
def drilldown_page(request):
    filters = parse_filters(request.GET, request.membership)
    qs = drilldown(filters, request.GET)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in FORMATS:
            raise Http404
        return sheets_response(
            fmt,
            f"sla-requests-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}",
            [exports.requests_table(_("请求明细"), qs[:10_000])],
        )
    page = Paginator(qs, DRILLDOWN_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k not in ("page", "format")}
    return render(
        request,
        "requests_sla/dashboard/drilldown.html",
        {
            "f": filters,
            "page": page,
            "query": urlencode(params),
            "bucket": request.GET.get("bucket", ""),
            "kind": request.GET.get("kind", ""),
            "back": f"{reverse('dashboard:index')}?{filters.query()}",
        },
    )
