"""Queue every supporter of an audience again, forgetting what was last synced."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from campaigns.mailchimp import services
from campaigns.mailchimp.models import AudienceConnection


class Command(BaseCommand):
    help = "Re-send every supporter of one audience (or all) to Mailchimp, through batches."

    def add_arguments(self, parser):
        parser.add_argument("--connection", type=int, help="Audience connection id (default: all).")

    def handle(self, *args, connection=None, **options):
        connections = AudienceConnection.objects.all()
        if connection:
            connections = connections.filter(pk=connection)
            if not connections.exists():
                raise CommandError(f"No audience connection with id {connection}.")
        for item in connections:
            with transaction.atomic():
                created = services.queue_all_supporters(item, force=True)
            self.stdout.write(f"{item}: queued ({created} new rows). The worker sends them.")
