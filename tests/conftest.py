from unittest import mock

import pytest
from django.core.management import call_command

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(items):
    # A transactional test ends with a flush, which would also wipe what migrations created (the
    # Wagtail site and root page, the départements). Serialized rollback puts it back.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction"):
            if not marker.kwargs.get("serialized_rollback"):
                kwargs = {**marker.kwargs, "serialized_rollback": True}
                item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
        elif (
            TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ()))
            and "django_db_serialized_rollback" not in item.fixturenames
        ):
            item.fixturenames.append("django_db_serialized_rollback")


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
    """Run the real django-tasks-db worker until the queue is empty, as production would.

    Tests run inside a transaction that never commits, so callbacks registered with
    transaction.on_commit are run first (as a commit would). The worker closes "old" connections
    between tasks; inside a test transaction that would close the test's own connection, so that
    housekeeping is skipped here."""
    from django.db import connection

    def run(queue="*"):
        while connection.run_on_commit:
            callbacks = list(connection.run_on_commit)
            connection.run_on_commit.clear()
            for _sids, callback, _robust in callbacks:
                callback()
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
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
