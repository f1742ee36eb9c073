"""Options every Celery task of the apps shares: retries with backoff below the broker's visibility timeout, acks_late and time limits."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger("collab.tasks")

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,  # < visibility_timeout
    "retry_jitter": True,
    "max_retries": 5,
}


LIMITS = {"acks_late": True, "soft_time_limit": 240, "time_limit": 300}


# What a broker outage raises when a task is sent (Redis down, connection
# refused, timed out). A task's own errors are not among them.
def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import KombuError
    from redis.exceptions import RedisError

    return (KombuError, RedisError, OSError)


def enqueue(task, **kwargs) -> bool:
    """Send ``task`` now, without the publisher's retry loop; on a broker
    outage log it and return False instead of failing the caller's action.

    Use only for tasks backed by an outbox that a beat task sweeps (the
    deliveries): the rows stay pending and the sweep sends them once the
    broker is back, so nothing is lost."""
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except _broker_errors() as exc:
        logger.warning(
            "Could not enqueue %s(%s): %s: %s; the outbox sweep will retry it.",
            task.name,
            kwargs,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def enqueue_on_commit(task, **kwargs) -> None:
    """``enqueue`` once the current transaction commits."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))
