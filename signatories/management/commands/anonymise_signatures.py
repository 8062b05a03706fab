"""Anonymise signatures a configurable time after their campaign closed (also a periodic task)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from signatories.privacy import anonymise_closed_campaigns


class Command(BaseCommand):
    help = (
        "Blank the personal data of signatures whose campaign closed more than "
        "SIGNATURES_ANONYMISE_AFTER_DAYS days ago; counts are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be.")

    def handle(self, *args, dry_run=False, **options):
        count = anonymise_closed_campaigns(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{count} signature(s) {verb} anonymised "
            f"(campaigns closed more than {settings.SIGNATURES_ANONYMISE_AFTER_DAYS} days ago)."
        )
