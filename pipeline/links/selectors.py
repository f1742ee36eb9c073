"""Reads that join the customer side with collaboration requests.

The pipeline app sits above requests_sla (imports run pipeline → requests_sla),
so it may read requests; the links are pipeline's ``RequestLink`` rows, which
requests_sla reads only through its link registry (``request_link_ids``).
SLA outcomes are the engine's own timers (``SlaTimer``): no second clock here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from pipeline import permissions
from pipeline.accounts import selectors as accounts_selectors
from pipeline.accounts.models import Account
from pipeline.opportunities import selectors as opportunities_selectors
from pipeline.opportunities.models import Opportunity, RequestLink
from pipeline.permissions import CUSTOMER_SUCCESS
from requests_sla.catalog.links import LinkIds
from requests_sla.models import Request, TimerKind
from requests_sla.requests import selectors as request_selectors

LOOKUP_LIMIT = 6
LINKED_REQUESTS_LIMIT = 50
KIND_LABELS = {"account": _("客户"), "opportunity": _("商机")}


# --- the "customer / deal" field -------------------------------------------------------------


@dataclass(frozen=True)
class LinkTarget:
    kind: str  # "account" or "opportunity"
    id: int
    name: str
    account_name: str = ""
    stage: str = ""

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def _deal_target(o: Opportunity) -> LinkTarget:
    return LinkTarget("opportunity", o.pk, o.name, o.account.name, o.stage.name)


def _account_target(a: Account) -> LinkTarget:
    return LinkTarget("account", a.pk, a.name)


def link_lookup(membership, q: str) -> tuple[list[LinkTarget], list[LinkTarget]]:
    """Open deals and accounts ``membership`` may see whose name (or, for a
    deal, whose customer's name) contains ``q``; with no ``q``, the caller's
    own open deals and accounts as suggestions. Two queries."""
    q = (q or "").strip()[:100]
    deals = opportunities_selectors.open_deals_matching(membership, q)
    accounts = accounts_selectors.accounts_visible_to(membership)
    if q:
        accounts = accounts.filter(name__icontains=q)
    else:
        accounts = accounts.filter(owner_id=membership.user_id)
    return (
        [_deal_target(o) for o in deals[:LOOKUP_LIMIT]],
        [_account_target(a) for a in accounts.order_by("name", "id")[:LOOKUP_LIMIT]],
    )


def link_target(membership, kind: str, pk: int) -> LinkTarget | None:
    """One account or deal ``membership`` may see, as the picker shows it."""
    if kind == "opportunity":
        deal = opportunities_selectors.opportunities_visible_to(membership).filter(pk=pk).first()
        return _deal_target(deal) if deal else None
    if kind == "account":
        account = accounts_selectors.accounts_visible_to(membership).filter(pk=pk).first()
        return _account_target(account) if account else None
    return None


# --- a request's page ------------------------------------------------------------------------


def request_link_ids(requests) -> dict[int, LinkIds]:
    """requests_sla's link reader: the customer and deal ids of the given
    requests that have a link, one query."""
    rows = RequestLink.objects.filter(request__in=[r.pk for r in requests]).values_list(
        "request_id", "account_id", "opportunity_id"
    )
    return {pk: LinkIds(account, deal) for pk, account, deal in rows}


@dataclass(frozen=True)
class RequestLinks:
    account: Account | None
    opportunity: Opportunity | None
    account_visible: bool
    opportunity_visible: bool


def request_links(membership, request: Request) -> RequestLinks:
    """The customer and deal a request is linked to. Whoever sees the request
    sees their names; the link to the pipeline page only when they may open it."""
    link = (
        RequestLink.objects.select_related("account", "opportunity__stage")
        .filter(request_id=request.pk)
        .first()
    )
    account = link.account if link else None
    opportunity = link.opportunity if link else None
    sees_all = permissions.sees_all_customers(membership)
    return RequestLinks(
        account=account,
        opportunity=opportunity,
        account_visible=bool(account and (sees_all or account.owner_id == membership.user_id)),
        opportunity_visible=bool(
            opportunity and (sees_all or opportunity.owner_id == membership.user_id)
        ),
    )


# --- an opportunity's and an account's page ---------------------------------------------------


def _with_outcomes(requests, membership) -> list[Request]:
    """Attach the response and resolution timers (the engine's) and whether
    the viewer may open the request."""
    rows = list(requests)
    visible = set(
        request_selectors.requests_visible_to(membership)
        .filter(pk__in=[r.pk for r in rows])
        .values_list("pk", flat=True)
    )
    for r in rows:
        timers = r.current_timers
        r.response_timer = next((t for t in timers if t.kind == TimerKind.RESPONSE), None)
        r.resolution_timer = next((t for t in timers if t.kind == TimerKind.RESOLUTION), None)
        r.viewer_may_open = r.pk in visible
    return rows


def _linked(links, **filters):
    return (
        Request.objects.filter(pk__in=links.values("request_id"), **filters)
        .select_related("serving_department", "request_type", "requester", "assignee")
        .prefetch_related(request_selectors.current_timers_prefetch())
        .order_by("-created_at", "-id")[:LINKED_REQUESTS_LIMIT]
    )


def opportunity_requests(membership, opportunity: Opportunity) -> list[Request]:
    """The collaboration requests filed for a deal, newest first, with their
    SLA outcomes. Three queries whatever the number of requests."""
    return _with_outcomes(_linked(RequestLink.objects.filter(opportunity=opportunity)), membership)


def account_service_records(membership, account: Account, follow_ups) -> list[Request]:
    """After-sales service records of an account: requests served by Customer
    Success and linked to it (installation, commissioning, repair, key-account
    complaints), newest first, with their SLA outcomes and the account's
    ``follow_ups`` (already read by the page) that answer each."""
    rows = _with_outcomes(
        _linked(
            RequestLink.objects.filter(account=account),
            serving_department__code=CUSTOMER_SUCCESS,
        ),
        membership,
    )
    by_request: dict[int, list] = {}
    for f in follow_ups:
        if f.request_id:
            by_request.setdefault(f.request_id, []).append(f)
    for r in rows:
        r.follow_ups = by_request.get(r.pk, [])
    return rows
