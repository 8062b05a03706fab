"""Redis is an accelerator, not a dependency: with the cache server stopped, public pages, the
admin and `migrate` go on (the admin says Redis is down), and the cache works again as soon as
Redis is back, without a restart. Each test runs a Redis of its own on a free port and stops it."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaigns import health
from tests.content.crawl import crawl
from tests.redis_server import TIMEOUT, free_port

ROOT = Path(__file__).resolve().parents[1]
WARNING_EN = "The cache server (Redis) cannot be reached."
WARNING_FR = "Le serveur de cache (Redis) est injoignable."

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server binary"
)


@pytest.fixture
def demo(db):
    """The demo site, as `manage.py load_demo_content` builds it (see tests/content/conftest.py)."""
    from django.core.management import call_command

    call_command("load_demo_content", verbosity=0)


@pytest.mark.django_db
def test_public_pages_answer_while_redis_is_down(client, demo, redis_server, production_cache):
    assert client.get("/fr/").status_code == 200  # with Redis: rendered and kept in the cache
    redis_server.stop()

    started = time.monotonic()
    answered = crawl(client, ["/fr/", "/en/", "/fr/lettre-ouverte/"], 40, queries=False)
    assert answered["/fr/"] == answered["/en/"] == answered["/fr/lettre-ouverte/"] == 200
    assert len(answered) >= 20
    assert not {path: status for path, status in answered.items() if status >= 400}
    # A refused connection costs no wait: no page waited for the socket timeout many times over.
    assert time.monotonic() - started < len(answered) * 1.0


@pytest.mark.django_db
def test_the_counts_come_from_the_database_while_redis_is_down(
    client, demo, redis_server, production_cache
):
    from campaigns.models import Campaign
    from signatories import counts
    from tests.factories import SignatureFactory

    campaign = Campaign.objects.get()
    SignatureFactory(campaign=campaign, confirmed=True)
    counts.refresh_campaign(campaign)  # the worker's refresh: a table, then the cache
    redis_server.stop()
    assert counts.get_counts(campaign)["total"] == 1
    assert counts.refresh_campaign(campaign)["total"] == 1  # the periodic refresh goes on too


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        username="admin", email="admin@example.org", password="not-used-123"
    )
    client.force_login(user)
    client.user = user
    return client


def dashboard(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_admin_says_when_redis_is_down(superuser_client, redis_server, production_cache):
    assert health.redis_status() == health.OK
    page = dashboard(superuser_client)
    assert WARNING_FR not in page and WARNING_EN not in page

    redis_server.stop()
    health.forget()  # else the answer is remembered for MEMO_SECONDS
    page = dashboard(superuser_client)
    assert WARNING_FR in page  # the admin speaks French by default
    assert 'id="redis-down"' in page

    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(superuser_client.user)
    profile.preferred_language = "en"
    profile.save()
    page = dashboard(superuser_client)
    assert WARNING_EN in page and "Check the Redis service." in page

    redis_server.start()
    health.forget()
    page = dashboard(superuser_client)
    assert WARNING_FR not in page and WARNING_EN not in page


@pytest.mark.django_db
def test_without_redis_configured_the_admin_says_nothing(superuser_client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert health.redis_status() == health.OFF
    assert WARNING_FR not in dashboard(superuser_client)


def test_the_status_is_remembered_for_a_few_seconds(redis_server, production_cache, monkeypatch):
    assert health.redis_status() == health.OK
    redis_server.stop()
    assert health.redis_status() == health.OK  # remembered: no ping on every dashboard render
    now = time.monotonic()
    monkeypatch.setattr(health.time, "monotonic", lambda: now + health.MEMO_SECONDS + 1)
    assert health.redis_status() == health.DOWN


def test_a_hung_redis_costs_at_most_the_socket_timeout(redis_server, production_cache):
    """A server that accepts connections but never answers (paused here) is given up on after
    REDIS_SOCKET_TIMEOUT, not after the kernel's minutes."""
    assert cache.set("k", 1, 30) and cache.get("k") == 1
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        assert cache.get("k") is None
        assert cache.set("k", 2, 30) is None
        assert health.redis_status() == health.DOWN
        assert time.monotonic() - started < 6 * TIMEOUT + 1
    finally:
        redis_server.process.send_signal(signal.SIGCONT)


def test_the_cache_works_again_when_redis_comes_back(redis_server, production_cache, caplog):
    assert cache.set("round-trip", {"total": 44}, 30)
    assert cache.get("round-trip") == {"total": 44}

    redis_server.stop()
    email = "camille.dupont@example.org"
    with caplog.at_level(logging.ERROR, logger="django_redis.cache"):
        assert cache.set(f"data-request:{email}", email, 30) is None
        assert cache.get(f"data-request:{email}") is None
        assert cache.get_many(["round-trip"]) == {}
        assert cache.add("guard", 1, 30) is None
        assert cache.incr("round-trip") is None
    # Each ignored failure is logged, and the log carries neither the key nor the value.
    records = [r for r in caplog.records if r.name == "django_redis.cache"]
    assert len(records) == 5
    logged = "\n".join(logging.Formatter().format(r) for r in records)
    assert "ConnectionError" in logged
    assert email not in logged and "data-request" not in logged

    redis_server.start()  # an empty Redis (no persistence), in the same process: no restart
    assert cache.set("round-trip", {"total": 45}, 30)
    assert cache.get("round-trip") == {"total": 45}
    health.forget()
    assert health.redis_status() == health.OK


def test_migrate_works_with_redis_down(tmp_path):
    """Production settings, REDIS_URL on a port where nothing listens: migrate runs through."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "test-" + uuid.uuid4().hex * 2,
        "IP_HASH_SALT": "test-salt",
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "LOG_LEVEL": "CRITICAL",  # each cache call that fails is logged; not the point here
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    result = manage("migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr[-3000:]
    result = manage("migrate", "--check", "-v0")
    assert result.returncode == 0, result.stderr[-3000:]
