"""Writes of collaboration requests: file, the lifecycle actions, assignment,
comments, attachments and watchers.

Every service takes the acting ``Membership`` as ``actor`` (who, in which
role and department), runs in one transaction holding the request's row
lock, checks ``requests.permissions``, validates the status transition
(``requests.models.TRANSITIONS``), writes the request (simple-history records
the actor and the reason) and appends SLA events. ``at`` backdates an action
(demo data, imports); it defaults to now and may not lie in the future.
Callers import this package; its modules are ``filing``, ``lifecycle``,
``conversation`` and ``common``.
"""

from requests_sla.requests.services.common import (
    SchemaError,
    attachment_validate,
)
from requests_sla.requests.services.conversation import (
    attachment_add,
    comment_add,
    watcher_add,
    watcher_remove,
)
from requests_sla.requests.services.filing import request_file
from requests_sla.requests.services.lifecycle import (
    request_acknowledge,
    request_assign,
    request_cancel,
    request_close,
    request_milestone_complete,
    request_pause,
    request_reject,
    request_reopen,
    request_resolve,
    request_resume,
    request_start,
    request_transfer,
    requests_bulk_assign,
    requests_priority_raise,
)

__all__ = [
    "SchemaError",
    "attachment_add",
    "attachment_validate",
    "comment_add",
    "request_acknowledge",
    "request_assign",
    "request_cancel",
    "request_close",
    "request_file",
    "request_milestone_complete",
    "request_pause",
    "request_reject",
    "request_reopen",
    "request_resolve",
    "request_resume",
    "request_start",
    "request_transfer",
    "requests_bulk_assign",
    "requests_priority_raise",
    "watcher_add",
    "watcher_remove",
]
