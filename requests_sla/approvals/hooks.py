"""Where a capability above the request engine reacts to a chain's end
without approvals importing it: ``approved`` hooks run as
``hook(request=..., at=...)`` inside the transaction that completes a flow
(finance books an expense against its budget there; a hook that raises
``ServiceError`` refuses the approval and nothing of it is written).

Registration is idempotent; the higher app's ``AppConfig.ready()`` fills it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

_approved: list[Callable[..., Any]] = []


def approved_hook_register(hook: Callable[..., Any]) -> None:
    if hook not in _approved:
        _approved.append(hook)


def approved_run(*, request: Any, at: dt.datetime) -> None:
    for hook in _approved:
        hook(request=request, at=at)
