"""Writes of the SLA side: timers (start, events, stop, the cached state), the
recompute after a calendar or policy change, the working calendars and the
organization's ladder settings (read and written by the escalation settings
page). Callers import this package; its modules are
``timers`` and ``calendars``."""

from requests_sla.sla.services.calendars import (
    calendar_exception_add,
    calendar_exception_remove,
    calendar_provision,
    calendar_update,
    escalation_policy_for,
    escalation_policy_update,
)
from requests_sla.sla.services.timers import (
    BREACH_STEP,
    STATE_RANK,
    TIMER_CACHE_FIELDS,
    engine_calendar,
    milestone_timer_start,
    next_check,
    next_due_check,
    request_refresh_sla,
    sla_recompute_open,
    sla_summary,
    timer_event_add,
    timer_is_running,
    timer_recompute,
    timers_insert,
    timers_plan,
    timers_start_for,
    timers_stop,
)

__all__ = [
    "BREACH_STEP",
    "STATE_RANK",
    "TIMER_CACHE_FIELDS",
    "calendar_exception_add",
    "calendar_exception_remove",
    "calendar_provision",
    "calendar_update",
    "engine_calendar",
    "escalation_policy_for",
    "escalation_policy_update",
    "milestone_timer_start",
    "next_check",
    "next_due_check",
    "request_refresh_sla",
    "sla_recompute_open",
    "sla_summary",
    "timer_event_add",
    "timer_is_running",
    "timer_recompute",
    "timers_insert",
    "timers_plan",
    "timers_start_for",
    "timers_stop",
]
