"""finance's Celery tasks, listed for autodiscovery."""

from finance.risk.tasks import risk_nightly

__all__ = ["risk_nightly"]
