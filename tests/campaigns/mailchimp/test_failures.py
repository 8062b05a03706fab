"""Outages, refusals and limits, against the fake."""

import threading
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from campaigns.mailchimp import client as mc
from campaigns.mailchimp import services, sync
from campaigns.mailchimp.models import OutboxEntry, member_hash
from campaigns.mailchimp.tasks import drain_outbox
from signatories import confirmation, lifecycle
from signatories.models import Signature
from tests.signatories.submitting import submit

from .conftest import sign_and_confirm

State = OutboxEntry.State


def come_back_later():
    """Move time forward instead of waiting: every retry is due now, and the periodic sweep
    (run_scheduler) has enqueued the drain."""
    OutboxEntry.objects.filter(state=State.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    drain_outbox.enqueue()


@pytest.mark.parametrize("mode", ["5xx", "reset", "empty", "html"])
def test_outage_during_a_stream_of_signatures_loses_nothing(
    fake_mailchimp, connection, on_commit, run_tasks, mode
):
    fake_mailchimp.outage = mode
    signatures = []
    for _ in range(3):  # a stream: signatures arrive while Mailchimp is down
        for _ in range(4):
            with on_commit():
                signatures.append(sign_and_confirm(connection.campaign))
        run_tasks()
        come_back_later()
    assert fake_mailchimp.members_count("aud1") == 0
    entries = OutboxEntry.objects.all()
    assert entries.count() == 12
    assert all(e.state == State.PENDING and e.attempts >= 1 for e in entries)
    first = entries.order_by("pk").first()
    assert first.next_attempt_at > timezone.now() or first.attempts >= 1
    assert first.last_error  # what went wrong is kept for staff

    # Mailchimp is back a few minutes later; the retries are due.
    fake_mailchimp.outage = None
    fake_mailchimp.reset_log()
    come_back_later()
    run_tasks()
    for signature in signatures:
        h = member_hash(signature.signatory.email)
        assert fake_mailchimp.member("aud1", h)["status"] == "subscribed"
        # Exactly once after recovery: one member upsert, one tags call.
        assert len(fake_mailchimp.requests("PUT", rf"/members/{h}$")) == 1
        assert len(fake_mailchimp.requests("POST", rf"/members/{h}/tags$")) == 1
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {State.SYNCED}
    # And nothing more on the next sweep.
    fake_mailchimp.reset_log()
    services.queue_all_supporters(connection)
    run_tasks()
    assert fake_mailchimp.api_calls() == []


def test_retries_back_off_with_jitter_then_give_up(
    fake_mailchimp, connection, on_commit, run_tasks, settings
):
    settings.MAILCHIMP_MAX_ATTEMPTS = 3
    fake_mailchimp.outage = "5xx"
    with on_commit():
        sign_and_confirm(connection.campaign)
    delays = []
    for _ in range(3):
        come_back_later()
        before = timezone.now()
        sync.drain()
        entry = OutboxEntry.objects.get()
        delays.append((entry.next_attempt_at - before).total_seconds())
    assert entry.state == State.DEAD and entry.attempts == 3
    assert "503" in entry.last_error
    base = settings.MAILCHIMP_RETRY_BASE
    assert base * 0.5 <= delays[0] <= base * 1.5
    assert base * 2 * 0.5 <= delays[1] <= base * 2 * 1.5


def test_unsubscribed_member_is_never_resubscribed(
    fake_mailchimp, connection, on_commit, run_tasks
):
    with on_commit():
        signature = sign_and_confirm(connection.campaign)
    run_tasks()
    email = signature.signatory.email
    fake_mailchimp.set_status("aud1", email, "unsubscribed")

    # Their details change: the PUT never carries a status, so Mailchimp keeps them unsubscribed.
    fake_mailchimp.reset_log()
    with on_commit():
        lifecycle.change_status(signature, Signature.Status.VERIFIED, first_name="Renée")
    run_tasks()
    assert fake_mailchimp.member("aud1", email)["status"] == "unsubscribed"
    entry = OutboxEntry.objects.get()
    assert entry.member_status == "unsubscribed"
    assert entry.state == State.SYNCED
    signature.refresh_from_db()
    assert signature.consent_newsletter is False  # their choice in Mailchimp is respected here

    # From now on we don't even try: not even when they withdraw, sign again asking for the
    # newsletters and confirm (a supporter here again, never resubscribed there).
    fake_mailchimp.reset_log()
    with on_commit():
        lifecycle.withdraw(signature)
        data = {"email": email, "category": "individual", "first_name": "Renée", "last_name": "L"}
        again = submit(connection.campaign, {**data, "consent_newsletter": True}).signature
        assert confirmation.confirm(again) == confirmation.CONFIRMED
    assert Signature.objects.supporters().filter(pk=signature.pk).exists()
    run_tasks()
    assert fake_mailchimp.api_calls() == []
    assert OutboxEntry.objects.get().state == State.CANCELLED


def test_compliance_state_is_final_and_shown(fake_mailchimp, connection, on_commit, run_tasks):
    with on_commit():
        signature = sign_and_confirm(connection.campaign)
    run_tasks()
    fake_mailchimp.set_status("aud1", signature.signatory.email, "unsubscribed")
    entry = OutboxEntry.objects.get()
    # A member we archived on withdrawal, who signed again: the re-add sets a status, which
    # Mailchimp refuses for an unsubscribed address.
    OutboxEntry.objects.filter(pk=entry.pk).update(
        member_status="archived", synced_hash="", state=State.PENDING
    )
    run_tasks()
    sync.drain()  # noqa: E702
    entry.refresh_from_db()
    assert entry.state == State.FAILED
    assert "Member In Compliance State" in entry.last_error
    assert entry.member_status == "unsubscribed"
    assert fake_mailchimp.member("aud1", signature.signatory.email)["status"] == "unsubscribed"


def test_forgotten_email_is_final(fake_mailchimp, connection, on_commit, run_tasks):
    fake_mailchimp.forgotten["aud1"].add(member_hash("oublie@example.org"))
    with on_commit():
        sign_and_confirm(connection.campaign, signatory__email="oublie@example.org")
    run_tasks()
    entry = OutboxEntry.objects.get()
    assert entry.state == State.FAILED
    assert "Forgotten Email Not Subscribed" in entry.last_error


def test_withdrawal_archives_and_erasure_deletes_permanently(
    fake_mailchimp, connection, on_commit, run_tasks
):
    with on_commit():
        kept = sign_and_confirm(connection.campaign)
        gone = sign_and_confirm(connection.campaign)
    run_tasks()
    with on_commit():
        lifecycle.withdraw(kept)
    run_tasks()
    assert fake_mailchimp.member("aud1", kept.signatory.email)["status"] == "archived"

    email = gone.signatory.email
    with on_commit():
        lifecycle.withdraw(gone, erase=True)
    run_tasks()
    h = member_hash(email)
    assert fake_mailchimp.member("aud1", h) is None
    assert h in fake_mailchimp.forgotten["aud1"]
    assert len(fake_mailchimp.requests("POST", rf"/members/{h}/actions/delete-permanent$")) == 1
    entry = OutboxEntry.objects.get(subscriber_hash=h)
    assert entry.state == State.SYNCED and entry.member_status == "deleted"
    assert entry.signatory is None and entry.mailchimp_email == ""


def test_wrong_audience_pauses_the_queue(fake_mailchimp, connection, on_commit, run_tasks):
    connection.list_id = "does-not-exist"
    connection.save()
    with on_commit():
        sign_and_confirm(connection.campaign)
        sign_and_confirm(connection.campaign)
    run_tasks()
    connection.refresh_from_db()
    assert connection.is_paused and "404" in connection.pause_reason
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {State.PENDING}
    calls = len(fake_mailchimp.api_calls())
    sync.drain()
    assert len(fake_mailchimp.api_calls()) == calls  # paused: nothing more is tried

    connection.list_id = "aud1"
    connection.save()
    connection.resume()
    sync.drain()
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {State.SYNCED}


def test_bad_api_key_pauses(fake_mailchimp, connection, on_commit, run_tasks, settings):
    settings.MAILCHIMP_API_KEY = "wrong-us21"
    with on_commit():
        sign_and_confirm(connection.campaign)
    run_tasks()
    connection.refresh_from_db()
    assert connection.is_paused and "401" in connection.pause_reason


def test_without_credentials_sync_is_off_and_nothing_is_lost(
    fake_mailchimp, connection, on_commit, run_tasks, settings
):
    settings.MAILCHIMP_API_KEY = ""
    with on_commit():
        sign_and_confirm(connection.campaign)
    run_tasks()
    assert fake_mailchimp.api_calls() == []
    assert OutboxEntry.objects.get().state == State.PENDING
    settings.MAILCHIMP_API_KEY = "testkey-us21"
    sync.drain()
    assert OutboxEntry.objects.get().state == State.SYNCED


def test_connection_limit_holds(fake_mailchimp, connection, on_commit, run_tasks, settings):
    settings.MAILCHIMP_BATCH_THRESHOLD = 1000  # one by one, in parallel
    fake_mailchimp.latency = 0.05
    with on_commit():
        for _ in range(40):
            sign_and_confirm(connection.campaign)
    run_tasks()
    # On a loaded machine a call may fail transiently and wait for its backoff: bring it forward.
    retried = list(OutboxEntry.objects.exclude(state=State.SYNCED).values("state", "last_error"))
    OutboxEntry.objects.filter(state=State.PENDING).update(next_attempt_at=timezone.now())
    sync.drain()
    assert fake_mailchimp.members_count("aud1") == 40, retried
    assert fake_mailchimp.rejected_for_limit == 0
    assert 2 <= fake_mailchimp.max_active <= 10


def test_the_fake_enforces_the_connection_limit(fake_mailchimp):
    """The control for the test above: without the semaphore, 15 simultaneous calls hit 429."""
    fake_mailchimp.latency = 1.0
    statuses = []
    start = threading.Barrier(15)

    def ping():
        start.wait()
        r = requests.get(f"{fake_mailchimp.api_host}/ping", auth=("u", "testkey-us21"), timeout=10)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=ping) for _ in range(15)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(429) >= 1 and statuses.count(200) >= 10, (
        statuses,
        fake_mailchimp.max_active,
    )


def test_semaphore_bounds_concurrent_calls(fake_mailchimp, settings):
    settings.MAILCHIMP_MAX_CONNECTIONS = 3
    fake_mailchimp.latency = 0.1
    client = mc.get_client()
    threads = [threading.Thread(target=mc.call, args=(client.ping.get,)) for _ in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake_mailchimp.max_active == 3
