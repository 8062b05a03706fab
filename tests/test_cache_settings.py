import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRELUDE = (
    "import sys; sys.path.insert(0, 'site'); import django; django.setup(); "
    "from django.core.cache import cache; "
)


def in_a_process(code, **environ):
    """Run `code` after django.setup() with the dev settings and `environ`; its output."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **environ}
    for name in ("REDIS_URL", "REDIS_SOCKET_TIMEOUT"):
        if name not in environ:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_without_redis_the_web_server_and_the_worker_share_one_cache(tmp_path):
    """What the worker caches (the counts it refreshes, the confirmation guard it clears) is what
    the web server reads: two processes, as `make run` starts them, with the default settings."""
    folder = {"FILE_CACHE_DIR": str(tmp_path)}
    in_a_process("cache.set('counts', {'total': 44}); cache.add('guard', 1)", **folder)
    seen = in_a_process("print(cache.get('counts')['total'], cache.add('guard', 2))", **folder)
    assert seen == "44 False"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on leaving: nothing listens there


def test_with_redis_the_cache_is_django_redis_failing_soft():
    """REDIS_URL selects django-redis with short timeouts, failures ignored and logged: a Redis
    that is down makes a cache call a miss, not an error."""
    code = (
        "import json; from django.conf import settings; c = settings.CACHES['default']; "
        "print(json.dumps([c['BACKEND'], c['OPTIONS'], settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS,"
        " cache.set('k', 1, 30), cache.get('k', 'miss')]))"
    )
    url = f"redis://127.0.0.1:{closed_port()}/0"
    backend, options, logged, stored, found = json.loads(
        in_a_process(code, REDIS_URL=url, LOG_LEVEL="CRITICAL")
    )
    assert backend == "django_redis.cache.RedisCache"
    assert options == {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 0.25,
        "SOCKET_TIMEOUT": 0.25,
    }
    assert logged is True
    assert (stored, found) == (None, "miss")
    _backend, options, *_rest = json.loads(
        in_a_process(code, REDIS_URL=url, REDIS_SOCKET_TIMEOUT="1.5", LOG_LEVEL="CRITICAL")
    )
    assert options["SOCKET_CONNECT_TIMEOUT"] == options["SOCKET_TIMEOUT"] == 1.5
