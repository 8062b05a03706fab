"""Enqueue the periodic tasks listed in settings.PERIODIC_TASKS at their intervals.

django-tasks has no scheduler of its own; this small loop only enqueues, the worker runs. Run one
scheduler per deployment (the tasks are idempotent, so an accidental second one does no harm).
A task still waiting for a worker is not queued again: a busy worker finds one, not a pile.
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def waiting(path):
    """Whether a run of the task is queued and not started (database task backend only)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=path).exists()


class Command(BaseCommand):
    help = "Enqueue periodic background tasks (counts, anonymisation, reconcile) on schedule."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every task once and exit.")

    def handle(self, *args, once=False, **options):
        schedule = [(path, int(interval)) for path, interval in settings.PERIODIC_TASKS]
        next_run = dict.fromkeys((path for path, _ in schedule), 0.0)
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            now = time.monotonic()
            for path, interval in schedule:
                if now >= next_run[path]:
                    try:
                        if not waiting(path):
                            import_string(path).enqueue()
                    except Exception:
                        logger.exception("Could not enqueue periodic task %s", path)
                    next_run[path] = now + interval
            if once:
                return
            time.sleep(1)
