"""The outbox's state machine: what each event does to a row in each state, as a table."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.mailchimp import inbound, outbox
from campaigns.mailchimp.models import OutboxEntry, allowed_moves, member_hash
from tests.factories import SignatureFactory

STATES = ("pending", "in_flight", "synced", "failed", "dead", "cancelled")

# What each event leaves a row in, by the state the row was in (same order as STATES).
EXPECTED = {
    "a change to send": ("pending", "in_flight", "pending", "pending", "pending", "pending"),
    "full resync": ("pending", "in_flight", "pending", "pending", "pending", "pending"),
    "staff retry": ("pending", "in_flight", "synced", "pending", "pending", "cancelled"),
    "unsubscribed in Mailchimp": (
        "cancelled",
        "in_flight",
        "synced",
        "cancelled",
        "cancelled",
        "cancelled",
    ),
    "claim": ("in_flight", "in_flight", "synced", "failed", "dead", "cancelled"),
    "crashed worker released": ("pending", "pending", "synced", "failed", "dead", "cancelled"),
}

EVENTS = {
    "a change to send": lambda connection, entry: outbox.mark(connection, entry.signatory),
    "full resync": lambda connection, entry: outbox.queue_all_supporters(connection),
    "staff retry": lambda connection, entry: outbox.retry(OutboxEntry.objects.all()),
    "unsubscribed in Mailchimp": lambda connection, entry: inbound.apply_unsubscribe(
        connection, entry.subscriber_hash, "unsubscribed"
    ),
    "claim": lambda connection, entry: outbox.claim(connection, 10),
    "crashed worker released": lambda connection, entry: outbox.release_stale(),
}


@pytest.mark.parametrize("event", EXPECTED)
@pytest.mark.parametrize("state", STATES)
def test_what_each_event_does_in_each_state(connection, event, state):
    signature = SignatureFactory(
        campaign=connection.campaign, confirmed=True, consent_newsletter=True
    )
    long_ago = timezone.now() - timedelta(minutes=20)
    entry = OutboxEntry.objects.create(
        connection=connection,
        signatory=signature.signatory,
        subscriber_hash=member_hash(signature.signatory.email),
        state=state,
        attempts=2,
        next_attempt_at=long_ago,
        claimed_at=long_ago if state == "in_flight" else None,
    )
    EVENTS[event](connection, entry)
    entry.refresh_from_db()
    assert entry.state == EXPECTED[event][STATES.index(state)]


def test_a_row_in_flight_changed_meanwhile_is_planned_again(connection):
    signature = SignatureFactory(
        campaign=connection.campaign, confirmed=True, consent_newsletter=True
    )
    entry = OutboxEntry.objects.create(
        connection=connection,
        signatory=signature.signatory,
        subscriber_hash=member_hash(signature.signatory.email),
        state="in_flight",
    )
    outbox.mark(connection, signature.signatory)
    inbound.apply_unsubscribe(connection, entry.subscriber_hash, "unsubscribed")
    entry.refresh_from_db()
    assert (entry.state, entry.version) == ("in_flight", 3)


def test_no_other_move_exists():
    assert allowed_moves() == {
        "pending": {"pending", "in_flight", "cancelled"},
        "in_flight": {"pending", "synced", "failed", "dead", "cancelled"},
        "synced": {"pending"},
        "failed": {"pending", "cancelled"},
        "dead": {"pending", "cancelled"},
        "cancelled": {"pending"},
    }
