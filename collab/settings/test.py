"""Tests: PostgreSQL and Redis on localhost unless DATABASE_URL/REDIS_URL say otherwise."""

import os

from .env import env

# By default the suite runs as the app role (row-level security applies to
# it) on a test database created and migrated by the owner role (conftest.py's
# django_db_setup); .ci/run creates both roles. With only DATABASE_URL set, the
# suite runs as that role; the RLS tests still connect as the app role.
if "DATABASE_URL" not in env.ENVIRON:
    env.ENVIRON["DATABASE_URL"] = "postgres://collab_app@127.0.0.1:5432/collab"
    env.ENVIRON.setdefault("DATABASE_OWNER_URL", "postgres://collab_owner@127.0.0.1:5432/collab")
env.ENVIRON.setdefault("COLLAB_UNSCOPED_LOG_LEVEL", "WARNING")
env.ENVIRON.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each test run gets its own database, so two runs on one machine (several
# developers, or a developer beside CI) never drop each other's database.
# The owner's connection settings (creates, migrates and drops the test database).
COLLAB_DATABASE_OWNER = (
    env.db_url("DATABASE_OWNER_URL") if env.str("DATABASE_OWNER_URL", default="") else None
)

DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env.str("COLLAB_TEST_DB", default=f"test_collab_{os.getpid()}")
}
