from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateTimeInput

from campaigns.models import Campaign
from signatories import geo
from signatories.models import Organisation

from .services import Criteria, ModerationError

ACTION_CHOICES = [
    ("verify", _("Verify")),
    ("reject", _("Reject")),
    ("unflag", _("Clear the flag")),
    ("invalidate", _("Invalidate")),
]


class ActionForm(forms.Form):
    """One moderation action on one or many signatures (checkboxes named "ids")."""

    action = forms.ChoiceField(label=_("Action"), choices=ACTION_CHOICES)
    ids = forms.TypedMultipleChoiceField(
        label=_("Signatures"),
        coerce=int,
        required=True,
        error_messages={"required": _("Select at least one signature.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject or invalidate; kept in the audit trail."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is accepted here; the services say which signatures exist and can move.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(value, value) for value in raw]

    def clean_ids(self):
        return list(dict.fromkeys(self.cleaned_data["ids"]))[:1000]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("action") in {"reject", "invalidate"}
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason: it is kept in the audit trail."))
        return cleaned


def normalise_domain(value):
    return (value or "").strip().lower().lstrip("@")


class BulkInvalidationForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("-created_at"),
        required=False,
        empty_label=_("All campaigns"),
    )
    email_domain = forms.CharField(
        label=capfirst(_("Email domain")),
        required=False,
        max_length=254,
        help_text=_("For example spam-example.com (exact domain)."),
    )
    ip_hash = forms.CharField(
        label=capfirst(_("IP hash")),
        required=False,
        max_length=64,
        help_text=_("As shown in the flagged queue or on a signature."),
    )
    signed_from = forms.DateTimeField(
        label=_("Signed from"), required=False, widget=AdminDateTimeInput
    )
    signed_until = forms.DateTimeField(
        label=_("Signed until"), required=False, widget=AdminDateTimeInput
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason: it is kept in the log.")},
    )

    def clean_email_domain(self):
        domain = normalise_domain(self.cleaned_data.get("email_domain"))
        if domain:
            try:
                validate_domain_name(domain)
            except ValidationError:
                raise ValidationError(_("Enter a domain name such as example.com.")) from None
        return domain

    def clean_ip_hash(self):
        value = (self.cleaned_data.get("ip_hash") or "").strip().lower()
        if value and not all(char in "0123456789abcdef" for char in value):
            raise ValidationError(_("An IP hash is made of hexadecimal characters."))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start, end = cleaned.get("signed_from"), cleaned.get("signed_until")
        if start and end and end <= start:
            self.add_error("signed_until", _("The end of the time window must be after its start."))
            return cleaned
        if bool(start) != bool(end) and not (cleaned.get("email_domain") or cleaned.get("ip_hash")):
            self.add_error(
                "signed_until" if start else "signed_from",
                _("A time window alone needs both a start and an end."),
            )
            return cleaned
        try:
            self.criteria.validate()
        except ModerationError as error:
            raise ValidationError(str(error)) from None
        return cleaned

    @property
    def criteria(self):
        data = self.cleaned_data
        return Criteria(
            campaign=data.get("campaign"),
            email_domain=data.get("email_domain") or "",
            ip_hash=data.get("ip_hash") or "",
            signed_from=data.get("signed_from"),
            signed_until=data.get("signed_until"),
        )


class OrganisationForm(WagtailAdminModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "insee_code", "siren", "departement", "email_domains"]
        widgets = {"email_domains": forms.Textarea(attrs={"rows": 4})}

    def clean_email_domains(self):
        lines = [normalise_domain(line) for line in self.cleaned_data["email_domains"].splitlines()]
        domains = list(dict.fromkeys(line for line in lines if line))
        bad = []
        for domain in domains:
            try:
                validate_domain_name(domain)
                if "." not in domain:
                    raise ValidationError("no dot")
            except ValidationError:
                bad.append(domain)
        if bad:
            raise ValidationError(
                _(
                    "Not a domain name: %(domains)s. Put one domain per line, e.g. mairie-exemple.fr."
                ),
                params={"domains": ", ".join(bad)},
            )
        return "\n".join(domains)

    def clean_insee_code(self):
        value = self.cleaned_data["insee_code"].strip().upper()
        if value and not (len(value) == 5 and value[:2].isalnum() and value[2:].isdigit()):
            raise ValidationError(_("An INSEE code has five characters, e.g. 69266 or 2A004."))
        return value

    def clean_siren(self):
        value = self.cleaned_data["siren"].replace(" ", "")
        if value and not geo.is_valid_siren(value):
            raise ValidationError(_("A SIREN number has nine digits with a valid check digit."))
        return value
