import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wsgi_application_keeps_start_up_objects_out_of_full_collections():
    """A fresh process, as a worker starts: loading the WSGI application freezes what start-up
    loaded, so the collector's full passes only walk what requests leave behind."""
    script = (  # from the project's root with site/ on the path, as gunicorn --pythonpath site
        "import gc, sys; sys.path.insert(0, 'site'); import config.wsgi; "
        "print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, oldest = map(int, result.stdout.split()[-2:])
    assert frozen > 50_000
    assert oldest < frozen / 100
