"""Department KPIs per period: the figures the review meeting and the
performance review (绩效考核) use. A fixed number of grouped queries,
whatever the number of requests.

Definitions (written on the KPI page too):
* requests served: requests the department serves, filed in the period;
* attainment (response / resolution): of those requests' current timers of
  that kind that have an outcome (met, or breached), the share met;
* breaches: those requests' timers (any kind) that are breached;
* subjective delays / objective resource limits: agenda items blamed on the
  department and classified in the period, plus the department's findings
  in lost-deal post-mortems classified in the period, with their action items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone

from collab import parsing
from departments.models import Department
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    PostMortemCause,
    PostMortemFinding,
    RootCause,
)
from requests_sla.requests.models import Request
from requests_sla.sla.models import SlaTimer, TimerKind


@dataclass
class Period:
    start: dt.date
    end: dt.date  # exclusive

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    def bounds(self, tz) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=tz),
        )


def month_period(value: str | None = None, *, today: dt.date | None = None) -> Period:
    """``"2025-03"`` → March 2025; blank → the current month. A malformed
    month or one outside the supported dates raises ``ValidationError``
    (``collab.parsing.parse_month``): a 400 in the API, a message on the page."""
    if value in (None, ""):
        start = (today or timezone.localdate()).replace(day=1)
    else:
        start = parsing.parse_month(value)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start, end)


@dataclass
class DepartmentKpi:
    department: Department
    served: int = 0
    response_met: int = 0
    response_total: int = 0
    resolution_met: int = 0
    resolution_total: int = 0
    breaches: int = 0
    subjective: int = 0
    objective: int = 0
    objective_items: list = field(default_factory=list)

    @staticmethod
    def _pct(met: int, total: int) -> float | None:
        return round(100 * met / total, 1) if total else None

    @property
    def response_attainment(self) -> float | None:
        return self._pct(self.response_met, self.response_total)

    @property
    def resolution_attainment(self) -> float | None:
        return self._pct(self.resolution_met, self.resolution_total)


def kpi_department_ids(membership) -> list[int] | None:
    """The departments whose KPIs ``membership`` may see: None for all (ops
    managers, admins), else the own department (heads); PermissionDenied
    otherwise."""
    if membership.can("view_all_kpis"):
        return None
    if membership.can("view_own_kpis") and membership.department_id:
        return [membership.department_id]
    raise PermissionDenied


def department_kpis(
    period: Period, *, department_ids: list[int] | None = None, tz=None
) -> list[DepartmentKpi]:
    tz = tz or timezone.get_current_timezone()
    start, end = period.bounds(tz)
    departments = Department.objects.filter(is_business=False).order_by("sort_order", "code")
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    rows = {d.pk: DepartmentKpi(d) for d in departments}
    if not rows:
        return []
    in_period = Q(created_at__gte=start, created_at__lt=end, serving_department_id__in=list(rows))
    for dept_id, served in (
        Request.objects.filter(in_period)
        .values_list("serving_department_id")
        .annotate(n=Count("pk"))
    ):
        rows[dept_id].served = served
    timers = SlaTimer.objects.filter(
        superseded_at__isnull=True,
        request__created_at__gte=start,
        request__created_at__lt=end,
        request__serving_department_id__in=list(rows),
    )
    for dept_id, kind, met, breached in timers.values_list(
        "request__serving_department_id", "kind"
    ).annotate(
        met=Count("pk", filter=Q(met=True)), breached=Count("pk", filter=Q(state="breached"))
    ):
        row = rows[dept_id]
        row.breaches += breached
        if kind == TimerKind.RESPONSE:
            row.response_met += met
            row.response_total += met + breached
        elif kind == TimerKind.RESOLUTION:
            row.resolution_met += met
            row.resolution_total += met + breached
    items = AgendaItem.objects.filter(
        department_id__in=list(rows),
        classified_at__gte=start,
        classified_at__lt=end,
        root_cause__in=[RootCause.SUBJECTIVE, RootCause.OBJECTIVE],
    )
    for dept_id, cause, n in items.values_list("department_id", "root_cause").annotate(
        n=Count("pk")
    ):
        if cause == RootCause.SUBJECTIVE:
            rows[dept_id].subjective = n
        else:
            rows[dept_id].objective = n
    objective = list(
        items.filter(root_cause=RootCause.OBJECTIVE)
        .select_related("request", "meeting")
        .order_by("classified_at")
    )
    actions: dict[int, list[ActionItem]] = {}
    for action in (
        ActionItem.objects.filter(agenda_item__in=objective)
        .select_related("owner")
        .order_by("due_date")
    ):
        actions.setdefault(action.agenda_item_id, []).append(action)
    for item in objective:
        item.action_list = actions.get(item.pk, [])
        rows[item.department_id].objective_items.append(item)
    _count_postmortem_findings(rows, start, end)
    return list(rows.values())


def _count_postmortem_findings(rows: dict[int, DepartmentKpi], start, end) -> None:
    """Lost-deal post-mortem findings count like agenda items (three queries)."""
    findings = PostMortemFinding.objects.filter(
        department_id__in=list(rows),
        classified_at__gte=start,
        classified_at__lt=end,
        root_cause__in=[PostMortemCause.SUBJECTIVE, PostMortemCause.OBJECTIVE],
    )
    for dept_id, cause, n in findings.values_list("department_id", "root_cause").annotate(
        n=Count("pk")
    ):
        if cause == PostMortemCause.SUBJECTIVE:
            rows[dept_id].subjective += n
        else:
            rows[dept_id].objective += n
    objective = list(
        findings.filter(root_cause=PostMortemCause.OBJECTIVE)
        .select_related("postmortem")
        .prefetch_related("actions__owner")
        .order_by("classified_at")
    )
    for finding in objective:
        finding.action_list = sorted(finding.actions.all(), key=lambda a: (a.due_date, a.pk))
        rows[finding.department_id].objective_items.append(finding)
