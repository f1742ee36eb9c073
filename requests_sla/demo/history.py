"""Four months of backdated demo history, so the SLA dashboard has a story.

Every request is filed and worked through the services with ``at=`` times
(the same path the UI takes), so event logs, cached timer fields and the
dashboard's ``SlaOutcome`` rows agree. The story: Finance and Customer
Success answer fast; R&D is swamped (resolution late in a third of the
cases, getting better in the last weeks); Marketing answers slowly. A few
requests wait on the requester (paused), a few are reopened, a few are
cancelled; the most recent ones are still open, some already breached.

Deterministic (seeded) and idempotent: an organization that already has
requests older than three weeks is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from requests_sla.catalog.models import RequestType
from requests_sla.demo.requests import EXTRAS, WORKERS
from requests_sla.requests import services as request_services
from requests_sla.requests.models import Request
from requests_sla.sla.models import TimerKind

DAYS = 120
PER_WEEK = 9
# serving department → (probability a response is late, probability a resolution is late)
LATENESS = {
    "rnd": (0.15, 0.35),
    "marketing": (0.3, 0.25),
    "customer_success": (0.05, 0.1),
    "sales_ops": (0.1, 0.15),
    "product": (0.1, 0.2),
    "finance": (0.03, 0.05),
    "hr": (0.1, 0.15),
}
# Who files, with which weight: mostly the business department's reps.
FILERS = (("rep", 5), ("rep2", 5), ("head-cs", 1), ("head-mkt", 1), ("head-ops", 1))
TITLES = {
    "zh": ("客户咨询：{c}", "{c} 项目支持", "{c} 的需求跟进", "关于 {c} 的问题", "{c} 报价与方案"),
    "en": (
        "Customer question: {c}",
        "Support for {c}",
        "Follow-up for {c}",
        "Issue at {c}",
        "{c}: quote and proposal",
    ),
}
# Parts of the demo accounts' names (pipeline.demo.customers.ACCOUNTS), so a
# title's customer is one the customer search finds.
CUSTOMERS = {
    "zh": (
        "华东电力集团",
        "星河集团",
        "蓝海零售",
        "顺达物流",
        "招远城市商业银行",
        "东方汽车零部件",
        "仁和医疗",
        "启明教育",
    ),
    "en": ("Northwind Traders", "Contoso Manufacturing", "Fabrikam Health", "Tailspin Logistics"),
}


def load(*, organization: Organization, key: str) -> None:
    if key != "demo":
        return
    now = timezone.now()
    with organization_scope(organization.id):
        if Request.objects.filter(created_at__lt=now - dt.timedelta(days=21)).exists():
            return
        members = {
            m.user.username: m
            for m in Membership.objects.filter(is_active=True).select_related(
                "user", "department", "organization"
            )
        }
        types = [
            t
            for t in RequestType.objects.filter(is_active=True).select_related("serving_department")
        ]
        types = [t for t in types if t.serving_department.code in WORKERS["demo"]]
        if not types or "rep" not in members:
            return
        rng = random.Random(20250301)  # noqa: S311 (demo data, not security)
        language = "en" if organization.default_language == "en" else "zh"
        start = now - dt.timedelta(days=DAYS)
        count = DAYS * PER_WEEK // 7
        instants = sorted(
            _working_instant(rng, start, now - dt.timedelta(hours=2)) for _ in range(count)
        )
        for filed_at in instants:
            request_type = rng.choice(types)
            filer = _weighted(rng, FILERS)
            actor = members.get(filer) or members["rep"]
            if actor.department_id == request_type.serving_department_id:
                actor = members["rep"]
            priority = rng.choice(request_type.priorities or [request_type.default_priority])
            customer = rng.choice(CUSTOMERS[language])
            title = rng.choice(TITLES[language]).format(c=customer)
            request = request_services.request_file(
                actor=actor,
                request_type=request_type,
                priority=priority,
                title=title,
                extra=_extra(request_type, organization),
                at=filed_at,
            )
            _work(rng, request, actor, members, filed_at, now)


def _weighted(rng: random.Random, options) -> str:
    total = sum(w for _, w in options)
    pick = rng.uniform(0, total)
    for value, weight in options:
        pick -= weight
        if pick <= 0:
            return value
    return options[-1][0]


def _working_instant(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A random instant on a weekday between 09:00 and 17:30 local time."""
    tz = timezone.get_current_timezone()
    while True:
        at = start + (end - start) * rng.random()
        local = at.astimezone(tz)
        if local.weekday() < 5 and 9 <= local.hour < 17:
            return at


def _extra(request_type: RequestType, organization: Organization) -> dict:
    extra = dict(EXTRAS.get(request_type.code, {}))
    if organization.default_language == "en" and "customer_name" in extra:
        extra["customer_name"] = "Northwind Traders"
    return extra


def _due(request: Request, kind: str) -> dt.datetime | None:
    """Due time of a freshly filed request's timer (``request_file`` hands
    them back as ``current_timers``: no query)."""
    timer = next((t for t in request.current_timers if t.kind == kind), None)
    return timer.due_at if timer else None


def _when(
    rng: random.Random, filed_at: dt.datetime, due: dt.datetime | None, late: bool
) -> dt.datetime:
    if due is None:
        return filed_at + dt.timedelta(hours=rng.uniform(1, 8))
    span = max(due - filed_at, dt.timedelta(minutes=30))
    if late:
        return due + span * rng.uniform(0.1, 1.2) + dt.timedelta(minutes=5)
    return filed_at + span * rng.uniform(0.1, 0.85)


def _wait_on_requester(
    rng, request: Request, worker, requester, acted, resolve_at, now
) -> tuple[dt.datetime, dt.datetime] | None:
    """Pause for details, the requester answers: (the later resolve time,
    the answer's time), or None when now comes first."""
    pause_at = acted + (resolve_at - acted) * 0.3
    answer_at = pause_at + dt.timedelta(hours=rng.uniform(4, 60))
    if pause_at >= now:
        return None
    request_services.request_pause(
        request=request, actor=worker, reason="请补充客户信息 / please add details", at=pause_at
    )
    if answer_at >= now:
        return None
    request_services.comment_add(
        request=request, actor=requester, body="已补充 / details added", at=answer_at
    )
    return resolve_at + (answer_at - pause_at), answer_at


def _reopen_and_resolve(
    rng, request: Request, worker, requester, resolve_at, now
) -> dt.datetime | None:
    """The requester reopens, the worker resolves again: when, or None when
    now comes first."""
    reopen_at = resolve_at + dt.timedelta(hours=rng.uniform(2, 30))
    if reopen_at >= now:
        return None
    request_services.request_reopen(
        request=request, actor=requester, reason="问题仍未解决 / still broken", at=reopen_at
    )
    again = reopen_at + dt.timedelta(hours=rng.uniform(2, 40))
    if again >= now:
        return None
    request_services.request_resolve(
        request=request, actor=worker, resolution="已再次处理 / fixed again", at=again
    )
    return again


def _work(rng, request: Request, requester: Membership, members, filed_at, now) -> None:
    department = request.serving_department.code
    head_name, worker_name = WORKERS["demo"][department]
    worker, head = members.get(worker_name), members.get(head_name)
    if worker is None:
        return
    late_response, late_resolution = LATENESS.get(department, (0.1, 0.15))
    age_days = (now - filed_at).days
    if department == "rnd" and age_days < 28:
        late_resolution /= 2  # R&D's new on-call rota starts to show
    acted = filed_at
    ack_at = _when(rng, filed_at, _due(request, TimerKind.RESPONSE), rng.random() < late_response)
    if ack_at >= now:
        return  # still waiting for a first answer
    if rng.random() < 0.03:
        request_services.request_cancel(
            request=request, actor=requester, reason="需求已取消 / no longer needed", at=ack_at
        )
        return
    request_services.request_start(request=request, actor=worker, at=ack_at)
    acted = ack_at
    resolve_at = _when(
        rng, filed_at, _due(request, TimerKind.RESOLUTION), rng.random() < late_resolution
    )
    if rng.random() < 0.12:
        # Waits on the requester for a while; the clock pauses meanwhile.
        waited = _wait_on_requester(rng, request, worker, requester, acted, resolve_at, now)
        if waited is None:
            return
        resolve_at, acted = waited
    if resolve_at >= now or resolve_at <= acted:
        return
    request_services.request_resolve(
        request=request, actor=worker, resolution="已处理 / done", at=resolve_at
    )
    if rng.random() < 0.06 and head is not None:
        again = _reopen_and_resolve(rng, request, worker, requester, resolve_at, now)
        if again is None:
            return
        resolve_at = again
    close_at = resolve_at + dt.timedelta(hours=rng.uniform(1, 48))
    if close_at < now:
        request_services.request_close(request=request, actor=requester, at=close_at)
