"""Drain the Mailchimp outbox now and wait for its batches (what the worker does on schedule)."""

import time

from django.core.management.base import BaseCommand, CommandError

from campaigns.mailchimp import batches, sync
from campaigns.mailchimp import client as mc
from campaigns.mailchimp.models import OutboxEntry


class Command(BaseCommand):
    help = "Send pending Mailchimp changes now, then poll the batches until they finish."

    def add_arguments(self, parser):
        parser.add_argument("--connection", type=int, help="Only this audience connection (id).")
        parser.add_argument("--no-wait", action="store_true", help="Don't wait for batches.")

    def handle(self, *args, connection=None, no_wait=False, **options):
        if not mc.is_configured():
            raise CommandError(
                "Mailchimp is not configured: set MAILCHIMP_API_KEY and MAILCHIMP_SERVER_PREFIX."
            )
        stats = sync.drain(connection_id=connection, time_budget=3600)
        self.stdout.write(
            f"Sent {stats['direct']} rows one by one, {stats['batched']} in {stats['batches']} batches."
        )
        while not no_wait and batches.poll():
            self.stdout.write("Waiting for batches...")
            time.sleep(5)
        states = OutboxEntry.objects.values_list("state", flat=True)
        summary = dict.fromkeys(OutboxEntry.State.values, 0)
        for state in states:
            summary[state] += 1
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in summary.items()))
