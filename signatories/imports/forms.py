"""The admin's upload and export forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from signatories.models import Departement, Signature

from . import registry
from .models import ImportJob
from .readers import format_for_name

MAX_UPLOAD_BYTES = 300 * 1024 * 1024

EXPORT_KINDS = [
    ("signatures", _("Signatures")),
    ("signatories", _("Signatories")),
    ("organisations", _("Organisations and local authorities")),
    ("targets", _("Targets (decision makers)")),
    ("register", _("Register of elected officials")),
]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (comma or semicolon, UTF-8 or Windows-1252), XLSX or JSON."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        required=False,
        help_text=_("Required for signatures."),
    )
    source = forms.ChoiceField(
        label=_("Source of the signatures"),
        choices=[(value, label) for value, label in Signature.Source.choices if value != "online"],
        initial=Signature.Source.PAPER,
        required=False,
    )
    source_detail = forms.CharField(
        label=_("Source detail"),
        max_length=255,
        required=False,
        help_text=_("For example the partner association or the event where forms were signed."),
    )
    mandate = forms.ChoiceField(
        label=_("Mandate of the register file"),
        choices=lambda: [
            ("", _("— an export of this site’s register —")),
            *registry.option_choices("mandate"),
        ],
        required=False,
        help_text=_("For a file of the Répertoire national des élus as published."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if format_for_name(upload.name) is None:
            raise forms.ValidationError(_("Upload a .csv, .xlsx or .json file."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 300 MB."))
        return upload

    def clean(self):
        data = super().clean()
        if data.get("kind") == ImportJob.Kind.SIGNATURES and not data.get("campaign"):
            self.add_error("campaign", _("Choose the campaign these signatures belong to."))
        if data.get("kind") != ImportJob.Kind.SIGNATURES:
            data["source"] = ""
            data["source_detail"] = ""
        if data.get("kind") != ImportJob.Kind.REGISTER:
            data["mandate"] = ""
        return data


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to export"), choices=EXPORT_KINDS)
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX"), ("json", "JSON")]
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.all(), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Signature.Category.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Signature.Status.choices], required=False
    )
    departement = forms.ModelChoiceField(
        label=_("Département"), queryset=Departement.objects.all(), required=False
    )

    def filters(self):
        data = self.cleaned_data
        if data["kind"] != "signatures":
            return {}
        return {key: data[key] for key in ("campaign", "category", "status", "departement")}
