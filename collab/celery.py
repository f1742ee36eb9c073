import os
import warnings

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings.local")
if os.environ.get("COLLAB_DEVRUN"):
    # `make run` only (collab/devrun.py): a developer's machine or container
    # where one is root; in production the warning stands.
    warnings.filterwarnings("ignore", message="You're running the worker with superuser")

app = Celery("collab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
