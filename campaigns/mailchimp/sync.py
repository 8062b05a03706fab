"""The drain: what the worker does with the outbox. For each audience that is not paused, claim
what is ready and send it, one by one (transport.py) or, above MAILCHIMP_BATCH_THRESHOLD ready
rows, through Mailchimp batches (batches.py), until nothing is ready or the time is up."""

import logging
import time

from django.conf import settings

from . import batches
from . import client as mc
from .models import AudienceConnection
from .outbox import claim, ready, release_stale
from .payloads import plans_for
from .transport import send_direct

logger = logging.getLogger(__name__)

DIRECT_CHUNK = 100


def drain(connection_id=None, time_budget=240):
    """Send what is ready. Returns counts: rows sent "direct" and "batched", "batches" started,
    and "more" when time ran out with rows still ready."""
    stats = {"direct": 0, "batched": 0, "batches": 0, "more": False}
    if not mc.is_configured():
        logger.info("Mailchimp sync is off (no API key or server prefix): outbox rows wait.")
        return stats
    release_stale()
    deadline = time.monotonic() + time_budget
    connections = AudienceConnection.objects.filter(paused_at__isnull=True).select_related(
        "campaign"
    )
    if connection_id:
        connections = connections.filter(pk=connection_id)
    for connection in connections:
        while time.monotonic() < deadline:
            connection.refresh_from_db(fields=["paused_at"])
            if connection.paused_at:
                break
            # Only "none" or "above the threshold" matters: counting (or, with the default
            # ordering, sorting) the whole backlog on every round would make a drain quadratic.
            waiting = ready(connection).order_by()[: settings.MAILCHIMP_BATCH_THRESHOLD + 1].count()
            if waiting == 0:
                break
            if waiting > settings.MAILCHIMP_BATCH_THRESHOLD:
                if not batches.can_start(connection):
                    break
                entries = claim(connection, settings.MAILCHIMP_BATCH_SIZE)
                if not entries:
                    break
                started = batches.start(connection, plans_for(connection, entries))
                stats["batched"] += len(entries)
                stats["batches"] += int(started)
            else:
                entries = claim(connection, DIRECT_CHUNK)
                if not entries:
                    break
                send_direct(connection, plans_for(connection, entries))
                stats["direct"] += len(entries)
        else:
            stats["more"] = True
    return stats
