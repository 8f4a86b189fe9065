"""The cache backend: Django's Redis cache that degrades instead of failing when Redis is away.

Everything the cache holds can be rebuilt (kept pages, counts, rate-limit slots, once-a-minute marks), so a
Redis outage must cost speed, not pages: a read finds nothing, a write is dropped, and `add` says "added"
(so a rate limit or a once-a-minute mark lets the action through rather than refusing every member). Jobs
that need Redis itself (the award log, the broker) have their own fallback in PostgreSQL (community.jobs).
"""

import logging
import time

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)
# Away, or full: a Redis at its memory limit refuses writes (OOM); a page must not fail for it.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.exceptions.OutOfMemoryError, OSError)
_LOG_EVERY = 10.0  # seconds: one warning per process while the outage lasts, not one per call
_last_logged = {"at": 0.0}


def _log(operation: str, error: Exception) -> None:
    now = time.monotonic()
    if now - _last_logged["at"] >= _LOG_EVERY:
        _last_logged["at"] = now
        logger.warning("cache_unavailable", extra={"operation": operation, "error": str(error)})


def _degrading(operation: str, fallback):
    def call(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), operation)(*args, **kwargs)
        except UNAVAILABLE as error:
            _log(operation, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback
    call.__name__ = operation
    return call


def _default_of_get(key, default=None, *args, **kwargs):
    return default


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per connection pool instead of making one per call.

    Making a `redis.Redis` builds its table of ~170 response callbacks: about 0.25 ms per cache call, four
    calls on every signed-in page. A `redis.Redis` is safe to share between threads (connections come from
    the pool per command), so one per pool is enough.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    get = _degrading("get", _default_of_get)
    get_many = _degrading("get_many", lambda *args, **kwargs: {})
    has_key = _degrading("has_key", False)
    set = _degrading("set", None)
    set_many = _degrading("set_many", lambda *args, **kwargs: [])
    add = _degrading("add", True)
    touch = _degrading("touch", False)
    delete = _degrading("delete", False)
    delete_many = _degrading("delete_many", None)
    incr = _degrading("incr", 0)
    decr = _degrading("decr", 0)
    clear = _degrading("clear", None)
