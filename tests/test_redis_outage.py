"""Redis down (issue 10): Redis is pointed at a closed port. Sessions and
pages keep working (the cache answers misses, sessions come from the
database), and sending a task after commit never fails the user's action:
the outbox rows stay pending for beat's sweep, and the failure is logged."""

from __future__ import annotations

import logging
import socket

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from collab import tenancy
from departments.roles import Role
from departments.tests.factories import member
from requests_sla.tests.factories import MONDAY_9AM


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


CLOSED = f"redis://127.0.0.1:{_closed_port()}/0"
SAFE = {"BACKEND": "collab.cache.SafeRedisCache", "LOCATION": CLOSED}
PLAIN = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED}


def test_the_configured_cache_is_the_one_that_degrades():
    assert settings.CACHES["default"]["BACKEND"] == "collab.cache.SafeRedisCache"
    assert settings.SESSION_ENGINE.endswith("cached_db")


def test_djangos_own_redis_cache_raises_when_redis_is_down():
    """The premise: without the wrapper every session read was a 500."""
    from redis.exceptions import ConnectionError

    with override_settings(CACHES={"default": PLAIN}), pytest.raises(ConnectionError):
        caches["default"].get("anything")


def test_the_safe_cache_answers_misses_and_logs_once(caplog):
    with override_settings(CACHES={"default": SAFE}), caplog.at_level(logging.WARNING):
        from collab import cache as cache_module

        cache_module._last_logged[0] = 0.0
        cache = caches["default"]
        assert cache.get("k", "fallback") == "fallback"
        cache.set("k", 1)
        assert cache.add("k", 1) is False and cache.get_many(["a", "b"]) == {}
        assert cache.delete("k") is False and cache.has_key("k") is False
        with pytest.raises(ValueError):
            cache.incr("k")
    assert sum("Redis cache unavailable" in r.message for r in caplog.records) == 1


@pytest.mark.django_db
def test_sign_in_and_pages_keep_working_with_redis_down(client, org, owner):
    owner.set_password("correct horse battery")
    owner.save()
    with override_settings(CACHES={"default": SAFE}):
        # The cache the pages use is really down: what is set is not there.
        caches["default"].set("outage-check", 1)
        assert caches["default"].get("outage-check", "miss") == "miss"
        response = client.post(
            reverse("login"), {"username": "owner", "password": "correct horse battery"}
        )
        assert response.status_code == 302
        for name in ("requests_sla:mine", "escalation:meetings", "dashboard:index"):
            page = client.get(reverse(name))
            assert page.status_code == 200, name
            assert page.wsgi_request.user == owner


@pytest.fixture
def broker_down():
    """The Celery app sending for real, to a Redis that is not there."""
    from collab.celery import app

    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")  # the app's namespace
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=CLOSED)
    assert not app.conf.task_always_eager and app.conf.broker_url == CLOSED
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.django_db
def test_notifying_succeeds_and_emails_wait_in_the_outbox_when_the_broker_is_down(
    org, broker_down, django_capture_on_commit_callbacks, caplog
):
    from django.db import transaction

    from requests_sla.notifications.models import NotificationDelivery, NotificationKind
    from requests_sla.notifications.outbox import organizations_with_due_deliveries
    from requests_sla.notifications.services import notifications_send

    head = member(org, role=Role.DEPT_HEAD, department_code="rnd", email="head@example.com")
    with (
        caplog.at_level(logging.WARNING, logger="collab.tasks"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        tenancy.organization_scope(org.id),
        transaction.atomic(),
    ):
        notifications_send(
            organization_id=org.id,
            recipient_ids=[head.pk],
            kind=NotificationKind.values[0],
            text="Redis 停了",
            link="/requests/",
            at=MONDAY_9AM,  # a working minute: the email goes at once
        )
    assert len(callbacks) == 1  # the send after commit ran, and did not raise
    assert any("outbox sweep will retry" in r.message for r in caplog.records)
    with tenancy.organization_scope(org.id):
        assert NotificationDelivery.objects.filter(state="pending").count() == 1
    assert org.id in organizations_with_due_deliveries()
