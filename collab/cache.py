"""A Redis cache that degrades instead of failing (settings: ``CACHES``).

Every page reads the session through the cache (``cached_db`` sessions): with
Django's own ``RedisCache`` a Redis outage made every page a 500. Here a
Redis error is logged (at most once a minute) and answered as a cache miss:
reads return the default, writes are dropped, so the session falls back to
the database row that ``cached_db`` always writes, and pages keep working.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("collab.cache")

_LOG_EVERY_SECONDS = 60.0
_last_logged = [0.0]


def _errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def _degrade(default):
    """Run the cache operation; on a Redis error log it and return ``default``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _errors() as exc:
                now = time.monotonic()
                if now - _last_logged[0] >= _LOG_EVERY_SECONDS:
                    _last_logged[0] = now
                    logger.warning(
                        "Redis cache unavailable (%s: %s); serving without it "
                        "(sessions from the database).",
                        type(exc).__name__,
                        exc,
                    )
                return default(*args, **kwargs) if callable(default) else default

        return wrapper

    return decorate


def _default_of_get(key, default=None, *args, **kwargs):
    return default


def _incr_unavailable(key, delta=1, *args, **kwargs):
    # What incr says of a missing key: callers already handle it.
    raise ValueError(f"Key '{key}' not found (cache unavailable)")


class SafeRedisCache(RedisCache):
    get = _degrade(_default_of_get)(RedisCache.get)
    add = _degrade(False)(RedisCache.add)
    set = _degrade(None)(RedisCache.set)
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    get_many = _degrade(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    incr = _degrade(_incr_unavailable)(RedisCache.incr)
    set_many = _degrade(lambda keys, *a, **k: list(keys))(RedisCache.set_many)
    delete_many = _degrade(None)(RedisCache.delete_many)
    clear = _degrade(False)(RedisCache.clear)
