"""Import a CSV/XLSX/JSON file as the admin does, in one transaction:
manage.py import_file paper.csv --kind signatures --campaign lettre-ouverte --source paper"""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from signatories.imports.models import ImportJob
from signatories.imports.readers import format_for_name
from signatories.imports.services import import_table
from signatories.register.models import Mandate


class Command(BaseCommand):
    help = "Import signatures, signatories, organisations, targets or register entries from a file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=ImportJob.Kind.values)
        parser.add_argument("--format", choices=["csv", "xlsx", "json"])
        parser.add_argument("--campaign", help="Slug of the campaign (signatures).")
        parser.add_argument("--source", default="import", choices=["paper", "partner", "import"])
        parser.add_argument("--source-detail", default="")
        parser.add_argument("--mandate", choices=Mandate.values, default="")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        campaign = None
        if options["kind"] == ImportJob.Kind.SIGNATURES:
            if not options["campaign"]:
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
            source=options["source"],
            source_detail=options["source_detail"],
            mandate=options["mandate"],
        )
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
        verb = "checked (dry run)" if options["dry_run"] else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.total} rows {verb}: {report.new} new, {report.updated} updated, "
                f"{report.skipped} skipped."
            )
        )
