"""The collections analysis page (回款分析): aging, DSO, collected vs
planned, collection rates per rep, team and customer, the drill-down to the
invoices of a bucket, and its CSV/XLSX export. CNY only (no rate table)."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.exports import FORMATS, Sheet, sheets_response
from finance import permissions
from finance.receivables import selectors
from finance.views.common import finance_page

BUCKET_LABELS = {
    "not_due": gettext_lazy("未到期"),
    "d1_30": gettext_lazy("逾期 1–30 天"),
    "d31_60": gettext_lazy("逾期 31–60 天"),
    "d61_90": gettext_lazy("逾期 61–90 天"),
    "d90_plus": gettext_lazy("逾期 90 天以上"),
}
MONTHS = 6


def collections_figures(membership, today: dt.date) -> dict:
    invoices = selectors.invoices_visible_to(membership)
    start = (today.replace(day=1) - dt.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    aging = selectors.aging(invoices, today)
    by_rep = selectors.collection_rates(invoices, today, "owner")
    return {
        "today": today,
        "aging": [(key, BUCKET_LABELS[key], aging[key]) for key in selectors.BUCKETS],
        "aging_total": aging["total"],
        "dso": selectors.dso(invoices, today),
        "months": selectors.monthly(membership, start, today),
        "by_rep": by_rep,
        "by_team": selectors.collection_rates_by_team(by_rep),
        "by_customer": selectors.collection_rates(invoices, today, "account")[:20],
    }


@finance_page(permissions.can_view_receivables)
def collections(request):
    today = timezone.localdate()
    figures = collections_figures(request.membership, today)
    bucket = request.GET.get("bucket")
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return sheets_response(fmt, f"collections-{today}", _sheets(figures))
    drill = []
    if bucket in BUCKET_LABELS:
        drill = list(
            selectors.invoices_visible_to(request.membership)
            .filter(selectors.bucket_filter(bucket, today), currency="CNY")
            .select_related("account", "owner")
            .order_by("due_on", "id")[:200]
        )
    return render(
        request,
        "finance/collections.html",
        {
            **figures,
            "bucket": bucket,
            "bucket_label": BUCKET_LABELS.get(bucket or ""),
            "drill": drill,
        },
    )


def _sheets(figures: dict) -> list[Sheet]:
    return [
        Sheet(
            _("账龄"),
            [_("账龄"), _("未回款（元）")],
            [[label, amount] for _key, label, amount in figures["aging"]],
            notes=[
                _("DSO（天）：%(dso)s")
                % {"dso": figures["dso"] if figures["dso"] is not None else "—"}
            ],
        ),
        Sheet(
            _("按月回款"),
            [_("月份"), _("计划回款（元）"), _("实际回款（元）")],
            [[m.month.strftime("%Y-%m"), m.planned, m.collected] for m in figures["months"]],
        ),
        Sheet(
            _("按销售"),
            [_("销售"), _("应收（元）"), _("已回款（元）"), _("回款率（%）")],
            [[r.label, r.due, r.paid, r.rate] for r in figures["by_rep"]],
        ),
        Sheet(
            _("按团队"),
            [_("团队"), _("应收（元）"), _("已回款（元）"), _("回款率（%）")],
            [[r.label, r.due, r.paid, r.rate] for r in figures["by_team"]],
        ),
        Sheet(
            _("按客户"),
            [_("客户"), _("应收（元）"), _("已回款（元）"), _("回款率（%）")],
            [[r.label, r.due, r.paid, r.rate] for r in figures["by_customer"]],
        ),
    ]


def dashboard_panel(request, filters) -> str:
    """The ops dashboard's collections panel (requests_sla.reporting.panels):
    a placeholder its figures load into by htmx, so the dashboard's own
    queries stay as they are."""
    membership = getattr(request, "membership", None)
    if membership is None or not permissions.can_view_receivables(membership):
        return ""
    return render_to_string("finance/_dashboard_panel.html", {}, request=request)


@finance_page(permissions.can_view_receivables)
def collections_panel(request):
    today = timezone.localdate()
    figures = selectors.headline(selectors.invoices_visible_to(request.membership), today)
    return render(request, "finance/_collections_headline.html", {"h": figures})
