import os
import uuid
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from campaigns import health
from tests.redis_server import TIMEOUT, RedisServer

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


def ensure_migrated_data():
    """Recreate what migrations put in a new database, if a flush took it away."""
    from django.apps import apps
    from wagtail.models import Collection, Locale, Page, Site

    from signatories.migrations import load_reference_data

    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if not Page.objects.exists():
        locale = Locale.get_default()
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
        home = root.add_child(instance=Page(title="Welcome", slug="home", locale=locale))
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    load_reference_data(apps)


@pytest.fixture(autouse=True)
def _migrated_data_in_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        TRANSACTIONAL_FIXTURES & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        ensure_migrated_data()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def clear_cache():
    """Empty the cache; on Redis only this test's keys (clear() would flush the database that
    other test processes share)."""
    from django.core.cache import caches
    from django_redis import get_redis_connection
    from django_redis.cache import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = get_redis_connection("default")
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request under /en/ leaves English active in
    the thread, and reverse() would then build the next test's URLs under /en/."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from campaigns.models.campaign import CampaignManager

    def clear():
        clear_cache()
        # Per-process memos: rows they hold may be rolled back with the test's transaction.
        CampaignManager.forget()

    clear()
    yield
    clear()


@pytest.fixture
def redis_cache(settings):
    """The default cache on the real Redis, configured as in production (django-redis, failing
    soft), at REDIS_TEST_URL (by default database 15 of 127.0.0.1:6379), under a key prefix of
    this test's own."""
    import uuid

    import redis

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"needs Redis at {url} (REDIS_TEST_URL)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            # Production's options; a timeout with room for a Redis shared by parallel tests.
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    from django.core.cache import cache

    yield cache
    clear_cache()


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    """Run the test with the test settings' local cache, then with the real Redis."""
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    from django.core.cache import cache

    return cache


@pytest.fixture
def run_tasks():
    """Run the real django-tasks-db worker until the queue is empty, as production would, after
    queueing the processing of submissions as the scheduler does every second.

    Tests run inside a transaction that never commits, so callbacks registered with
    transaction.on_commit are run first (as a commit would). The worker closes "old" connections
    between tasks; inside a test transaction that would close the test's own connection, so that
    housekeeping is skipped here."""
    from django.db import connection

    def run(queue="*"):
        from signatories.tasks import process_submissions

        process_submissions.enqueue()  # as the scheduler does every second
        while connection.run_on_commit:
            callbacks = list(connection.run_on_commit)
            connection.run_on_commit.clear()
            for _sids, callback, robust in callbacks:
                try:
                    callback()
                except Exception:
                    if not robust:  # as Django does: a robust callback's failure is only logged
                        raise
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


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def production_cache(redis_server):
    """The default cache on that Redis with production's options (see the cache settings)."""
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": TIMEOUT,
                "SOCKET_TIMEOUT": TIMEOUT,
            },
        }
    }
    health.forget()
    # Left before the suite's own cache clearing runs on teardown (on a Redis that is gone).
    with override_settings(CACHES=caches, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=True):
        from django.core.cache import cache

        yield cache
    health.forget()
