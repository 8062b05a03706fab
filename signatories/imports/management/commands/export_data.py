"""Export a table as the admin does (logged): manage.py export_data --kind signatures -o out.csv"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from signatories.imports.exports import FORMATS, export
from signatories.imports.forms import EXPORT_KINDS
from signatories.models import Departement, Signature


class Command(BaseCommand):
    help = "Export signatures (filtered), signatories, organisations, targets or register entries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind", required=True, choices=[kind for kind, _label in EXPORT_KINDS]
        )
        parser.add_argument("--format", default="csv", choices=list(FORMATS))
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--campaign", help="Campaign slug")
        parser.add_argument("--category", choices=Signature.Category.values)
        parser.add_argument("--status", choices=Signature.Status.values)
        parser.add_argument("--departement", help="Département code, e.g. 69 or 2A")

    def handle(self, *args, **options):
        filters = {}
        if options["kind"] == "signatures":
            if options["campaign"]:
                filters["campaign"] = Campaign.objects.filter(slug=options["campaign"]).first()
                if filters["campaign"] is None:
                    raise CommandError(f"No campaign with the slug {options['campaign']!r}.")
            if options["departement"]:
                filters["departement"] = Departement.objects.filter(
                    code=options["departement"].upper()
                ).first()
                if filters["departement"] is None:
                    raise CommandError(f"Unknown département {options['departement']!r}.")
            filters["category"] = options["category"] or ""
            filters["status"] = options["status"] or ""
        content, _name, _type = export(options["kind"], options["format"], filters=filters)
        Path(options["output"]).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}"))
