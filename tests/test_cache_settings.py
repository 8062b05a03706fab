import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRELUDE = (
    "import sys; sys.path.insert(0, 'site'); import django; django.setup(); "
    "from django.core.cache import cache; "
)


def test_without_redis_the_web_server_and_the_worker_share_one_cache(tmp_path):
    """What the worker caches (the counts it refreshes, the confirmation guard it clears) is what
    the web server reads: two processes, as `make run` starts them, with the default settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "FILE_CACHE_DIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)

    def in_a_process(code):
        return subprocess.run(
            [sys.executable, "-c", PRELUDE + code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    in_a_process("cache.set('counts', {'total': 44}); cache.add('guard', 1)")
    assert in_a_process("print(cache.get('counts')['total'], cache.add('guard', 2))") == "44 False"
