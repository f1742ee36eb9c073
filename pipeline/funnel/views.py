"""The funnel page and its exports."""

from __future__ import annotations

from django.shortcuts import render

from collab.exports import FORMATS
from pipeline import permissions
from pipeline.funnel import presentation, selectors
from pipeline.funnel.forms import FunnelFilterForm
from pipeline.permissions import pipeline_required


@pipeline_required(permissions.can_view_funnel)
def funnel(request):
    membership = request.membership
    restricted = not permissions.manages_pipeline(membership)
    form = FunnelFilterForm(request.GET or None, restricted=restricted)
    filters = form.filters(owner_id=request.user.pk if restricted else None)
    report = selectors.funnel_report(filters)
    export = request.GET.get("export")
    if export in FORMATS:
        return presentation.funnel_export(report, export)
    query = request.GET.copy()
    query.pop("export", None)
    headers, rows = presentation.funnel_table(report)
    f_headers, f_rows = presentation.forecast_table(report)
    return render(
        request,
        "pipeline/funnel.html",
        {
            "form": form,
            "report": report,
            "restricted": restricted,
            "table": (headers, rows),
            "forecast": (f_headers, f_rows),
            "chart": presentation.funnel_chart(report),
            "sentences": presentation.bottleneck_sentences(report),
            "query": query.urlencode(),
        },
    )
