"""Options every Celery task of the apps shares: retries with backoff below the broker's visibility timeout, acks_late and time limits."""

from __future__ import annotations

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,  # < visibility_timeout
    "retry_jitter": True,
    "max_retries": 5,
}


LIMITS = {"acks_late": True, "soft_time_limit": 240, "time_limit": 300}
