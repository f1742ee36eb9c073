"""Demo requests linked to customers and deals (runs after both demos).

A few of the demo rep's deals and key accounts get collaboration requests
filed and worked through requests_sla's services with backdated times, so
the opportunity page shows requests with real SLA outcomes (one late) and
the account page shows after-sales service records with a follow-up.
Then every other demo request whose title or customer field names a demo
account is linked to that account (and, for a pre-sales request, to the
account's open deal), so a request's page shows its customer and the account
page lists its requests. Idempotent: the plan is filed once (an organization
that already has linked requests is left alone) and only unlinked requests
are linked.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from pipeline.accounts.models import Account
from pipeline.demo.customers import CUSTOMER_SUCCESS, REPS
from pipeline.followups import services as followups_services
from pipeline.opportunities.models import Opportunity, RequestLink
from requests_sla.demo.requests import EXTRAS, SCRIPT_ACTIONS
from requests_sla.models import Request, RequestType
from requests_sla.requests import services as request_services

# type code, priority, title, link ("deal" / "account" + index), hours ago,
# [(hours after filing, action, arguments)], done by the serving head.
PLAN = {
    "demo": [
        (
            "rnd_tech_support",
            "normal",
            "接口参数确认",
            ("deal", 0),
            50,
            [(2, "start", {}), (20, "resolve", {"resolution": "已提供接口参数和示例"})],
        ),
        ("pm_pricing_quote", "high", "项目报价单", ("deal", 0), 30, []),
        (
            "cs_field_service",
            "normal",
            "扫码设备维修",
            ("account", 0),
            80,
            [(1, "start", {}), (20, "resolve", {"resolution": "已更换故障模块"})],
        ),
        (
            "cs_key_account_complaint",
            "high",
            "报表导出失败投诉",
            ("account", 0),
            40,
            [(0.5, "start", {}), (30, "resolve", {"resolution": "已修复导出模板"})],
        ),
        ("cs_field_service", "normal", "新系统安装调试", ("account", 1), 6, [(1, "start", {})]),
    ],
    "other": [
        ("rnd_tech_support", "normal", "Integration parameters", ("deal", 0), 20, []),
    ],
}
HEADS = {
    "demo": {"rnd": "head-rnd", "product": "head-pm", "customer_success": "head-cs"},
    "other": {"rnd": "other-head"},
}


# Request types worked for a deal being sold: linked to the account's open deal.
DEAL_TYPES = ("rnd_tech_support", "rnd_feasibility", "pm_pricing_quote")
# The shortest part of a Chinese account name that a title may use for it
# ("蓝海零售" for 蓝海零售连锁有限公司); a Latin name is named in full.
NAME_PART = 4


def load(*, organization: Organization, key: str) -> None:
    with organization_scope(organization.id):
        if not RequestLink.objects.exists():
            _file_plan(key)
        _link_named()


def _file_plan(key: str) -> None:
    members = {
        m.user.username: m
        for m in Membership.objects.filter(is_active=True).select_related(
            "user", "department", "organization"
        )
    }
    rep = members.get(REPS[key][0])
    if rep is None:
        return
    deals = list(
        Opportunity.objects.filter(
            owner=rep.user, stage__is_won=False, stage__is_lost=False
        ).order_by("expected_close_date", "id")[:2]
    )
    accounts = list(Account.objects.filter(owner=rep.user).order_by("-is_key_account", "name")[:2])
    types = {t.code: t for t in RequestType.objects.select_related("serving_department")}
    now = timezone.now()
    serviced = None
    for code, priority, title, (kind, index), age, script in PLAN[key]:
        targets = deals if kind == "deal" else accounts
        if code not in types or index >= len(targets):
            continue
        target = targets[index]
        account = target.account if kind == "deal" else target
        filed_at = now - dt.timedelta(hours=age)
        extra = dict(EXTRAS.get(code, {}))
        if "customer_name" in extra:
            extra["customer_name"] = account.name
        request = request_services.request_file(
            actor=rep,
            request_type=types[code],
            priority=priority,
            title=f"{title} · {target.name}",
            extra=extra,
            at=filed_at,
            **({"opportunity_id": target.pk} if kind == "deal" else {"account_id": target.pk}),
        )
        head = members.get(HEADS[key].get(request.serving_department.code, ""))
        for hours, action, arguments in script if head else ():
            service = getattr(request_services, SCRIPT_ACTIONS[action])
            service(
                request=request, actor=head, at=filed_at + dt.timedelta(hours=hours), **arguments
            )
        if code == "cs_field_service" and request.resolved_at and serviced is None:
            serviced = request
    success = members.get(CUSTOMER_SUCCESS[key])
    if serviced is not None and success is not None:
        followups_services.followup_create(
            actor=success.user,
            account=Account.objects.get(pk=serviced.link_ids.account_id),
            kind="call",
            scheduled_for=serviced.resolved_at + dt.timedelta(hours=4),
            request_id=serviced.pk,
            done_at=serviced.resolved_at + dt.timedelta(hours=4),
            csat=4,
            comment="维修及时，希望增加备件库存。",
        )


def _link_named() -> None:
    """Link each unlinked request naming a demo account to that account."""
    accounts = list(Account.objects.order_by("name"))
    deals: dict[int, int] = {}
    for account_id, deal_id in (
        Opportunity.objects.filter(stage__is_won=False, stage__is_lost=False)
        .order_by("-expected_close_date", "-id")
        .values_list("account_id", "id")
    ):
        deals[account_id] = deal_id  # the soonest to close wins
    linked = RequestLink.objects.values("request_id")
    requests = Request.objects.exclude(pk__in=linked).select_related("request_type")
    links = []
    for request in requests.order_by("id"):
        account = _named_account(request, accounts)
        if account is None:
            continue
        deal = deals.get(account.pk) if request.request_type.code in DEAL_TYPES else None
        links.append(
            RequestLink(
                organization_id=request.organization_id,
                request=request,
                account_id=account.pk,
                opportunity_id=deal,
            )
        )
    # The links are this app's rows: one insert for all, not one per request.
    RequestLink.objects.bulk_create(links, batch_size=1000)


def _named_account(request: Request, accounts: list[Account]) -> Account | None:
    """The account the title names (the longest match), else the one named
    by the customer field."""
    best, length = None, 0
    for account in accounts:
        shortest = len(account.name) if account.name.isascii() else NAME_PART
        size = len(account.name)
        while size >= shortest and account.name[:size] not in request.title:
            size -= 1
        if size >= shortest and size > length:
            best, length = account, size
    if best is not None:
        return best
    customer = str((request.extra or {}).get("customer_name", "")).strip()
    return next((a for a in accounts if customer and a.name == customer), None)
