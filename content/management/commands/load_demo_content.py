"""Builds the demo campaign site (French with English translations). Safe to run repeatedly."""

from django.core.management.base import BaseCommand

from content.demo.builder import ADMIN_PASSWORD, ADMIN_USERNAME, DemoBuilder


class Command(BaseCommand):
    help = "Create the demo campaign site: letter, position papers, news, legal pages, menus, admin user."

    def handle(self, *args, **options):
        created = DemoBuilder(stdout=self.stdout if options["verbosity"] > 1 else None).build()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo content: {len(created)} objects created."))
            self.stdout.write(
                f"Admin (local use only): {ADMIN_USERNAME} / {ADMIN_PASSWORD} at /admin/"
            )
        else:
            self.stdout.write("Demo content already present: nothing to do.")
