"""The register's resource: a file of the Répertoire national des élus as the Ministry publishes it
(one layout per mandate, see formats.py), or an export of this site's register, through the import
engine. A published file upserts by natural key and marks who is missing from it as left office."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from signatories.geo import INSEE_COMMUNE_RE, normalise_departement_code
from signatories.imports.base import FileFormat, TabularResource, text_field
from signatories.imports.cells import parse_date
from signatories.imports.normalise import normalise
from signatories.imports.widgets import BooleanWidget, DateWidget, TextWidget

from .formats import FORMATS, PERSON_COLUMNS
from .models import Mandate, RegisterEntry

# Older files code overseas départements with letters.
LETTER_CODES = {"ZA": "971", "ZB": "972", "ZC": "973", "ZD": "974", "ZM": "976"}
# Overseas collectivities and French people abroad: valid in the register, no département.
OTHER_TERRITORIES = {"975", "977", "978", "986", "987", "988", "ZS", "ZX", "ZW", "ZP", "ZN", "ZZ"}


def departement_code(value):
    """The register's département code ("ZA" is "971"); None for a code that is none."""
    code = str(value or "").strip().upper()
    code = LETTER_CODES.get(code, code)
    if not code or code in OTHER_TERRITORIES:
        return code
    return normalise_departement_code(code)


def commune_code(value):
    code = str(value or "").strip().upper()
    return code.zfill(5) if code.isdigit() else code


class DepartementCodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        code = departement_code(value)
        if code is None:
            raise ValueError(_("unknown département code “%(code)s”") % {"code": value})
        return code


class CommuneCodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return commune_code(value)


def date_field(name):
    return fields.Field(attribute=name, column_name=name, widget=DateWidget())


class RegisterEntryResource(TabularResource):
    label = gettext_lazy("Register of elected officials: an export of this site’s register")
    option_choices = {"mandate": Mandate.choices}

    mandate = text_field("mandate")
    natural_key = text_field("natural_key")
    departement_code = fields.Field(
        attribute="departement_code", column_name="departement_code", widget=DepartementCodeWidget()
    )
    departement_name = text_field("departement_name")
    commune_code = fields.Field(
        attribute="commune_code", column_name="commune_code", widget=CommuneCodeWidget()
    )
    commune_name = text_field("commune_name")
    territory_code = text_field("territory_code")
    territory_name = text_field("territory_name")
    last_name = text_field("last_name")
    first_name = text_field("first_name")
    sex = text_field("sex")
    birth_date = date_field("birth_date")
    profession_code = text_field("profession_code")
    profession = text_field("profession")
    function = text_field("function")
    mandate_start = date_field("mandate_start")
    function_start = date_field("function_start")
    active = fields.Field(attribute="active", column_name="active", widget=BooleanWidget())
    left_office_on = date_field("left_office_on")
    required_columns = ("mandate", "natural_key", "last_name", "first_name")

    class Meta:
        model = RegisterEntry
        fields = (
            "mandate",
            "natural_key",
            "departement_code",
            "departement_name",
            "commune_code",
            "commune_name",
            "territory_code",
            "territory_name",
            "last_name",
            "first_name",
            "sex",
            "birth_date",
            "profession_code",
            "profession",
            "function",
            "mandate_start",
            "function_start",
            "active",
            "left_office_on",
        )

    def __init__(self, **options):
        super().__init__(**options)
        self.published = FORMATS.get(options.get("mandate") or "")  # None: an export of ours
        self.today = options.get("today") or timezone.localdate()
        self._last_key = (None, None)

    @classmethod
    def file_formats(cls):
        published = [
            FileFormat(
                _("Register of elected officials: the “%(mandate)s” file as published")
                % {"mandate": fmt.mandate.label},
                fmt.all_columns(),
                (*fmt.columns, *PERSON_COLUMNS),
                options=(("mandate", mandate),),
            )
            for mandate, fmt in FORMATS.items()
        ]
        return [*published, *super().file_formats()]

    # --- Rows ---------------------------------------------------------------------------------

    def check_row(self, row):
        fmt = self.published
        if fmt is None:
            yield from super().check_row(row)
            if str(row.get("mandate") or "") not in Mandate.values:
                yield "mandate", _("unknown mandate “%(value)s”") % {"value": row.get("mandate")}
        else:
            required = ["last_name", "first_name"]
            if "birth_date" in row:
                required.append("birth_date")
            if "departement_code" in fmt.columns:
                required.append("departement_code")
            for column in required:
                if not str(row.get(column) or "").strip():
                    yield column, _("required, but empty")
        yield from self.check_commune(row)

    def check_commune(self, row):
        commune = commune_code(row.get("commune_code"))
        if not commune and not (self.published and "commune_code" in self.published.columns):
            return
        dep = departement_code(row.get("departement_code")) or ""
        if not INSEE_COMMUNE_RE.match(commune) and not (
            dep in OTHER_TERRITORIES and commune.isdigit()
        ):
            yield "commune_code", _("unknown commune code “%(code)s”") % {"code": commune}
        elif dep and dep not in OTHER_TERRITORIES and not commune.startswith(dep):
            message = _("commune code “%(code)s” is not in département %(dep)s")
            yield "commune_code", message % {"code": commune, "dep": dep}

    def entry_key(self, row):
        """Mandate, territory, normalised names and birth date: the same person in the same
        office from one quarter's file to the next."""
        if self._last_key[0] is not row:  # asked for the duplicate check, the lookup, the save
            self._last_key = (row, self._entry_key(row))
        return self._last_key[1]

    def _entry_key(self, row):
        fmt = self.published
        if fmt is None:
            return str(row.get("natural_key") or "")
        codes = {
            "departement_code": departement_code(row.get("departement_code")) or "",
            "commune_code": commune_code(row.get("commune_code")),
            "territory_code": str(row.get("territory_code") or "").strip(),
        }
        try:
            born = parse_date(row.get("birth_date"))
        except ValueError:
            born = None
        return "|".join(
            (
                fmt.mandate,
                "-".join(codes[name] for name in fmt.territory_fields),
                normalise(row.get("last_name")),
                normalise(row.get("first_name")),
                born.isoformat() if born else "",
            )
        )[:255]

    def duplicate_key(self, row):
        return self.entry_key(row)

    def instance_keys(self, row):
        return (self.entry_key(row),)

    def existing_instances(self, rows):
        keys = [self.entry_key(row) for row in rows]
        return {
            entry.natural_key: entry for entry in RegisterEntry.objects.filter(natural_key__in=keys)
        }

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if self.published:
            instance.mandate = self.published.mandate
            instance.natural_key = self.entry_key(row)
            instance.function = instance.function or self.published.default_function
            instance.active, instance.left_office_on = True, None  # in this quarter's file
        elif instance.active:
            instance.left_office_on = None
        elif not instance.left_office_on:
            instance.left_office_on = timezone.localdate()
        if instance.birth_date and instance.birth_date > self.today:
            self.row_errors.setdefault("birth_date", []).append(
                _("the birth date is in the future")
            )
        instance.normalised_last_name = normalise(instance.last_name)
        instance.normalised_first_name = normalise(instance.first_name)

    def computed_fields(self):
        return ["normalised_last_name", "normalised_first_name"]

    def finish(self, report):
        """The entries of this mandate missing from its new file have left office."""
        if self.published is None:
            return
        entries = RegisterEntry.objects.filter(mandate=self.published.mandate, active=True)
        leavers = [
            pk
            for pk, key in entries.values_list("id", "natural_key").iterator(chunk_size=5000)
            if hash(key) not in self.seen
        ]
        for start in range(0, len(leavers), 500):
            RegisterEntry.objects.filter(pk__in=leavers[start : start + 500]).update(
                active=False, left_office_on=self.today, updated_at=timezone.now()
            )
        report.left_office = len(leavers)
