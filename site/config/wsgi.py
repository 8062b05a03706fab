import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

# What start-up loaded (Django, Wagtail, the apps) lives as long as the process. Frozen, it stays
# out of the collector's full passes, which otherwise stall a worker (figures: bench/README.md).
gc.collect()
gc.freeze()
