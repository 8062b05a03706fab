"""Import a file of the register of elected officials: manage.py import_register maires.csv --mandate maires"""

import json

from django.core.management.base import BaseCommand, CommandError

from signatories.imports.readers import format_for_name
from signatories.register.models import Mandate
from signatories.register.services import import_register


class Command(BaseCommand):
    help = "Import (upsert) one file of the Répertoire national des élus; absent entries are marked as having left office."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mandate", required=True, choices=Mandate.values)
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], default=None)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, commit nothing."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON."
        )

    def handle(self, *args, file, mandate, format, dry_run, as_json, **options):
        fmt = format or format_for_name(file) or "csv"
        report = import_register(file, mandate, file_format=fmt, dry_run=dry_run)
        if as_json:
            self.stdout.write(_json_dumps(report.as_dict()))
        if report.file_problem:
            raise CommandError(report.file_problem)
        if report.error_count:
            for error in report.errors:
                self.stderr.write(f"row {error['row']}: {'; '.join(error['messages'])}")
            raise CommandError(
                f"{report.error_count} invalid row(s) out of {report.total}: nothing imported."
            )
        if not as_json:
            verb = "checked (dry run)" if dry_run else "imported"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.total} rows {verb}: {report.new} new, {report.updated} updated, "
                    f"{report.unchanged} unchanged, {report.left_office} left office."
                )
            )


def _json_dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
