"""Development: ``make run``. DEBUG on, mail printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# SQLite (the embedded default) ignores covering-index INCLUDE columns; the
# indexes still work, only without the extra columns PostgreSQL would keep.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
