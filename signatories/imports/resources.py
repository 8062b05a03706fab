"""django-import-export resources: signatories, signatures, organisations, targets, register entries.

Column names are the model's field names (English, snake case). Every resource checks its rows
before import-export touches the database and raises ValidationError with messages that name the
column; the import engine (services.py) turns them into the per-row report.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from campaigns.delivery.models import Target
from signatories.canonical import canonical_email, email_domain
from signatories.geo import (
    INSEE_COMMUNE_RE,
    POSTCODE_RE,
    departement_for_insee,
    departement_for_postcode,
    is_valid_siren,
    normalise_departement_code,
)
from signatories.models import Departement, Organisation, Signatory, Signature
from signatories.register.models import RegisterEntry
from signatories.register.normalise import normalise

from .readers import neutralise, unneutralise

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
OFFLINE_SOURCES = (Signature.Source.PAPER, Signature.Source.PARTNER, Signature.Source.IMPORT)


# --- Widgets ----------------------------------------------------------------------------------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return unneutralise(str(value if value is not None else "").strip())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class BooleanWidget(widgets.Widget):
    TRUE = {"1", "true", "yes", "oui", "y", "o", "x", "vrai"}
    FALSE = {"0", "false", "no", "non", "n", "faux", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("“%(value)s” is not yes or no (1/0, oui/non)") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "1" if value else "0"


def parse_datetime_text(text):
    """ISO date or datetime, or dd/mm/yyyy [HH:MM]; naive values are in the site's time zone."""
    text = str(text or "").strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            value = datetime.datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    else:
        try:
            value = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("impossible date “%(value)s” (expected dd/mm/yyyy or yyyy-mm-dd)")
                % {"value": text}
            ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class DateTimeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_datetime_text(value)

    def render(self, value, obj=None, **kwargs):
        return timezone.localtime(value).isoformat() if value else ""


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        parsed = parse_datetime_text(value)
        return timezone.localtime(parsed).date() if parsed else None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """A choice given by its value or its label in French or English."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = normalise(value)
        if not text:
            return None
        for choice_value, label in self.choices.choices:
            if text == normalise(choice_value):
                return choice_value
            for language in ("fr", "en"):
                with translation.override(language):
                    if text == normalise(str(label)):
                        return choice_value
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s")
            % {"value": value, "choices": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DepartementWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        code = normalise_departement_code(text)
        departement = Departement.objects.filter(code=code).first() if code else None
        if departement is None:
            raise ValueError(_("unknown département code “%(code)s”") % {"code": text})
        return departement

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


def text_field(name, **kwargs):
    return fields.Field(attribute=name, column_name=name, widget=TextWidget(), **kwargs)


# --- Base -------------------------------------------------------------------------------------


def email_errors(row):
    """The row's problem with its "email" cell, if any (an empty cell is the caller's business)."""
    email = str(row.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return [_("“%(email)s” is not a valid email address") % {"email": email}]
    return []


class CheckedResource(resources.ModelResource):
    """Row checks before import, spreadsheet-safe exports, and within-file duplicate detection."""

    required_columns = ()

    def __init__(self, **kwargs):
        super().__init__()
        self.options = kwargs
        self.file_rows = []  # dataset row index -> row number in the file, set per chunk
        self.seen = {}  # duplicate key -> file row number
        self.warnings = []  # [(file row, message)]

    @classmethod
    def columns(cls):
        return [field.column_name for field in cls().get_import_fields()]

    def file_row(self, kwargs):
        index = kwargs.get("row_number", 0) - 1
        return self.file_rows[index] if 0 <= index < len(self.file_rows) else index + 2

    def before_import_row(self, row, **kwargs):
        errors = self.check_row(row)
        key = self.duplicate_key(row) if not errors else None
        if key:
            if key in self.seen:
                errors.append(_("duplicate of row %(row)s") % {"row": self.seen[key]})
            else:
                self.seen[key] = self.file_row(kwargs)
        # Raised with the fields' own errors in import_instance, so the report lists them all.
        self.pending_errors = errors

    def import_instance(self, instance, row, **kwargs):
        errors = list(getattr(self, "pending_errors", []))
        self.pending_errors = []
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors.extend(
                f"{column}: {message}"
                for column, messages in exc.message_dict.items()
                for message in messages
            )
        if errors:
            raise ValidationError(errors)

    def check_row(self, row):
        """A list of messages for what is wrong with the row (empty when fine)."""
        errors = []
        for column in self.required_columns:
            if not str(row.get(column) or "").strip():
                errors.append(_("column “%(column)s” is required") % {"column": column})
        for field in self.get_import_fields():
            model_field = self._model_field(field)
            max_length = getattr(model_field, "max_length", None)
            value = str(row.get(field.column_name) or "")
            if max_length and len(value) > max_length:
                errors.append(
                    _("column “%(column)s” is too long (%(length)s characters, at most %(max)s)")
                    % {"column": field.column_name, "length": len(value), "max": max_length}
                )
        return errors

    def _model_field(self, field):
        try:
            return self._meta.model._meta.get_field(field.attribute or "")
        except Exception:  # noqa: BLE001  (a computed column has no model field)
            return None

    def duplicate_key(self, row):
        return None

    def warn(self, kwargs, message):
        self.warnings.append((self.file_row(kwargs), str(message)))

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [
            neutralise(value)
            for value in super().export_resource(instance, selected_fields, **kwargs)
        ]


# --- Signatories ------------------------------------------------------------------------------


class SignatoryResource(CheckedResource):
    email = text_field("email")
    language = text_field("language")
    required_columns = ("email",)

    class Meta:
        model = Signatory
        fields = ("email", "language")
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True

    def check_row(self, row):
        errors = super().check_row(row)
        errors.extend(email_errors(row))
        language = str(row.get("language") or "fr").strip() or "fr"
        if language not in ("fr", "en"):
            errors.append(_("language must be fr or en"))
        return errors

    def duplicate_key(self, row):
        return canonical_email(row.get("email"))

    def get_instance(self, instance_loader, row):
        return Signatory.objects.filter(canonical_email=canonical_email(row.get("email"))).first()

    def before_save_instance(self, instance, row, **kwargs):
        instance.canonical_email = canonical_email(instance.email)
        instance.language = instance.language or "fr"


# --- Signatures (offline: paper forms, partner lists) -----------------------------------------


class SignatureResource(CheckedResource):
    """Signatures of one campaign. Imported rows are offline signatures, confirmed and counted."""

    email = fields.Field(column_name="email", widget=TextWidget())
    first_name = text_field("first_name")
    last_name = text_field("last_name")
    category = fields.Field(
        attribute="category", column_name="category", widget=ChoiceWidget(Signature.Category)
    )
    title = text_field("title")
    organisation_name = text_field("organisation_name")
    insee_code = text_field("insee_code")
    siren = text_field("siren")
    postcode = text_field("postcode")
    commune = text_field("commune")
    departement = fields.Field(
        attribute="departement", column_name="departement", widget=DepartementWidget()
    )
    consent_public = fields.Field(
        attribute="consent_public", column_name="consent_public", widget=BooleanWidget()
    )
    consent_newsletter = fields.Field(
        attribute="consent_newsletter", column_name="consent_newsletter", widget=BooleanWidget()
    )
    consent_text = text_field("consent_text")
    consent_version = text_field("consent_version")
    consented_at = fields.Field(
        attribute="consented_at", column_name="consented_at", widget=DateTimeWidget()
    )
    signed_at = fields.Field(
        attribute="created_at",
        column_name="signed_at",
        widget=DateTimeWidget(),
        saves_null_values=False,
    )
    source = fields.Field(
        attribute="source", column_name="source", widget=ChoiceWidget(Signature.Source)
    )
    source_detail = text_field("source_detail")
    status = fields.Field(
        attribute="status", column_name="status", widget=TextWidget(), readonly=True
    )

    required_columns = ("last_name", "category")

    class Meta:
        model = Signature
        fields = (
            "email",
            "first_name",
            "last_name",
            "category",
            "title",
            "organisation_name",
            "insee_code",
            "siren",
            "postcode",
            "commune",
            "departement",
            "consent_public",
            "consent_newsletter",
            "consent_text",
            "consent_version",
            "consented_at",
            "signed_at",
            "source",
            "source_detail",
            "status",
        )
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True

    @property
    def campaign(self):
        return self.options.get("campaign")

    def dehydrate_email(self, signature):
        return signature.signatory.email if signature.signatory_id else ""

    def get_export_queryset_for(self, queryset):
        return queryset.select_related("signatory", "departement")

    def check_row(self, row):
        errors = super().check_row(row)
        errors.extend(email_errors(row))
        insee = str(row.get("insee_code") or "").strip().upper()
        if insee and not INSEE_COMMUNE_RE.match(insee):
            errors.append(_("unknown commune code “%(code)s”") % {"code": insee})
        postcode = str(row.get("postcode") or "").strip()
        if postcode and not (POSTCODE_RE.match(postcode) and departement_for_postcode(postcode)):
            errors.append(_("unknown postcode “%(code)s”") % {"code": postcode})
        siren = str(row.get("siren") or "").strip()
        if siren and not is_valid_siren(siren):
            errors.append(_("“%(siren)s” is not a valid SIREN number") % {"siren": siren})
        dep = normalise_departement_code(str(row.get("departement") or ""))
        insee_dep = departement_for_insee(insee) if insee else None
        if dep and insee_dep and dep != insee_dep:
            errors.append(
                _("commune code “%(code)s” is not in département %(dep)s")
                % {"code": insee, "dep": dep}
            )
        source = normalise(row.get("source"))
        if source == Signature.Source.ONLINE:
            errors.append(_("imported signatures cannot have the source “online”"))
        return errors

    def duplicate_key(self, row):
        email = canonical_email(row.get("email"))
        if email:
            return email
        return (
            normalise(row.get("first_name")),
            normalise(row.get("last_name")),
            normalise(row.get("postcode") or row.get("commune") or row.get("insee_code")),
        )

    def get_instance(self, instance_loader, row):
        signatures = Signature.objects.filter(campaign=self.campaign)
        email = canonical_email(row.get("email"))
        if email:
            return signatures.filter(signatory__canonical_email=email).first()
        candidates = signatures.filter(
            signatory__isnull=True,
            source__in=OFFLINE_SOURCES,
            last_name__iexact=str(row.get("last_name") or "").strip(),
            first_name__iexact=str(row.get("first_name") or "").strip(),
        )
        place = str(row.get("postcode") or "").strip()
        if place:
            candidates = candidates.filter(postcode=place)
        return candidates.first()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Someone who signed online keeps their own signature: the paper copy is not merged in.
        if instance.pk and original is not None and original.source == Signature.Source.ONLINE:
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def import_instance(self, instance, row, **kwargs):
        """Fill in what the file leaves out before import-export compares and saves."""
        super().import_instance(instance, row, **kwargs)
        instance.campaign = self.campaign
        if not instance.source or instance.source == Signature.Source.ONLINE and not instance.pk:
            instance.source = self.options.get("source") or Signature.Source.IMPORT
        if not instance.source_detail and not instance.pk:
            instance.source_detail = self.options.get("source_detail", "")
        instance.insee_code = instance.insee_code.upper()
        if instance.departement is None:
            code = departement_for_insee(instance.insee_code) or departement_for_postcode(
                instance.postcode
            )
            if code:
                instance.departement = Departement.objects.filter(code=code).first()
        # Newsletter consent only counts when the file records what was agreed to, and when.
        if instance.consent_newsletter and not (instance.consent_text and instance.consented_at):
            instance.consent_newsletter = False
            self.warn(
                kwargs,
                _("newsletter consent ignored: the consent wording and date are not recorded"),
            )
        if instance.pk is None:
            instance.status = Signature.Status.CONFIRMED
            instance.confirmed_at = instance.created_at

    def before_save_instance(self, instance, row, **kwargs):
        instance._imported_new = instance.pk is None
        email = str(row.get("email") or "").strip()
        if email and instance.signatory_id is None:
            instance.signatory, _created = Signatory.objects.get_or_create(
                canonical_email=canonical_email(email), defaults={"email": email}
            )
            instance.email_domain = email_domain(email)

    def after_save_instance(self, instance, row, **kwargs):
        from signatories.signals import signature_status_changed

        # New offline signatures enter the life cycle confirmed: tell the receivers (counts,
        # Mailchimp outbox, which only syncs recorded newsletter consent).
        if getattr(instance, "_imported_new", False):
            signature_status_changed.send(
                sender=Signature, signature=instance, previous_status=None
            )


# --- Organisations (local authorities and their official email domains) ------------------------


class OrganisationResource(CheckedResource):
    name = text_field("name")
    kind = fields.Field(
        attribute="kind", column_name="kind", widget=ChoiceWidget(Organisation.Kind)
    )
    insee_code = text_field("insee_code")
    siren = text_field("siren")
    departement = fields.Field(
        attribute="departement", column_name="departement", widget=DepartementWidget()
    )
    email_domains = fields.Field(
        attribute="email_domains", column_name="email_domains", widget=TextWidget()
    )
    required_columns = ("name", "kind")

    class Meta:
        model = Organisation
        fields = ("name", "kind", "insee_code", "siren", "departement", "email_domains")
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True

    def dehydrate_email_domains(self, organisation):
        return " ".join(sorted(organisation.official_domains()))

    def check_row(self, row):
        errors = super().check_row(row)
        kind = normalise(row.get("kind"))
        insee = str(row.get("insee_code") or "").strip().upper()
        if insee:
            if kind in ("commune", "") and not INSEE_COMMUNE_RE.match(insee):
                errors.append(_("unknown commune code “%(code)s”") % {"code": insee})
            elif kind == "departement" and not normalise_departement_code(insee):
                errors.append(_("unknown département code “%(code)s”") % {"code": insee})
        siren = str(row.get("siren") or "").strip()
        if siren and not is_valid_siren(siren):
            errors.append(_("“%(siren)s” is not a valid SIREN number") % {"siren": siren})
        for domain in split_domains(row.get("email_domains")):
            if not DOMAIN_RE.match(domain):
                errors.append(_("“%(domain)s” is not a valid email domain") % {"domain": domain})
        return errors

    def duplicate_key(self, row):
        siren = str(row.get("siren") or "").strip()
        if siren:
            return ("siren", siren)
        insee = str(row.get("insee_code") or "").strip().upper()
        if insee:
            return ("insee", normalise(row.get("kind")), insee)
        return ("name", normalise(row.get("kind")), normalise(row.get("name")))

    def get_instance(self, instance_loader, row):
        siren = str(row.get("siren") or "").strip()
        if siren:
            found = Organisation.objects.filter(siren=siren).first()
            if found:
                return found
        insee = str(row.get("insee_code") or "").strip().upper()
        try:
            kind = ChoiceWidget(Organisation.Kind).clean(row.get("kind"))
        except ValueError:
            return None  # reported by the field's own check
        if insee:
            return Organisation.objects.filter(kind=kind, insee_code=insee).first()
        if not siren:
            return Organisation.objects.filter(
                kind=kind, name__iexact=str(row.get("name") or "").strip(), insee_code="", siren=""
            ).first()
        return None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.insee_code = instance.insee_code.upper()
        instance.email_domains = "\n".join(sorted(split_domains(instance.email_domains)))
        if instance.departement is None and instance.insee_code:
            code = departement_for_insee(instance.insee_code)
            if instance.kind == Organisation.Kind.DEPARTEMENT:
                code = normalise_departement_code(instance.insee_code)
            if code:
                instance.departement = Departement.objects.filter(code=code).first()


def split_domains(value):
    return {
        part.strip().lower().lstrip("@")
        for part in re.split(r"[\s,;|]+", str(value or ""))
        if part.strip()
    }


# --- Targets (decision makers) ----------------------------------------------------------------


class TargetResource(CheckedResource):
    name = text_field("name")
    title = text_field("title")
    institution = text_field("institution")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(Target.Kind))
    email = text_field("email")
    postal_address = text_field("postal_address")
    territory = text_field("territory")
    active = fields.Field(attribute="active", column_name="active", widget=BooleanWidget())
    required_columns = ("name",)

    class Meta:
        model = Target
        fields = (
            "name",
            "title",
            "institution",
            "kind",
            "email",
            "postal_address",
            "territory",
            "active",
        )
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True

    def check_row(self, row):
        errors = super().check_row(row)
        errors.extend(email_errors(row))
        return errors

    def duplicate_key(self, row):
        return (normalise(row.get("name")), normalise(row.get("institution")))

    def get_instance(self, instance_loader, row):
        return Target.objects.filter(
            name=str(row.get("name") or "").strip(),
            institution=str(row.get("institution") or "").strip(),
        ).first()


# --- Register entries (round trip and staff corrections; bulk files go through import_register)


class RegisterEntryResource(CheckedResource):
    mandate = text_field("mandate")
    natural_key = text_field("natural_key")
    departement_code = text_field("departement_code")
    departement_name = text_field("departement_name")
    commune_code = text_field("commune_code")
    commune_name = text_field("commune_name")
    territory_code = text_field("territory_code")
    territory_name = text_field("territory_name")
    last_name = text_field("last_name")
    first_name = text_field("first_name")
    sex = text_field("sex")
    birth_date = fields.Field(attribute="birth_date", column_name="birth_date", widget=DateWidget())
    profession_code = text_field("profession_code")
    profession = text_field("profession")
    function = text_field("function")
    mandate_start = fields.Field(
        attribute="mandate_start", column_name="mandate_start", widget=DateWidget()
    )
    function_start = fields.Field(
        attribute="function_start", column_name="function_start", widget=DateWidget()
    )
    active = fields.Field(attribute="active", column_name="active", widget=BooleanWidget())
    left_office_on = fields.Field(
        attribute="left_office_on", column_name="left_office_on", widget=DateWidget()
    )
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
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True

    def check_row(self, row):
        errors = super().check_row(row)
        from signatories.register.models import Mandate

        if str(row.get("mandate") or "") not in Mandate.values:
            errors.append(_("unknown mandate “%(value)s”") % {"value": row.get("mandate")})
        return errors

    def duplicate_key(self, row):
        return row.get("natural_key")

    def get_instance(self, instance_loader, row):
        return RegisterEntry.objects.filter(natural_key=str(row.get("natural_key") or "")).first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.normalised_last_name = normalise(instance.last_name)
        instance.normalised_first_name = normalise(instance.first_name)
        if not instance.active and not instance.left_office_on:
            instance.left_office_on = timezone.localdate()
        if instance.active:
            instance.left_office_on = None


RESOURCES = {
    "signatories": SignatoryResource,
    "signatures": SignatureResource,
    "organisations": OrganisationResource,
    "targets": TargetResource,
    "register": RegisterEntryResource,
}
