"""Bulk sync through batches: first connection of an audience, full resync."""

import pytest

from campaigns.mailchimp import batches, services
from campaigns.mailchimp.models import Batch, OutboxEntry, member_hash
from campaigns.mailchimp.tasks import poll_batches
from signatories.models import Signature
from tests.factories import SignatureFactory

State = OutboxEntry.State


def supporters(campaign, n, **kwargs):
    return SignatureFactory.create_batch(
        n, campaign=campaign, status=Signature.Status.CONFIRMED, consent_newsletter=True, **kwargs
    )


def test_first_connection_goes_through_batches(
    fake_mailchimp, connection, on_commit, run_tasks, settings
):
    settings.MAILCHIMP_BATCH_THRESHOLD = 4
    settings.MAILCHIMP_BATCH_SIZE = 10
    signatures = supporters(connection.campaign, 25)
    SignatureFactory(campaign=connection.campaign, status="confirmed", consent_newsletter=False)
    # An offline signature without recorded consent is never sent.
    SignatureFactory(
        campaign=connection.campaign,
        status="confirmed",
        consent_newsletter=True,
        source=Signature.Source.PAPER,
        consented_at=None,
    )
    with on_commit():
        services.queue_all_supporters(connection)
    run_tasks()

    starts = fake_mailchimp.requests("POST", r"^/3.0/batches$")
    assert len(starts) == 3  # 25 supporters, 10 per batch
    assert fake_mailchimp.requests("PUT") == []  # no member-by-member calls
    assert fake_mailchimp.members_count("aud1") == 25
    for s in signatures:
        m = fake_mailchimp.member("aud1", s.signatory.email)
        assert m["merge_fields"]["LNAME"] == s.last_name
        assert "citoyens" in m["tags"]
    assert OutboxEntry.objects.filter(state=State.SYNCED).count() == 25
    assert set(Batch.objects.values_list("status", flat=True)) == {"finished"}

    # Nothing changed: a second pass makes no call at all.
    fake_mailchimp.reset_log()
    with on_commit():
        services.queue_all_supporters(connection)
    run_tasks()
    assert fake_mailchimp.api_calls() == []


def test_each_batch_result_maps_back_to_its_row(
    fake_mailchimp, connection, on_commit, run_tasks, settings
):
    settings.MAILCHIMP_BATCH_THRESHOLD = 2
    settings.MAILCHIMP_BATCH_SIZE = 50
    fake_mailchimp.batch_polls_before_finished = 2
    signatures = supporters(connection.campaign, 6)
    forgotten, unsubscribed = signatures[0], signatures[1]
    fake_mailchimp.forgotten["aud1"].add(member_hash(forgotten.signatory.email))
    fake_mailchimp.lists["aud1"]["members"][member_hash(unsubscribed.signatory.email)] = (
        fake_mailchimp._new_member("aud1", unsubscribed.signatory.email, "unsubscribed", {})
    )
    with on_commit():
        services.queue_all_supporters(connection)
    run_tasks()  # starts the batch; the first poll finds it still running
    assert OutboxEntry.objects.filter(state=State.IN_FLIGHT).count() == 6
    assert batches.poll() == 1
    assert batches.poll() == 0
    rows = {e.signatory_id: e for e in OutboxEntry.objects.all()}
    assert rows[forgotten.signatory_id].state == State.FAILED
    assert "Forgotten Email" in rows[forgotten.signatory_id].last_error
    assert rows[unsubscribed.signatory_id].member_status == "unsubscribed"
    unsubscribed.refresh_from_db()
    assert unsubscribed.consent_newsletter is False
    assert fake_mailchimp.member("aud1", unsubscribed.signatory.email)["status"] == "unsubscribed"
    for s in signatures[2:]:
        assert rows[s.signatory_id].state == State.SYNCED
        assert rows[s.signatory_id].batch is None


def test_batch_start_outage_retries(fake_mailchimp, connection, on_commit, run_tasks, settings):
    settings.MAILCHIMP_BATCH_THRESHOLD = 2
    supporters(connection.campaign, 4)
    fake_mailchimp.outage = "empty"
    with on_commit():
        services.queue_all_supporters(connection)
    run_tasks()
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {State.PENDING}
    assert OutboxEntry.objects.filter(attempts=1).count() == 4
    fake_mailchimp.outage = None
    OutboxEntry.objects.update(next_attempt_at=OutboxEntry.objects.first().created_at)
    poll_batches.enqueue()
    run_tasks()
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {State.SYNCED}


@pytest.mark.parametrize(("ready", "batched"), [(4, False), (5, True)])
def test_batches_start_just_above_the_threshold(
    fake_mailchimp, connection, on_commit, run_tasks, settings, ready, batched
):
    settings.MAILCHIMP_BATCH_THRESHOLD = 4
    supporters(connection.campaign, ready)
    with on_commit():
        services.queue_all_supporters(connection)
    run_tasks()
    assert len(fake_mailchimp.requests("POST", r"^/3.0/batches$")) == int(batched)
    assert len(fake_mailchimp.requests("PUT")) == (0 if batched else ready)
    assert fake_mailchimp.members_count("aud1") == ready


def test_full_resync_creates_rows_only_for_new_supporters(
    fake_mailchimp, connection, on_commit, run_tasks, settings
):
    settings.MAILCHIMP_BATCH_THRESHOLD = 100
    supporters(connection.campaign, 3)
    with on_commit():
        assert services.queue_all_supporters(connection) == 3
    run_tasks()
    # Signed without passing through the signals, as an import would: no outbox row yet.
    newcomers = supporters(connection.campaign, 2)
    fake_mailchimp.reset_log()
    with on_commit():
        assert services.queue_all_supporters(connection) == 2
    run_tasks()
    assert OutboxEntry.objects.count() == 5
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {State.SYNCED}
    # The three unchanged members cost no call; each newcomer costs a member and a tags call.
    sent = {r["path"].split("/")[5] for r in fake_mailchimp.api_calls()}
    assert sent == {member_hash(s.signatory.email) for s in newcomers}
    assert len(fake_mailchimp.api_calls()) == 4
