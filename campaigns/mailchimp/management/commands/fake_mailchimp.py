"""Run the fake Mailchimp API (campaigns/mailchimp/devserver.py) by hand, for development."""

from django.core.management.base import BaseCommand

from campaigns.mailchimp.devserver import main


class Command(BaseCommand):
    help = "Run a fake Mailchimp API on 127.0.0.1 for local development (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8204)
        parser.add_argument("--api-key", default="fakekey-us21")
        parser.add_argument(
            "--list", action="append", default=[], help="Audience id to create (repeatable)."
        )
        parser.add_argument("--latency", type=float, default=0.0)

    def handle(self, *args, port, api_key, list, latency, **options):  # noqa: A002
        argv = ["--port", str(port), "--api-key", api_key, "--latency", str(latency)]
        for list_id in list:
            argv += ["--list", list_id]
        main(argv)
