"""The signing form: one server-rendered form for every category, validated per category."""

import functools
from types import MappingProxyType

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from . import geo
from .models import Organisation, Region, Signature
from .text import strip_invisible

Category = Signature.Category

# Offices an elected official can sign with; the value (French) is what is stored and matched
# against the register of elected officials.
ELECTED_OFFICES = [
    ("Maire", _("Mayor")),
    ("Adjoint(e) au maire chargé(e) de la culture", _("Deputy mayor for culture")),
    ("Adjoint(e) au maire", _("Deputy mayor")),
    ("Conseiller(ère) municipal(e)", _("Municipal councillor")),
    ("Conseiller(ère) communautaire", _("Intercommunal councillor")),
    ("Président(e) de conseil départemental", _("President of a departmental council")),
    ("Vice-président(e) de conseil départemental", _("Vice-president of a departmental council")),
    ("Conseiller(ère) départemental(e)", _("Departmental councillor")),
    ("Président(e) de conseil régional", _("President of a regional council")),
    ("Vice-président(e) de conseil régional", _("Vice-president of a regional council")),
    ("Conseiller(ère) régional(e)", _("Regional councillor")),
    ("Député(e)", _("Member of the National Assembly")),
    ("Sénateur(rice)", _("Senator")),
]
AUTHORITY_KINDS = [
    (Organisation.Kind.COMMUNE, _("Commune")),
    (Organisation.Kind.EPCI, _("Intercommunality (EPCI)")),
    (Organisation.Kind.DEPARTEMENT, _("Département")),
    (Organisation.Kind.REGION, _("Region")),
]

# Which extra fields each category needs: (field, required).
CATEGORY_FIELDS = {
    Category.LOCAL_AUTHORITY: [
        ("authority_kind", True),
        ("authority_name", True),
        ("authority_code", True),
        ("representative_title", True),
    ],
    Category.ELECTED: [("office", True), ("territory", True)],
    Category.PROFESSIONAL: [("job_title", True), ("establishment", True)],
    Category.ORGANISATION: [("organisation", True), ("organisation_role", False)],
    Category.INDIVIDUAL: [],
}
POSTCODE_REQUIRED = {Category.ELECTED, Category.PROFESSIONAL}


CONSENT_LABELS = {
    "consent_sign": _(
        "I sign this open letter and agree that my signature and the details above are "
        "recorded for this campaign."
    ),
    "consent_public": _(
        "Show my name, title, organisation and département on the public list of signatories "
        "(never my email address)."
    ),
    "consent_newsletter": _(
        "Send me the campaign's newsletters (at most a few a month; unsubscribe at any time)."
    ),
}


_consent_labels = {}  # language -> wordings: translations do not change while a process runs


def consent_labels():
    """The consent wordings in the active language, as stored with each signature."""
    language = get_language()
    if language not in _consent_labels:
        labels = {name: str(label) for name, label in CONSENT_LABELS.items()}
        _consent_labels[language] = MappingProxyType(labels)
    return _consent_labels[language]


def _clone(obj):
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


class FieldCopies(dict):
    """A form's base_fields whose deep copy (one per form instance) is the copy Django's
    Field.__deepcopy__ and Widget.__deepcopy__ make (own widget, attrs, error messages and
    validators), without copy.copy's generic protocol, which is slow (bench/README.md).
    Choices are fixed, so they are shared rather than copied and normalised again."""

    def __deepcopy__(self, memo):
        fields = {}
        for name, field in self.items():
            clone = _clone(field)
            clone.widget = _clone(field.widget)
            clone.widget.attrs = field.widget.attrs.copy()
            clone.error_messages = field.error_messages.copy()
            clone.validators = field.validators[:]
            fields[name] = memo[id(field)] = clone
        return fields


class NameField(forms.CharField):
    """A name, title or organisation: one line (a tab or line break becomes a space), without
    the bidirectional controls and zero-width characters that would make it display as
    something else (signatories.text)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = " ".join(strip_invisible(value).split())
        return super().to_python(value)


def text(autocomplete, **attrs):
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


class SignatureForm(forms.Form):
    category = forms.ChoiceField(
        label=_("I sign as"), choices=Category.choices, widget=forms.RadioSelect
    )
    first_name = NameField(label=_("First name"), max_length=100, widget=text("given-name"))
    last_name = NameField(label=_("Last name"), max_length=100, widget=text("family-name"))
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send you a link to confirm your signature. It is never shown."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        help_text=_("Counts signatures per département. Required for officials and professionals."),
        widget=text("postal-code", inputmode="numeric", size="6"),
    )
    # Local authority, signed by its representative.
    authority_kind = forms.ChoiceField(
        label=_("Kind of authority"), choices=[("", "—"), *AUTHORITY_KINDS], required=False
    )
    authority_name = NameField(label=_("Name of the authority"), max_length=255, required=False)
    authority_code = forms.CharField(
        label=_("INSEE code or SIREN"),
        max_length=16,
        required=False,
        help_text=_(
            "Commune: INSEE code (e.g. 69123); département: its number; any: SIREN (9 digits)."
        ),
    )
    representative_title = NameField(
        label=_("Your title (as its representative)"), max_length=150, required=False
    )
    # Elected official.
    office = forms.ChoiceField(
        label=_("Office"), choices=[("", "—"), *ELECTED_OFFICES], required=False
    )
    territory = NameField(
        label=_("Commune, département, region or constituency"), max_length=150, required=False
    )
    # Library professional.
    job_title = NameField(
        label=_("Job title"), max_length=150, required=False, widget=text("organization-title")
    )
    establishment = NameField(
        label=_("Library or establishment"),
        max_length=255,
        required=False,
        widget=text("organization"),
    )
    # Association or organisation.
    organisation = NameField(
        label=_("Association or organisation"),
        max_length=255,
        required=False,
        widget=text("organization"),
    )
    organisation_role = NameField(label=_("Your role (optional)"), max_length=150, required=False)
    # Consents: separate, none pre-ticked.
    consent_sign = forms.BooleanField(
        label=CONSENT_LABELS["consent_sign"],
        required=True,
        error_messages={"required": _("Tick this box to sign the letter.")},
    )
    consent_public = forms.BooleanField(label=CONSENT_LABELS["consent_public"], required=False)
    consent_newsletter = forms.BooleanField(
        label=CONSENT_LABELS["consent_newsletter"], required=False
    )
    # Abuse checks: a honeypot hidden from people, and the signed render time.
    website = forms.CharField(required=False, max_length=200, widget=text("off", tabindex="-1"))
    # Empty on the publicly cached page: JavaScript fills it from the ALTCHA challenge's answer.
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=300, required=False)

    def __init__(self, data=None, *args, all_fields=False, **kwargs):
        category = data.get("category") if data is not None and not all_fields else None
        if isinstance(category, str) and category in CATEGORY_FIELDS:
            # A sent form is validated over its category's fields only: the others were hidden
            # from the signer and are not stored.
            self.base_fields = _category_base_fields(category)
        super().__init__(data, *args, **kwargs)

    def for_display(self, data):
        """The whole form (every category's fields) bound to `data`, with this form's errors:
        what the signer sees again when something needs correcting."""
        form = type(self)(data, all_fields=True)
        form._errors = self.errors  # already validated: not cleaned again
        form.cleaned_data = getattr(self, "cleaned_data", {})
        return form

    def release(self):
        """Drop the bound fields, which refer back to the form: the form and its fields are then
        freed as soon as the view is done with them instead of by a cyclic garbage collection
        (they were nearly all of a signature's cyclic garbage)."""
        self._bound_fields_cache.clear()

    def clean_postcode(self):
        value = self.cleaned_data["postcode"].strip().replace(" ", "")
        if value and not (geo.departement_for_postcode(value) or geo.departement_for_insee(value)):
            raise forms.ValidationError(gettext("Enter a French postcode of 5 digits, e.g. 69001."))
        return value.upper()

    def _clean_authority_code(self, kind, code):
        """(insee_code, siren, departement_code) for an authority, or a ValidationError."""
        code = code.strip().replace(" ", "").upper()
        if code.isdigit() and len(code) == 9:
            if not geo.is_valid_siren(code):
                raise forms.ValidationError(gettext("This SIREN number is not valid."))
            return "", code, None
        if kind == Organisation.Kind.COMMUNE:
            departement = geo.departement_for_insee(code)
            if departement:
                return code, "", departement
            raise forms.ValidationError(
                gettext("Enter the commune's INSEE code (5 characters, e.g. 69123) or its SIREN.")
            )
        if kind == Organisation.Kind.DEPARTEMENT:
            departement = geo.normalise_departement_code(code)
            if departement:
                return departement, "", departement
            raise forms.ValidationError(
                gettext("Enter the département's number (e.g. 69, 2A, 974) or its SIREN.")
            )
        if kind == Organisation.Kind.REGION and Region.objects.filter(code=code).exists():
            return code, "", None
        raise forms.ValidationError(gettext("Enter the authority's SIREN (9 digits)."))

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if category not in CATEGORY_FIELDS:
            return data
        for name, required in CATEGORY_FIELDS[category]:
            if required and not str(data.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, gettext("This field is required for this kind of signatory."))
        postcode = data.get("postcode") or ""
        departement = geo.departement_for_postcode(postcode) or geo.departement_for_insee(postcode)
        result = {"title": "", "organisation_name": "", "authority_kind": "", "commune": ""}
        result.update(insee_code="", siren="", postcode=postcode[:5])
        if category == Category.LOCAL_AUTHORITY:
            kind, code = data.get("authority_kind"), data.get("authority_code") or ""
            if kind and code and "authority_code" not in self.errors:
                try:
                    insee, siren, from_code = self._clean_authority_code(kind, code)
                except forms.ValidationError as error:
                    self.add_error("authority_code", error)
                else:
                    result.update(insee_code=insee, siren=siren)
                    departement = from_code or departement
            result.update(
                authority_kind=kind or "",
                organisation_name=data.get("authority_name", ""),
                title=data.get("representative_title", ""),
            )
        elif category == Category.ELECTED:
            result.update(title=data.get("office", ""), commune=data.get("territory", ""))
        elif category == Category.PROFESSIONAL:
            result.update(
                title=data.get("job_title", ""), organisation_name=data.get("establishment", "")
            )
        elif category == Category.ORGANISATION:
            result.update(
                organisation_name=data.get("organisation", ""),
                title=data.get("organisation_role", ""),
            )
        if category in POSTCODE_REQUIRED and not postcode and "postcode" not in self.errors:
            self.add_error("postcode", gettext("Enter your postcode."))
        if (
            category == Category.LOCAL_AUTHORITY
            and not departement
            and not postcode
            and "postcode" not in self.errors
            and not self.errors.get("authority_code")
        ):
            self.add_error(
                "postcode",
                gettext("Enter the authority's postcode (its SIREN does not say where it is)."),
            )
        labels = consent_labels()
        agreed = [labels["consent_sign"]]
        agreed += [
            labels[name] for name in ("consent_public", "consent_newsletter") if data.get(name)
        ]
        data.update(result, departement_code=departement, consent_text="\n".join(agreed))
        return data


SignatureForm.base_fields = FieldCopies(SignatureForm.base_fields)
_CATEGORY_ONLY = {name for fields in CATEGORY_FIELDS.values() for name, _required in fields}


@functools.cache
def _category_base_fields(category):
    own = {name for name, _required in CATEGORY_FIELDS[category]}
    return FieldCopies(
        (name, field)
        for name, field in SignatureForm.base_fields.items()
        if name not in _CATEGORY_ONLY or name in own
    )
