"""Read members changed in Mailchimp since the last pass and apply unsubscribes and cleaned."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.mailchimp import client as mc
from campaigns.mailchimp import reconcile
from campaigns.mailchimp.models import AudienceConnection


class Command(BaseCommand):
    help = "Apply unsubscribes and cleaned addresses from Mailchimp (the nightly reconcile)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Read every member, not only recent changes."
        )

    def handle(self, *args, full=False, **options):
        if not mc.is_configured():
            raise CommandError(
                "Mailchimp is not configured: set MAILCHIMP_API_KEY and MAILCHIMP_SERVER_PREFIX."
            )
        for connection in AudienceConnection.objects.filter(paused_at__isnull=True):
            if full:
                connection.last_reconciled_at = None
            applied = reconcile.reconcile(connection)
            self.stdout.write(
                f"{connection}: {applied if applied is not None else 'stopped, see the log'}"
            )
