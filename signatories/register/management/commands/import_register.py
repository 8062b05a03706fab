"""manage.py import_register maires.csv --mandate maires: import_file --kind register, kept
under its old name for the scripts that call it."""

from signatories.imports.management.commands import import_file


class Command(import_file.Command):
    help = "Import (upsert) one file of the Répertoire national des élus; absent entries are marked as having left office."

    def add_arguments(self, parser):
        parser.add_argument("file")
        self.add_common_arguments(parser, mandate_required=True)
        parser.set_defaults(kind="register")
