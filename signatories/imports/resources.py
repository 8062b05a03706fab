"""The signatories app's resources: signatories, signatures (offline: paper forms, partner lists)
and organisations. Column names are the models' field names (English, snake case)."""

import functools
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from signatories.canonical import canonical_email, email_domain
from signatories.geo import (
    INSEE_COMMUNE_RE,
    POSTCODE_RE,
    departement_for_insee,
    departement_for_postcode,
    is_valid_siren,
    normalise_departement_code,
)
from signatories.models import Organisation, Signatory, Signature
from signatories.signals import signature_status_changed

from .base import TabularResource, text_field
from .normalise import normalise
from .widgets import BooleanWidget, ChoiceWidget, DateTimeWidget, DepartementWidget, TextWidget

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
OFFLINE_SOURCES = (Signature.Source.PAPER, Signature.Source.PARTNER, Signature.Source.IMPORT)


def cell(row, column):
    return str(row.get(column) or "").strip()


def departement_by_code(resource, code):
    """The Departement of a code our own reference data gave, from the widget's cache."""
    try:
        return resource.fields["departement"].widget.clean(code) if code else None
    except ValueError:
        return None


# --- Signatories ------------------------------------------------------------------------------


class SignatoryResource(TabularResource):
    label = gettext_lazy("Signatories")
    email = text_field("email")
    language = text_field("language")
    required_columns = ("email",)

    class Meta:
        model = Signatory
        fields = ("email", "language")

    def __init__(self, **options):
        super().__init__(**options)
        self.canonical = functools.lru_cache(maxsize=4096)(canonical_email)  # 3 times a row

    def check_row(self, row):
        yield from super().check_row(row)
        if (cell(row, "language") or "fr") not in ("fr", "en"):
            yield "language", _("language must be fr or en")

    def duplicate_key(self, row):
        return self.canonical(cell(row, "email")) or None

    def instance_keys(self, row):
        return (self.canonical(cell(row, "email")),)

    def existing_instances(self, rows):
        emails = {self.canonical(cell(row, "email")) for row in rows} - {""}
        return {s.canonical_email: s for s in Signatory.objects.filter(canonical_email__in=emails)}

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.canonical_email = self.canonical(instance.email)
        instance.language = instance.language or "fr"

    def computed_fields(self):
        return ["canonical_email"]


# --- Signatures (offline: paper forms, partner lists) -----------------------------------------


class SignatureResource(TabularResource):
    """Signatures of one campaign. Imported rows are offline signatures, confirmed and counted."""

    label = gettext_lazy("Signatures (paper forms, partner lists)")
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

    def __init__(self, **options):
        super().__init__(**options)
        self.canonical = functools.lru_cache(maxsize=4096)(canonical_email)  # 4 times a row
        self.signatories = {}  # canonical email -> Signatory, for the chunk's rows
        self.new_signatories = []
        self._offline = None

    @property
    def campaign(self):
        return self.options.get("campaign")

    def get_queryset(self):
        return Signature.objects.select_related("signatory", "departement").order_by("pk")

    def filter_export(
        self, queryset, campaign=None, category="", status="", departement=None, **kwargs
    ):
        filters = {
            "campaign": campaign,
            "category": category,
            "status": status,
            "departement": departement,
        }
        return queryset.filter(**{name: value for name, value in filters.items() if value})

    def dehydrate_email(self, signature):
        return signature.signatory.email if signature.signatory_id else ""

    def check_row(self, row):
        yield from super().check_row(row)
        email = cell(row, "email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                yield "email", _("“%(email)s” is not a valid email address") % {"email": email}
        insee = cell(row, "insee_code").upper()
        if insee and not INSEE_COMMUNE_RE.match(insee):
            yield "insee_code", _("unknown commune code “%(code)s”") % {"code": insee}
        postcode = cell(row, "postcode")
        if postcode and not (POSTCODE_RE.match(postcode) and departement_for_postcode(postcode)):
            yield "postcode", _("unknown postcode “%(code)s”") % {"code": postcode}
        siren = cell(row, "siren")
        if siren and not is_valid_siren(siren):
            yield "siren", _("“%(siren)s” is not a valid SIREN number") % {"siren": siren}
        dep = normalise_departement_code(cell(row, "departement"))
        insee_dep = departement_for_insee(insee) if insee else None
        if dep and insee_dep and dep != insee_dep:
            message = _("commune code “%(code)s” is not in département %(dep)s")
            yield "insee_code", message % {"code": insee, "dep": dep}
        if normalise(row.get("source")) == Signature.Source.ONLINE:
            yield "source", _("imported signatures cannot have the source “online”")

    def duplicate_key(self, row):
        email = self.canonical(cell(row, "email"))
        if email:
            return email
        place = cell(row, "postcode") or cell(row, "commune") or cell(row, "insee_code")
        return (normalise(row.get("first_name")), normalise(row.get("last_name")), normalise(place))

    # An existing signature: the signer's (by email), or an offline one by name and postcode.

    def instance_keys(self, row):
        email = self.canonical(cell(row, "email"))
        if email:
            return (("email", email),)
        names = (cell(row, "first_name").lower(), cell(row, "last_name").lower())
        return (("offline", *names, cell(row, "postcode")),)

    def existing_instances(self, rows):
        found, self.signatories = {}, {}
        emails = {self.canonical(cell(row, "email")) for row in rows} - {""}
        if emails:
            self.signatories = {
                s.canonical_email: s for s in Signatory.objects.filter(canonical_email__in=emails)
            }
            signatures = Signature.objects.filter(
                campaign=self.campaign, signatory__in=list(self.signatories.values())
            ).select_related("signatory")
            found.update({("email", s.signatory.canonical_email): s for s in signatures})
        offline = [key for row in rows for key in self.instance_keys(row) if key[0] == "offline"]
        index = self.offline_index() if offline else {}
        wanted = {key: index[key] for key in offline if key in index}
        by_pk = Signature.objects.in_bulk(set(wanted.values()))
        found.update({key: by_pk[pk] for key, pk in wanted.items() if pk in by_pk})
        return found

    def offline_index(self):
        """("offline", first, last, postcode or "") -> pk of the campaign's offline signatures
        without an email, read once per import (a paper form matches by name and postcode)."""
        if self._offline is None:
            self._offline = {}
            rows = Signature.objects.filter(
                campaign=self.campaign, signatory__isnull=True, source__in=OFFLINE_SOURCES
            ).values_list("pk", "first_name", "last_name", "postcode")
            for pk, first, last, postcode in rows.order_by("pk"):
                names = (first.strip().lower(), last.strip().lower())
                self._offline.setdefault(("offline", *names, postcode), pk)
                self._offline.setdefault(("offline", *names, ""), pk)
        return self._offline

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Someone who signed online keeps their own signature: the paper copy is not merged in.
        if self.original and self.original["source"] == Signature.Source.ONLINE:
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
            instance.departement = departement_by_code(self, code)
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
        instance.ensure_token()  # bulk_create does not call save()
        email = cell(row, "email")
        if email and instance.signatory_id is None:
            key = self.canonical(email)
            if key not in self.signatories:
                self.signatories[key] = Signatory(email=email, canonical_email=key)
                self.new_signatories.append(self.signatories[key])
            instance.signatory = self.signatories[key]
            instance.email_domain = email_domain(email)

    def computed_fields(self):
        return ["signatory", "email_domain", "insee_code", "departement", "consent_newsletter"]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """The chunk's new signatories first, then its signatures; then, unless this is a dry
        run (rolled back, so nobody needs to hear of it), the life cycle's signal for each new
        supporter, in the transaction (the Mailchimp outbox queues them)."""
        created = list(self.create_instances) if self.writing else []
        if self.writing and self.new_signatories:
            Signatory.objects.bulk_create(self.new_signatories)
        self.new_signatories = []
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        if self.dry_run or not created:
            return
        # Only a supporter matters to the signal's receivers (counts are aggregated apart): one
        # query per chunk, not the receivers' queries for each of thousands of paper forms.
        new = Signature.objects.filter(
            pk__in=[signature.pk for signature in created if signature.pk]
        )
        supporters = set(new.supporters().values_list("pk", flat=True))
        for signature in created:
            if signature.pk in supporters:
                signature_status_changed.send(
                    sender=Signature, signature=signature, previous_status=None
                )


# --- Organisations (local authorities and their official email domains) ------------------------


class OrganisationResource(TabularResource):
    label = gettext_lazy("Organisations and local authorities")
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

    def __init__(self, **options):
        super().__init__(**options)
        self._index = None

    def get_queryset(self):
        return Organisation.objects.select_related("departement").order_by("pk")

    def dehydrate_email_domains(self, organisation):
        return " ".join(sorted(organisation.official_domains()))

    def check_row(self, row):
        yield from super().check_row(row)
        kind = normalise(row.get("kind"))
        insee = cell(row, "insee_code").upper()
        if insee:
            if kind in ("commune", "") and not INSEE_COMMUNE_RE.match(insee):
                yield "insee_code", _("unknown commune code “%(code)s”") % {"code": insee}
            elif kind == "departement" and not normalise_departement_code(insee):
                yield "insee_code", _("unknown département code “%(code)s”") % {"code": insee}
        siren = cell(row, "siren")
        if siren and not is_valid_siren(siren):
            yield "siren", _("“%(siren)s” is not a valid SIREN number") % {"siren": siren}
        for domain in split_domains(row.get("email_domains")):
            if not DOMAIN_RE.match(domain):
                yield (
                    "email_domains",
                    _("“%(domain)s” is not a valid email domain") % {"domain": domain},
                )

    def duplicate_key(self, row):
        siren = cell(row, "siren")
        if siren:
            return ("siren", siren)
        insee = cell(row, "insee_code").upper()
        if insee:
            return ("insee", normalise(row.get("kind")), insee)
        return ("name", normalise(row.get("kind")), normalise(row.get("name")))

    def instance_keys(self, row):
        """By SIREN, else by kind and INSEE code, else (neither given) by kind and name."""
        try:
            kind = self.fields["kind"].widget.clean(row.get("kind"))
        except ValueError:
            kind = None  # reported by the field's own check
        siren, insee = cell(row, "siren"), cell(row, "insee_code").upper()
        keys = [("siren", siren)] if siren else []
        if insee:
            keys.append(("insee", kind, insee))
        elif not siren:
            keys.append(("name", kind, cell(row, "name").lower()))
        return keys

    def existing_instances(self, rows):
        index = self.index()
        wanted = {
            key: index[key] for row in rows for key in self.instance_keys(row) if key in index
        }
        by_pk = Organisation.objects.in_bulk(set(wanted.values()))
        return {key: by_pk[pk] for key, pk in wanted.items() if pk in by_pk}

    def index(self):
        """Every organisation's keys -> pk, read once per import (names compare in any case)."""
        if self._index is None:
            self._index = {}
            rows = Organisation.objects.values_list("pk", "kind", "name", "insee_code", "siren")
            for pk, kind, name, insee, siren in rows.order_by("pk"):
                if siren:
                    self._index.setdefault(("siren", siren), pk)
                if insee:
                    self._index.setdefault(("insee", kind, insee), pk)
                elif not siren:
                    self._index.setdefault(("name", kind, name.strip().lower()), pk)
        return self._index

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.insee_code = instance.insee_code.upper()
        instance.email_domains = "\n".join(sorted(split_domains(instance.email_domains)))
        if instance.departement is None and instance.insee_code:
            code = departement_for_insee(instance.insee_code)
            if instance.kind == Organisation.Kind.DEPARTEMENT:
                code = normalise_departement_code(instance.insee_code)
            instance.departement = departement_by_code(self, code)

    def computed_fields(self):
        return ["departement"]


def split_domains(value):
    return {
        part.strip().lower().lstrip("@")
        for part in re.split(r"[\s,;|]+", str(value or ""))
        if part.strip()
    }
