"""pricing's Celery tasks, for autodiscovery."""

from pricing.quotes.tasks import quotes_expire_task

__all__ = ["quotes_expire_task"]
