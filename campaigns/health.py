"""Is the cache server up? The admin dashboard asks, to warn staff when Redis is down.

Redis is an accelerator, not a dependency: while it is down the site works from the database
(django-redis answers every cache call as a miss, see the cache settings), only more slowly and
with counts that may lag. Staff should still know, so `redis_status()` pings it with the short
socket timeout of the cache settings and remembers the answer for a few seconds in this process:
the dashboard does not ping on every render, nor wait more than once on a server that is away.
"""

import time

from django.conf import settings

OK, DOWN, OFF = "ok", "down", "off"
MEMO_SECONDS = 10

_memo = {}  # cache LOCATION -> (status, monotonic time it was checked)


def _redis_cache():
    """The default cache if it is django-redis (REDIS_URL is set), else None."""
    from django.core.cache import caches
    from django_redis.cache import RedisCache

    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


def _ping():
    from django_redis import get_redis_connection
    from redis.exceptions import RedisError

    try:
        get_redis_connection("default").ping()
    except (RedisError, OSError):
        return DOWN
    return OK


def redis_status():
    """OK, DOWN, or OFF when no Redis is configured (the file cache then stands in)."""
    if _redis_cache() is None:
        return OFF
    location = str(settings.CACHES["default"].get("LOCATION", ""))
    now = time.monotonic()
    memo = _memo.get(location)
    if memo is not None and now - memo[1] < MEMO_SECONDS:
        return memo[0]
    status = _ping()
    _memo[location] = (status, time.monotonic())
    return status


def forget():
    """Drop the remembered answers (tests, or after a change of settings)."""
    _memo.clear()
