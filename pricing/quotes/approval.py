"""Discount approval of a quote, on the existing approval chains.

A quote below a floor price, or whose rep discount is over the
organization's limit, is approved through a collaboration request of the
type ``fin_discount_approval`` served by Finance: the request engine files
it, the type's approval chain routes it (Finance's head; over 30% on to the
organization admin — editable in the chain settings), each step runs on an
SLA timer that the escalation sweep takes when late, and the requester is
notified of the decision. The quote waits in ``pending_approval`` until the
chain decides; ``quote_approval_decided`` (the approvals' "flow decided"
hook) moves it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from departments.models import Membership
from pricing.quotes.models import Quote, QuoteState
from requests_sla.approvals.defaults import discount_type_ensure
from requests_sla.approvals.models import FlowState
from requests_sla.catalog.models import RequestType
from requests_sla.requests.services import request_file

if TYPE_CHECKING:
    from requests_sla.approvals.models import ApprovalFlow, ApprovalStep
    from requests_sla.requests.models import Request


def discount_type(organization_id: int) -> RequestType:
    """The discount approval request type (``approvals.defaults``: created
    with its default chain when the organization has none yet)."""
    rtype = discount_type_ensure(organization_id)
    if rtype is None:
        raise ServiceError(_("企业还没有财务部，无法审批折扣。"))
    return rtype


def _reasons(quote: Quote, limit: object) -> str:
    parts = []
    if quote.below_floor:
        names = [
            li.name
            for li in quote.lines.all()
            if li.unit_price
            * (100 - li.discount_pct)
            / 100
            * (100 - quote.order_discount_pct)
            / 100
            < li.floor_price
        ]
        parts.append(_("低于底价：%(names)s") % {"names": "、".join(names) or "—"})
    if quote.rep_discount_pct > limit:  # type: ignore[operator]
        parts.append(
            _("让利 %(pct)s%% 超出销售权限 %(limit)s%%")
            % {"pct": quote.rep_discount_pct, "limit": limit}
        )
    return "；".join(parts)


def approval_file(quote: Quote, actor: Membership, at: dt.datetime, limit: object) -> Request:
    """File the discount approval request for ``quote`` (the chain starts on filing)."""
    rtype = discount_type(quote.organization_id)
    description = "\n".join(
        [
            _("报价单 %(ref)s，含税合计 %(total)s %(currency)s。")
            % {"ref": quote.reference, "total": quote.total, "currency": quote.currency},
            _reasons(quote, limit),
            _("报价单：/pricing/quotes/%(id)s/") % {"id": quote.pk},
        ]
    )
    return request_file(
        actor=actor,
        request_type=rtype,
        title=_("报价 %(ref)s 折扣审批（%(account)s）")
        % {"ref": quote.reference, "account": quote.opportunity.account.name},
        description=description,
        extra={
            "customer_name": quote.opportunity.account.name,
            "discount_pct": str(quote.rep_discount_pct),
            "quote_amount": str(quote.net_total),
        },
        opportunity_id=quote.opportunity_id,
        at=at,
    )


FLOW_TO_QUOTE = {
    FlowState.APPROVED: QuoteState.APPROVED,
    FlowState.REJECTED: QuoteState.REJECTED,
    FlowState.SENT_BACK: QuoteState.REJECTED,
}


def quote_approval_decided(
    *, flow: ApprovalFlow, request: Request, step: ApprovalStep | None, at: dt.datetime
) -> None:
    """The approvals' hook: a decided chain moves the quote waiting on it.
    A send-back is the approver's counter-proposal: the reason (e.g. the price
    they would approve) is kept on the quote, which the rep edits and resubmits."""
    state = FLOW_TO_QUOTE.get(flow.state)  # type: ignore[call-overload]
    if state is None:
        return
    quote = (
        Quote.objects.select_for_update()
        .filter(approval_request_id=request.pk, state=QuoteState.PENDING_APPROVAL)
        .first()
    )
    if quote is None:
        return
    quote.state = state
    quote.approval_note = step.reason if step else ""
    quote.lock_version += 1
    quote.updated_at = at
    history_note(quote, user=step.actor if step else None, date=at, reason=f"approval {flow.state}")
    quote.save()
