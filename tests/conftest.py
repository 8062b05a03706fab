import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def run_tasks():
    """Run the real django-tasks-db worker until the queue is empty, as production would."""

    def run(queue="*"):
        call_command(
            "db_worker",
            "--batch",
            "--queue-name",
            queue,
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
        )

    return run
