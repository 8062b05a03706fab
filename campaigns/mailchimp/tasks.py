"""Background tasks of the Mailchimp sync (queue "mailchimp"); each is safe to run twice.

Tasks call the sync's parts; services.py enqueues them. Nothing that a task calls enqueues a task.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import batches, inbound, reconcile, sync
from . import client as mc
from .models import AudienceConnection, WebhookEvent

logger = logging.getLogger(__name__)


@task(queue_name="mailchimp")
def drain_outbox(connection_id=None):
    """Send what the outbox holds (periodic sweep, and enqueued on commit of every change)."""
    stats = sync.drain(connection_id=connection_id)
    if stats["more"]:
        drain_outbox.enqueue(connection_id=connection_id)  # a big backlog: carry on in a fresh task
    if stats["batches"]:
        logger.info("Mailchimp: %s rows sent in %s batches", stats["batched"], stats["batches"])
        poll_batches.enqueue()
    return stats


@task(queue_name="mailchimp")
def poll_batches():
    """Poll started batches; while some run, check again in a few seconds."""
    if not mc.is_configured():
        return 0
    running = batches.poll()
    if running:
        poll_batches.using(run_after=timezone.now() + timedelta(seconds=5)).enqueue()
    else:
        # Rows that failed transiently in a batch, or that were left for later, go out now.
        drain_outbox.enqueue()
    return running


@task(queue_name="mailchimp")
def process_webhook_event(event_id):
    inbound.process(event_id)


@task(queue_name="mailchimp")
def register_webhook(connection_id):
    connection = AudienceConnection.objects.filter(pk=connection_id).first()
    if connection is not None and mc.is_configured():
        inbound.register(connection)


@task(queue_name="mailchimp")
def reconcile_audiences():
    """Nightly: read members changed since the last pass and apply unsubscribes and cleaned."""
    if not mc.is_configured():
        return
    for connection in AudienceConnection.objects.filter(paused_at__isnull=True):
        reconcile.reconcile(connection)


@task(queue_name="mailchimp")
def purge_old_records():
    """Webhook events hold email addresses: keep them only as long as needed for idempotency."""
    cutoff = timezone.now() - timedelta(days=settings.MAILCHIMP_WEBHOOK_EVENT_RETENTION_DAYS)
    WebhookEvent.objects.filter(received_at__lt=cutoff).exclude(
        state=WebhookEvent.State.RECEIVED
    ).delete()
