"""Development: ``make run``. DEBUG on, outgoing mail written to ``var/mail/``.

Without ``DATABASE_URL`` the database is the embedded PostgreSQL server that
``make run`` starts under ``var/postgres`` (see ``collab/devdb.py``;
``python -m collab.devdb start`` starts it for a shell or a script).
"""

from collab import devdb

from .env import env

# The embedded server's app role; `make run` migrates as its owner role
# (DATABASE_OWNER_URL, which collab/devrun.py passes to migrate as DATABASE_URL).
if "DATABASE_URL" not in env.ENVIRON:
    env.ENVIRON["DATABASE_URL"] = devdb.url(user=devdb.APP)
    env.ENVIRON.setdefault("DATABASE_OWNER_URL", devdb.url(user=devdb.OWNER))
# Each page's membership lookup is an audited unscoped read: not on the console.
env.ENVIRON.setdefault("COLLAB_UNSCOPED_LOG_LEVEL", "WARNING")

from .base import *  # noqa: E402, F403
from .base import LOGGING, VAR_DIR  # noqa: E402

DEBUG = env.bool("DEBUG", default=True)
# One file per message, so the console shows the servers and not every email
# the demo's notifications send.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Django's own console handler (DEBUG only) would print every django.* line a
# second time beside the root handler. Naming "django" here resets its children,
# so runserver's request log gets its handler back.
LOGGING = {
    **LOGGING,
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        **LOGGING["handlers"],
        "server": {"class": "logging.StreamHandler", "formatter": "server"},
    },
    "loggers": {
        **LOGGING["loggers"],
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
