"""The dashboard's filters: the period, its previous one, the departments, type and priority, parsed from the URL (bad values are ignored, never a 500)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Q,
)
from django.http import Http404
from django.utils import timezone

from collab import parsing
from departments.models import Department, Membership
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.sla.models import TimerKind

PERIODS = ("week", "month", "quarter", "custom")


@dataclass(frozen=True)
class DashboardFilters:
    period: str
    start: dt.date  # inclusive
    end: dt.date  # inclusive
    serving: int | None = None
    requesting: int | None = None
    request_type: int | None = None
    priority: str = ""
    forced_serving: bool = False  # a department head's own department
    errors: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DashboardFilters:
        if self.period == "month":
            end = self.start - dt.timedelta(days=1)
            return replace(self, start=end.replace(day=1), end=end)
        if self.period == "quarter":
            end = self.start - dt.timedelta(days=1)
            return replace(self, start=dt.date(end.year, end.month - 2, 1), end=end)
        end = self.start - dt.timedelta(days=1)
        return replace(self, start=end - dt.timedelta(days=self.days - 1), end=end)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, the day after end 00:00) in the organization's timezone."""
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )

    def params(self, **extra: Any) -> dict[str, str]:
        """The query string that reproduces this view (plus ``extra``)."""
        params: dict[str, Any] = {"period": self.period}
        if self.period == "custom":
            params |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for key in ("serving", "requesting", "request_type", "priority"):
            value = getattr(self, key)
            if value and not (key == "serving" and self.forced_serving):
                params[key] = value
        params |= {k: v for k, v in extra.items() if v not in (None, "")}
        return {k: str(v) for k, v in params.items()}

    def query(self, **extra: Any) -> str:
        return urlencode(self.params(**extra))

    def outcome_q(self) -> Q:
        q = Q()
        if self.serving:
            q &= Q(serving_department_id=self.serving)
        if self.requesting:
            q &= Q(requesting_department_id=self.requesting)
        if self.request_type:
            q &= Q(request_type_id=self.request_type)
        if self.priority:
            q &= Q(priority=self.priority)
        return q

    # Request has the same column names.
    request_q = outcome_q

    def where_sql(self) -> tuple[str, list[Any]]:
        """``outcome_q`` for the raw reads below: `` AND column = %s`` per
        filter set, and its parameters."""
        columns = (
            ("serving_department_id", self.serving),
            ("requesting_department_id", self.requesting),
            ("request_type_id", self.request_type),
            ("priority", self.priority),
        )
        chosen = [(column, value) for column, value in columns if value]
        return "".join(f" AND {c} = %s" for c, _ in chosen), [v for _, v in chosen]


def dashboard_scope(membership: Membership) -> int | None:
    """None: the whole organization; a department id: a head's own
    department only. Anyone else may not see the dashboard."""
    if membership.can("view_dashboard"):
        return None
    if membership.department_id and membership.can("manage_queue"):
        return membership.department_id
    raise PermissionDenied


def _period_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if period == "week":
        start = today - dt.timedelta(days=today.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = dt.date(today.year, first_month, 1)
        nxt = dt.date(
            today.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1
        )
        return start, nxt - dt.timedelta(days=1)
    start = today.replace(day=1)
    nxt = dt.date(today.year + (today.month == 12), 1 if today.month == 12 else today.month + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def int_param(value: Any) -> int | None:
    """An id from the URL (ASCII digits, ``collab.parsing``), else None."""
    return parsing.optional_id(value)


def date_param(value: Any) -> dt.date | None:
    """A date from the URL within the supported range, else None."""
    return parsing.optional_date(value)


def parse_filters(
    params: Mapping[str, Any], membership: Membership, *, today: dt.date | None = None
) -> DashboardFilters:
    """Filters from a query string. Bad values fall back to the default and
    are reported in ``errors`` (never a 500); a department or type id that
    is not the organization's is a 404, as anywhere else. One query checks
    the ids when any is given."""
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    forced = dashboard_scope(membership)
    errors: list[str] = []
    period = params.get("period") or "month"
    if period not in PERIODS:
        errors.append(_("未知的时间范围，已显示本月。"))
        period = "month"
    start, end = _period_range("month" if period == "custom" else period, today)
    if period == "custom":
        try:
            custom_start = parsing.parse_date(params.get("start"))
            custom_end = parsing.parse_date(params.get("end"))
        except ValidationError as exc:
            custom_start = custom_end = None
            errors.append(_("%(error)s，已显示本月。") % {"error": exc.messages[0]})
        if custom_start is None or custom_end is None:
            period = "month"
        elif custom_end < custom_start:
            errors.append(_("结束日期不能早于开始日期，已显示本月。"))
            period = "month"
        elif (custom_end - custom_start).days > 3 * 366:
            errors.append(_("自定义范围最长三年，已显示本月。"))
            period = "month"
        else:
            start, end = custom_start, custom_end
    serving = forced or int_param(params.get("serving"))
    requesting = int_param(params.get("requesting"))
    request_type = int_param(params.get("request_type"))
    priority = params.get("priority") or ""
    if priority not in Priority.values:
        if priority:
            errors.append(_("未知的优先级，已忽略。"))
        priority = ""
    department_ids = {i for i in (serving, requesting) if i and i != forced}
    if department_ids and Department.objects.filter(pk__in=department_ids).count() != len(
        department_ids
    ):
        raise Http404
    if request_type and not RequestType.objects.filter(pk=request_type).exists():
        raise Http404
    return DashboardFilters(
        period=period,
        start=start,
        end=end,
        serving=serving,
        requesting=requesting,
        request_type=request_type,
        priority=priority,
        forced_serving=forced is not None,
        errors=tuple(errors),
    )


KINDS = (TimerKind.RESPONSE, TimerKind.RESOLUTION)
