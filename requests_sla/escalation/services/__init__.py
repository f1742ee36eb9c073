"""The escalation sweep: due SLA timers → ladder steps, then their effects.

Callers import this package; its modules are ``sweep`` (the claim and the
steps, see its docstring for the exactly-once design), ``ladder`` (the
rules, pure), ``context`` (what a sweep reads once per organization) and
``effects`` (what a freshly taken rung does, through the meetings, requests
and notifications services).
"""

from requests_sla.escalation.services.ladder import (
    Escalation,
    SweepReport,
    follow_up_at,
    levels_due,
)
from requests_sla.escalation.services.sweep import (
    CHUNK_SIZE,
    DUE_FIRST_PAGE_SQL,
    DUE_NEXT_PAGE_SQL,
    PAGE_SIZE,
    due_page,
    sla_sweep,
)

__all__ = [
    "CHUNK_SIZE",
    "DUE_FIRST_PAGE_SQL",
    "DUE_NEXT_PAGE_SQL",
    "PAGE_SIZE",
    "Escalation",
    "SweepReport",
    "due_page",
    "follow_up_at",
    "levels_due",
    "sla_sweep",
]
