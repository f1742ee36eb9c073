"""What every roadmap page shares: the service call that turns a refusal into
a form error (or a message) instead of a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages

from collab.errors import ServiceError, apply_service_error


def attempt(request, form, call: Callable[[], Any]) -> Any | None:
    """Run ``call``; a ServiceError lands on the form (or as a message) and gives None."""
    try:
        return call()
    except ServiceError as exc:
        if form is not None:
            apply_service_error(form, exc)
        else:
            messages.error(request, exc.message)
        return None
