"""Writes of the working calendars (every change recomputes the open timers on them) and the organization's ladder settings."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from collab.parsing import parse_country
from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from requests_sla.sla.calendars import DEFAULT_WEEKLY, validate_weekly
from requests_sla.sla.models import (
    BusinessCalendar,
    CalendarException,
    EscalationPolicy,
    ExceptionKind,
)
from requests_sla.sla.services.timers import sla_recompute_open


def calendar_provision(*, organization: Organization) -> None:
    """Give a new organization its default working calendar (idempotent)."""
    with organization_scope(organization.id):
        if not BusinessCalendar.objects.filter(department__isnull=True).exists():
            BusinessCalendar.objects.create(
                organization=organization,
                name=_("默认工作日历"),
                timezone=organization.timezone,
                weekly=DEFAULT_WEEKLY,
                use_official_holidays=True,
                country=organization.country or "CN",
            )


def _require_calendar_admin(actor: Membership) -> None:
    """Calendars and the ladder settings are the organization admin's."""
    if not actor.can("manage_organization"):
        raise PermissionDenied(_("你无权执行此操作。"))


def _bump(calendar: BusinessCalendar, actor: Membership) -> BusinessCalendar:
    BusinessCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar.refresh_from_db()
    sla_recompute_open(actor.organization, calendar=calendar, actor=actor.user)
    return calendar


def calendar_update(
    *, calendar: BusinessCalendar, actor: Membership, **fields: Any
) -> BusinessCalendar:
    """Change the working week, timezone or holiday source; open timers on
    the calendar are recomputed."""
    _require_calendar_admin(actor)
    allowed = {"name", "timezone", "weekly", "use_official_holidays", "country"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(_("未知字段。"), field=sorted(unknown)[0])
    with organization_scope(actor.organization_id), transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        for key, value in fields.items():
            setattr(calendar, key, value)
        if "country" in fields:
            try:
                calendar.country = parse_country(calendar.country)
            except ValidationError as exc:
                raise ServiceError(exc.messages[0], field="country") from None
        try:
            zoneinfo.ZoneInfo(calendar.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ServiceError(_("未知时区。"), field="timezone") from None
        try:
            validate_weekly(calendar.weekly, calendar.timezone)
        except (ValueError, TypeError) as exc:
            raise ServiceError(
                _("每周工作时间无效：%(error)s") % {"error": exc}, field="weekly"
            ) from None
        history_note(calendar, user=actor.user)
        calendar.save()
        return _bump(calendar, actor)


def calendar_exception_add(
    *, calendar: BusinessCalendar, actor: Membership, date: dt.date, kind: str, name: str = ""
) -> CalendarException:
    _require_calendar_admin(actor)
    if kind not in ExceptionKind.values:
        raise ServiceError(_("类型无效。"), field="kind")
    with organization_scope(actor.organization_id), transaction.atomic():
        if calendar.organization_id != actor.organization_id:
            raise ServiceError(_("日历不存在。"), field="calendar")
        if CalendarException.objects.filter(calendar=calendar, date=date).exists():
            raise ServiceError(_("该日期已有例外设置。"), field="date")
        exception = CalendarException.objects.create(
            organization_id=actor.organization_id,
            calendar=calendar,
            date=date,
            kind=kind,
            name=name[:100],
        )
        _bump(calendar, actor)
        return exception


def calendar_exception_remove(*, exception: CalendarException, actor: Membership) -> None:
    _require_calendar_admin(actor)
    with organization_scope(actor.organization_id), transaction.atomic():
        calendar = exception.calendar
        exception.delete()
        _bump(calendar, actor)


def escalation_policy_for(organization_id: int) -> EscalationPolicy:
    """The organization's ladder settings, created with the defaults on first use."""
    with organization_scope(organization_id):
        policy, _created = EscalationPolicy.objects.get_or_create(organization_id=organization_id)
        return policy


POLICY_FIELDS = {
    "notify_at_risk",
    "meeting_window_days",
    "meeting_time",
    "meeting_duration_minutes",
    "follow_up_hours",
    "raise_priority",
    "email_off_hours",
}


def escalation_policy_update(*, actor: Membership, **fields: Any) -> EscalationPolicy:
    """Change the organization's ladder settings (organization admins)."""
    _require_calendar_admin(actor)
    unknown = set(fields) - POLICY_FIELDS
    if unknown:
        raise ServiceError(_("未知字段。"), field=sorted(unknown)[0])
    with organization_scope(actor.organization_id), transaction.atomic():
        policy = escalation_policy_for(actor.organization_id)
        for key, value in fields.items():
            setattr(policy, key, value)
        policy.full_clean(exclude=["organization"])
        policy.save()
        return policy
