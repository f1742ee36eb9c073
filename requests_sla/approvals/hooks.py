"""The "flow decided" hook: a capability above the request engine reacts to a
chain's end without approvals importing it (finance books an approved
expense against its budget; pricing moves the quote waiting on the chain).

A higher app registers ``hook(*, flow, request, step, at)`` in its
``AppConfig.ready()``. Every hook runs inside the transaction that decides the
flow, whenever a flow ends approved (``step`` is the last approval, or None
when no step applied), rejected or sent back (``step`` is the step that did
it); each reads ``flow.state``. A hook that raises ``ServiceError`` refuses the
decision and nothing of it is written (a budget that cannot take the expense).
Registration is idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from requests_sla.approvals.models import ApprovalFlow, ApprovalStep
    from requests_sla.requests.models import Request

DecidedHook = Callable[..., None]
_decided: list[DecidedHook] = []


def decided_hook_register(hook: DecidedHook) -> None:
    if hook not in _decided:
        _decided.append(hook)


def flow_decided(
    *, flow: ApprovalFlow, request: Request, step: ApprovalStep | None, at: dt.datetime
) -> None:
    """Tell the registered hooks that ``flow`` reached ``flow.state``."""
    for hook in _decided:
        hook(flow=flow, request=request, step=step, at=at)
