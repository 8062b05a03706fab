"""Import a CSV/XLSX/JSON file as the admin does, in one transaction, through the import engine:
manage.py import_file paper.csv --kind signatures --campaign lettre-ouverte --source paper
manage.py import_file elus-maires.csv --kind register --mandate maires"""

import json

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from signatories.imports import registry
from signatories.imports.engine import import_table
from signatories.imports.readers import format_for_name


class Command(BaseCommand):
    help = (
        "Import signatures, signatories, organisations, targets or a register file; a file with "
        "any invalid row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=sorted(registry.kinds()))
        self.add_common_arguments(parser)
        parser.add_argument("--campaign", help="Slug of the campaign (signatures).")
        parser.add_argument("--source", default="import", choices=["paper", "partner", "import"])
        parser.add_argument("--source-detail", default="")

    def add_common_arguments(self, parser, *, mandate_required=False):
        parser.add_argument(
            "--mandate",
            default="",
            required=mandate_required,
            choices=[value for value, _label in registry.option_choices("mandate")],
            help="A register file as published for this mandate (kind register).",
        )
        parser.add_argument("--format", choices=["csv", "xlsx", "json"])
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, commit nothing."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON."
        )

    def handle(self, *args, **options):
        campaign = None
        if options["kind"] == "signatures":
            if not options.get("campaign"):
                raise CommandError("--campaign is required for signatures.")
            campaign = Campaign.objects.filter(slug=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"No campaign with the slug {options['campaign']!r}.")
        file_format = options["format"] or format_for_name(options["file"])
        if not file_format:
            raise CommandError("Unknown file format: use --format csv, xlsx or json.")
        report = import_table(
            options["file"],
            file_format,
            options["kind"],
            dry_run=options["dry_run"],
            campaign=campaign,
            source=options.get("source", ""),
            source_detail=options.get("source_detail", ""),
            mandate=options["mandate"],
        )
        if options["as_json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        for warning in report.warnings:
            self.stderr.write(f"row {warning['row']}: {'; '.join(warning['messages'])}")
        if report.file_problem:
            raise CommandError(report.file_problem)
        if report.invalid:
            for error in report.errors:
                self.stderr.write(f"row {error['row']}: {'; '.join(error['messages'])}")
            raise CommandError(
                f"{report.invalid} invalid row(s) out of {report.total}: nothing imported."
            )
        if not options["as_json"]:
            verb = "checked (dry run)" if options["dry_run"] else "imported"
            left = f", {report.left_office} left office" if options["mandate"] else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.total} rows {verb}: {report.new} new, {report.updated} updated, "
                    f"{report.skipped} skipped (unchanged){left}."
                )
            )
