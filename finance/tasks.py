"""finance's Celery tasks, listed for autodiscovery."""
