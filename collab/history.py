"""What django-simple-history writes on an instance's next history row.

simple-history reads the author, the time and the reason of a change from
attributes it looks for on the instance being saved; this is the one place
that sets them, so services stay typed.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Model


def history_note(
    instance: Model,
    *,
    user: object,
    date: datetime | None = None,
    reason: str | None = None,
) -> None:
    """Sign ``instance``'s next history row with ``user`` (and ``date``, ``reason``)."""
    setattr(instance, "_history_user", user)  # noqa: B010
    if date is not None:
        setattr(instance, "_history_date", date)  # noqa: B010
    if reason is not None:
        setattr(instance, "_change_reason", reason)  # noqa: B010
