"""What the rest of the product asks of the Mailchimp sync: the receivers of the signatures'
signals, the staff screens, the webhook view and the commands. Each writes in the caller's
transaction and enqueues the task that carries on once it commits; the tasks (tasks.py) call the
sync's parts, never this module.
"""

from functools import partial

from django.db import transaction

from . import inbound, outbox
from .models import AudienceConnection
from .tasks import (
    drain_outbox,
    poll_batches,
    process_webhook_event,
    reconcile_audiences,
    register_webhook,
)


def _drain_on_commit(connection_id=None):
    transaction.on_commit(partial(drain_outbox.enqueue, connection_id=connection_id))


# --- Changes to supporters (the receivers of signatories.signals) -------------------------------


def signature_changed(signature):
    """A signature's status or consent changed."""
    entry = outbox.mark_signature(signature)
    if entry is not None:
        _drain_on_commit(entry.connection_id)


def signatory_erased(signatory, email, erase):
    """A signatory was deleted (erase=True: they asked for it, so Mailchimp forgets them too)."""
    for connection_id in outbox.mark_erased(signatory, email, erase):
        _drain_on_commit(connection_id)


# --- Staff actions ------------------------------------------------------------------------------


def connect(connection):
    """A new connection: queue every current supporter (sent in batches) and register the webhook."""
    queue_all_supporters(connection)
    transaction.on_commit(partial(register_webhook.enqueue, connection_id=connection.pk))


def queue_all_supporters(connection, *, force=False):
    """Queue every current supporter of this audience (force: send each again, even unchanged).
    Returns how many rows were created."""
    created = outbox.queue_all_supporters(connection, force=force)
    _drain_on_commit(connection.pk)
    return created


def sync_now(connection):
    _drain_on_commit(connection.pk)
    transaction.on_commit(poll_batches.enqueue)


def resume(connection):
    connection.resume()
    _drain_on_commit(connection.pk)


def register_webhook_again(connection):
    AudienceConnection.objects.filter(pk=connection.pk).update(webhook_id="", webhook_error="")
    transaction.on_commit(partial(register_webhook.enqueue, connection_id=connection.pk))


def reconcile_now():
    transaction.on_commit(reconcile_audiences.enqueue)


def retry(rows):
    """Failed and dead rows of this queryset go back to the queue. Returns how many."""
    count = outbox.retry(rows)
    if count:
        _drain_on_commit()
    return count


# --- Mailchimp's webhooks -----------------------------------------------------------------------


def receive_webhook(connection, payload):
    """Store one posted event and process it in a task. Returns (event or None for a replay,
    problem text)."""
    event, problem = inbound.receive(connection, payload)
    if event is not None and not problem:
        transaction.on_commit(partial(process_webhook_event.enqueue, event_id=event.pk))
    return event, problem
