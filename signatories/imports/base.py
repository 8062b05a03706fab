"""The resource every import builds on: row checks, existing rows per chunk, errors by column,
bulk saves, spreadsheet-safe exports."""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader

from .cells import neutralise
from .widgets import TextWidget


@dataclass(frozen=True)
class FileFormat:
    """The columns of one kind of file: {resource column: header in the file}, the required ones."""

    label: str
    headers: dict
    required: tuple
    options: tuple = ()  # (option, value) pairs that choose this format, e.g. (("mandate", "cd"),)


def text_field(name, **kwargs):
    return fields.Field(attribute=name, column_name=name, widget=TextWidget(), **kwargs)


class ChunkLoader(BaseInstanceLoader):
    """The existing rows of a whole chunk in one query (import-export's loaders query row by
    row, or by a single id column)."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = resource.existing_instances(dataset.dict) if len(dataset) else {}

    def get_instance(self, row):
        for key in self.resource.instance_keys(row):
            instance = self.instances.get(key)
            if instance is not None:
                return instance
        return None


class TabularResource(resources.ModelResource):
    """A ModelResource for the engine (engine.py), which feeds it one chunk of rows at a time.

    Subclasses say which rows exist already (instance_keys, existing_instances), what makes two
    rows of a file the same (duplicate_key) and what import-export's field widgets and the
    model's own validation cannot check alone (check_row). Errors are keyed by column.
    """

    label = ""
    required_columns = ()
    option_choices = {}  # {option: choices} offered on the upload form, e.g. the register's mandate

    class Meta:
        import_id_fields = ()
        instance_loader_class = ChunkLoader
        use_bulk = True
        batch_size = None  # one bulk_create and one bulk_update per chunk
        skip_unchanged = True
        # Unchanged rows are found by skip_row, without import-export's deep copy of each row.
        skip_diff = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **options):
        super().__init__()
        self.options = options
        self.writing = True  # the engine stops writing once the file has an invalid row
        self.dry_run = False  # set by the engine: everything will be rolled back
        self.seen = {}  # hash of a duplicate key -> file row number
        self.warnings = []  # [(file row, message)]
        self.row_errors = {}  # {column: [messages]} of the row being imported
        self.original = None  # {attribute: value} of the row's existing instance, before the row
        self._import_fields = None
        self._validated = self._not_validated = None

    # --- The file's columns ---------------------------------------------------------------

    @classmethod
    def columns(cls):
        return [field.column_name for field in cls().get_import_fields() if not field.readonly]

    @classmethod
    def file_formats(cls):
        """Every layout of file this resource reads (the register has one per mandate)."""
        return [
            FileFormat(
                cls.label, {column: column for column in cls.columns()}, cls.required_columns
            )
        ]

    def file_format(self):
        """The layout the options choose."""
        for candidate in self.file_formats():
            if all(self.options.get(name) == value for name, value in candidate.options):
                return candidate
        raise LookupError(self.options)

    def get_queryset(self):
        return self._meta.model.objects.order_by("pk")  # exports in a stable order

    def get_import_fields(self):
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    # --- Rows -----------------------------------------------------------------------------

    def check_row(self, row):
        """Yield (column or None, message) for what the widgets and the model do not check."""
        for column in self.required_columns:
            if not str(row.get(column) or "").strip():
                yield column, _("required, but empty")

    def duplicate_key(self, row):
        """What makes two rows of one file the same signer, organisation... (None: no check)."""
        return None

    def instance_keys(self, row):
        """The keys the row's existing instance may be found under, tried in order."""
        return ()

    def existing_instances(self, rows):
        """{key: instance} for the existing instances of a chunk's rows, in one or two queries."""
        return {}

    def file_row(self, kwargs):
        """The row's number in the file (import-export numbers the rows of the chunk)."""
        return kwargs["file_rows"][kwargs["row_number"] - 1]

    def warn(self, kwargs, message):
        self.warnings.append((self.file_row(kwargs), str(message)))

    def before_import_row(self, row, **kwargs):
        errors = {}
        for column, message in self.check_row(row):
            errors.setdefault(column or NON_FIELD_ERRORS, []).append(str(message))
        key = self.duplicate_key(row) if not errors else None
        if key is not None:
            digest = hash(key)  # a number per row, not the key: 500,000 rows stay small
            if digest in self.seen:
                message = _("duplicate of row %(row)s") % {"row": self.seen[digest]}
                errors.setdefault(NON_FIELD_ERRORS, []).append(message)
            else:
                self.seen[digest] = self.file_row(kwargs)
        self.row_errors = errors

    def import_instance(self, instance, row, **kwargs):
        """import-export's, with each widget's error kept under its column (not the model field),
        and raised with the others by validate_instance, so that the report lists them all and
        subclasses can finish the instance after super()."""
        for field in self.get_import_fields():
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValueError as exc:
                self.row_errors.setdefault(field.column_name, []).append(str(exc))

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        self.original = None if new else self.imported_values(instance)
        return instance, new

    def imported_values(self, instance):
        return {f.attribute: f.get_value(instance) for f in self.get_import_fields() if f.attribute}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing row that the file leaves as it is (import-export's skip_unchanged)."""
        if self.row_errors or import_validation_errors or self.original is None:
            return False
        return self.imported_values(instance) == self.original

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own validation (lengths, choices, email addresses...) of the imported
        fields, keyed by column; uniqueness and constraints are the database's job."""
        errors = self.row_errors
        if import_validation_errors:
            errors.update(ValidationError(import_validation_errors).message_dict)
        columns = self.validated_columns()
        exclude = self._not_validated + [
            name for name, column in columns.items() if column in errors
        ]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(columns.get(name, name), []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def validated_columns(self):
        """{model field: column} of the imported fields the model validates (relations are
        checked by their widgets, without a query per row)."""
        if self._validated is None:
            imported = {f.attribute: f.column_name for f in self.get_import_fields() if f.attribute}
            model_fields = self._meta.model._meta.concrete_fields
            self._validated = {
                f.name: imported[f.name]
                for f in model_fields
                if f.name in imported and not f.is_relation
            }
            self._not_validated = [f.name for f in model_fields if f.name not in self._validated]
        return self._validated

    # --- Saving, a chunk at a time -------------------------------------------------------------

    def get_bulk_update_fields(self):
        names = [
            field.attribute
            for field in self.get_import_fields()
            if field.attribute and not field.readonly and "__" not in field.attribute
        ]
        return list(dict.fromkeys([*names, *self.computed_fields(), *self.auto_now_fields()]))

    def auto_now_fields(self):
        fields = self._meta.model._meta.concrete_fields
        return [field.attname for field in fields if getattr(field, "auto_now", False)]

    def computed_fields(self):
        """Model fields set from the options or other columns, saved with the imported ones."""
        return []

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.writing:
            self.create_instances.clear()
            return
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.writing:
            self.update_instances.clear()
            return
        now = timezone.now()  # bulk_update skips auto_now
        for name in self.auto_now_fields():
            for instance in self.update_instances:
                setattr(instance, name, now)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)

    def finish(self, report):
        """After the last chunk of a file without invalid rows (the register marks who left)."""

    # --- Exports --------------------------------------------------------------------------------

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [
            neutralise(value)
            for value in super().export_resource(instance, selected_fields, **kwargs)
        ]
