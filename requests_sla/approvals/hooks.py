"""The "flow decided" hook: a higher app whose object waits on a request's
approval chain (pricing's quote discount approval) registers a callback here
in its AppConfig.ready(); ``services.step_act`` calls every callback, in the
step's transaction, when a flow ends approved or rejected or is sent back."""

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
    *, flow: ApprovalFlow, request: Request, step: ApprovalStep, at: dt.datetime
) -> None:
    """Tell the registered callbacks that ``flow`` reached ``flow.state``."""
    for hook in _decided:
        hook(flow=flow, request=request, step=step, at=at)
