"""The dashboard's figures as JSON (the same filters and numbers as the page)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from collab.api import TenantAPIMixin
from requests_sla.reporting.filters import parse_filters
from requests_sla.reporting.selectors import (
    dashboard,
)
from requests_sla.sla.models import SlaOutcome


class DashboardAPI(TenantAPIMixin, APIView):
    """``GET /api/dashboard/``: the dashboard's figures as JSON, same filters."""

    model = SlaOutcome

    def get_scoped_queryset(self):
        return SlaOutcome.objects.none()

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(name, str, required=False)
            for name in (
                "period",
                "start",
                "end",
                "serving",
                "requesting",
                "request_type",
                "priority",
            )
        ],
    )
    def get(self, request):
        filters = parse_filters(request.query_params, request.membership)
        d = dashboard(filters)
        return Response(
            {
                "period": {"name": filters.period, "start": filters.start, "end": filters.end},
                "previous_period": {"start": d.previous.start, "end": d.previous.end},
                "filters": {
                    "serving": filters.serving,
                    "requesting": filters.requesting,
                    "request_type": filters.request_type,
                    "priority": filters.priority or None,
                },
                "errors": list(filters.errors),
                "as_of": d.as_of,
                "attainment": {
                    k.kind: {
                        "decided": k.decided,
                        "met": k.met,
                        "breached": k.breached,
                        "attainment": k.attainment,
                        "previous_attainment": k.prev_attainment,
                        "stopped": k.stopped,
                        "p50_business_minutes": k.p50_minutes,
                        "p90_business_minutes": k.p90_minutes,
                    }
                    for k in d.kinds.values()
                },
                "open": {
                    "total": d.open_total,
                    "at_risk": d.open_at_risk,
                    "breached": d.open_breached,
                },
                "backlog_by_age": d.backlog,
                "matrix": [
                    {
                        "requesting_department": c.requesting,
                        "serving_department": c.serving,
                        "decided": c.decided,
                        "met": c.met,
                        "breached": c.breached,
                        "attainment": c.attainment,
                        "mean_late_business_minutes": c.mean_late_minutes,
                    }
                    for c in d.matrix.values()
                ],
                "trend": [
                    {
                        "week": w.week,
                        "filed": w.filed,
                        "response_decided": w.response_decided,
                        "response_met": w.response_met,
                        "resolution_decided": w.resolution_decided,
                        "resolution_met": w.resolution_met,
                    }
                    for w in d.trend
                ],
                "live": [
                    {
                        "id": r.pk,
                        "reference": r.reference,
                        "title": r.title,
                        "sla_state": r.sla_state,
                        "sla_due_at": r.sla_due_at,
                        "serving_department": r.serving_department_id,
                    }
                    for r in d.live
                ],
            }
        )
