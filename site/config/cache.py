"""Django's Redis cache, keeping one redis-py client per connection pool.

Django builds a new ``redis.Redis`` for every cache call, and each one rebuilds its table of
response callbacks: about 0.1 ms per call, several times per signature. A client is thread-safe
and only wraps its pool, so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


_scripts = {}


def run_script(backend, source, keys, args):
    """Run the Lua script `source` on a Redis cache backend in one round trip, with `keys` given
    as cache keys (prefixed and versioned as the backend's own). None if the backend is not
    Redis: the caller then does the same with the portable cache API."""
    if not isinstance(backend, DjangoRedisCache):
        return None
    client = backend._cache.get_client(write=True)
    script = _scripts.get((id(client), source))
    if script is None:
        script = _scripts[id(client), source] = client.register_script(source)
    # make_key, not make_and_validate_key: validation only warns of memcached's key limits.
    keys = [backend.make_key(key) if key else "" for key in keys]
    return script(keys=keys, args=args, client=client)
