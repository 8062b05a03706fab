import smtplib
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from signatories import services
from signatories.models import Signature
from signatories.tasks import retry_delay

pytestmark = pytest.mark.django_db


class DownBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "mail server down")


def test_signing_works_when_the_mail_server_is_down_and_the_email_goes_later(
    client, campaign, sign_data, run_tasks, settings
):
    settings.EMAIL_BACKEND = "tests.signatories.test_emails.DownBackend"
    response = client.post(f"/fr/signer/{campaign.slug}/", sign_data())
    assert response.status_code == 303
    run_tasks()  # first attempt fails and is re-enqueued for later
    assert Signature.objects.count() == 1 and mail.outbox == []
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["args"][-1] == 2 and retry.run_after is not None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(
        run_after=timezone.now() - timezone.timedelta(seconds=1)
    )  # time passes
    run_tasks()
    assert len(mail.outbox) == 1


def test_gives_up_after_max_attempts(campaign, run_tasks, settings):
    settings.EMAIL_BACKEND = "tests.signatories.test_emails.DownBackend"
    settings.SIGNATURES_EMAIL_MAX_ATTEMPTS = 1
    services.sign(
        campaign,
        {"email": "a@example.org", "category": "individual", "first_name": "A", "last_name": "B"},
    )
    run_tasks()
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_backoff_grows_and_is_capped():
    assert [retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(30) == 3600


def test_email_in_the_signers_language(client, campaign, sign_data, run_tasks):
    client.post(f"/en/signer/{campaign.slug}/", sign_data())
    run_tasks()
    message = mail.outbox[0]
    assert message.subject.startswith("Confirm your signature")
    assert "/en/signature/confirmer/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_email_to_an_erased_signatory_is_dropped(campaign, run_tasks):
    result = services.sign(
        campaign,
        {"email": "a@example.org", "category": "individual", "first_name": "A", "last_name": "B"},
    )
    services.withdraw(result.signature, erase=True)
    run_tasks()
    assert mail.outbox == []


def _sign(campaign, n):
    return services.sign(
        campaign,
        {
            "email": f"person{n}@example.org",
            "category": "individual",
            "first_name": "A",
            "last_name": f"B{n}",
        },
    )


def _dispatch_runs():
    return DBTaskResult.objects.filter(task_path__endswith="send_pending_confirmations")


def test_a_burst_of_signatures_queues_one_dispatch_run(campaign, run_tasks):
    for n in range(5):
        _sign(campaign, n)
    assert Signature.objects.filter(confirmation_pending=True).count() == 5
    run_tasks()
    assert _dispatch_runs().count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.org" for n in range(5)]
    assert not Signature.objects.filter(confirmation_pending=True).exists()


def test_signatures_after_a_run_queue_the_next(campaign, run_tasks):
    _sign(campaign, 1)
    run_tasks()
    _sign(campaign, 2)
    run_tasks()
    assert _dispatch_runs().count() == 2
    assert [m.to[0] for m in mail.outbox] == ["person1@example.org", "person2@example.org"]


def test_periodic_run_catches_up_when_the_queued_run_was_lost(campaign, run_tasks):
    from django.core.cache import cache

    from signatories.tasks import send_pending_confirmations

    cache.set(services.DISPATCH_GUARD, 1, 60)  # a run looks queued, but it never comes
    _sign(campaign, 1)
    run_tasks()
    assert mail.outbox == [] and _dispatch_runs().count() == 0
    assert send_pending_confirmations.call() == 1  # what the scheduler runs every minute
    assert [m.to[0] for m in mail.outbox] == ["person1@example.org"]


@pytest.fixture
def delayed_dispatch(campaign, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Runs start 2 s after they are queued. Returns (guard checks made, sign_at(offset, n),
    the clock's start): sign_at signs person n `offset` seconds after the start and commits."""
    settings.SIGNATURES_DISPATCH_DELAY_SECONDS = 2
    checks = []
    take = services._take_dispatch_guard
    monkeypatch.setattr(
        services, "_take_dispatch_guard", lambda ms: checks.append(take(ms)) or checks[-1]
    )
    start = time.time()
    clock = [start]
    monkeypatch.setattr(services.time, "time", lambda: clock[0])

    def sign_at(offset, n):
        clock[0] = start + offset
        with django_capture_on_commit_callbacks(execute=True):
            _sign(campaign, n)

    return checks, sign_at, start


@pytest.mark.parametrize("any_cache", ["local", "redis"], indirect=True)
def test_a_delayed_run_covers_the_signatures_before_it_starts(
    campaign, run_tasks, delayed_dispatch, any_cache
):
    checks, sign_at, start = delayed_dispatch
    sign_at(0, 1)  # queues a run starting 2 s later
    starts_at_ms = int((start + 2) * 1000)
    assert checks == [(True, starts_at_ms)]
    run = _dispatch_runs().get()
    assert run.run_after > timezone.now() + timedelta(seconds=1)
    sign_at(1.5, 2)  # committed before the run starts: no cache call
    assert len(checks) == 1
    sign_at(1.9, 3)  # too close to the run's start: checks, and joins the queued run
    assert checks[1:] == [(False, starts_at_ms)] and _dispatch_runs().count() == 1

    run_tasks()  # the worker leaves the run until its time
    assert mail.outbox == []
    _dispatch_runs().update(run_after=timezone.now())
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.org" for n in (1, 2, 3)]
    sign_at(2.1, 4)  # the run has started and forgotten the guard: a new run is queued
    assert checks[-1][0] is True and _dispatch_runs().count() == 2


@pytest.mark.parametrize("any_cache", ["local", "redis"], indirect=True)
def test_a_late_run_is_checked_at_most_twice_a_second(
    campaign, run_tasks, delayed_dispatch, any_cache
):
    checks, sign_at, _start = delayed_dispatch
    sign_at(0, 1)  # queues a run starting 2 s later; the worker is behind and does not start it
    sign_at(3, 2)  # the run is late: checks, and finds it still queued
    sign_at(3.2, 3)
    sign_at(3.4, 4)  # checking again would not bring the run sooner
    assert len(checks) == 2 and checks[1][0] is False
    sign_at(3.6, 5)  # the window is over: checks again
    assert len(checks) == 3 and _dispatch_runs().count() == 1

    _dispatch_runs().update(run_after=timezone.now())
    run_tasks()  # the run comes at last and claims every committed signature
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.org" for n in range(1, 6)]
    sign_at(4.2, 6)  # the next check after the run queues a new one
    assert checks[-1][0] is True and _dispatch_runs().count() == 2


def test_known_signer_and_bots_do_not_wait_for_a_confirmation(campaign, run_tasks):
    from signatories.abuse import Verdict

    _sign(campaign, 1)
    run_tasks()
    again = _sign(campaign, 1)  # the same person: at most a reminder, through its own task
    assert not again.created
    bot = services.sign(
        campaign,
        {"email": "bot@example.org", "category": "individual", "first_name": "B", "last_name": "C"},
        verdict=Verdict(flags=["honeypot"], bot=True),
    )
    assert not Signature.objects.get(pk=bot.signature.pk).confirmation_pending
    run_tasks()
    assert "bot@example.org" not in [m.to[0] for m in mail.outbox]


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatch_runs_claim_different_signatures(campaign):
    """On PostgreSQL, two runs at once never take the same signature (SKIP LOCKED)."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    for n in range(120):
        _sign(campaign, n)
    claimed, barrier = [], threading.Barrier(3)

    def run():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            while ids := services.claim_pending_confirmations(limit=7):
                claimed.extend(ids)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == len(set(claimed)) == 120


def test_signing_answers_even_if_queueing_the_dispatch_fails(
    client, campaign, sign_data, run_tasks, monkeypatch
):
    from signatories.tasks import send_pending_confirmations

    def broken():
        raise ConnectionError("cache down")

    monkeypatch.setattr(services, "request_confirmation_dispatch", broken)
    response = client.post(f"/fr/signer/{campaign.slug}/", sign_data())
    assert response.status_code == 303
    run_tasks()
    assert mail.outbox == []
    assert send_pending_confirmations.call() == 1  # the periodic run catches up
    assert len(mail.outbox) == 1
