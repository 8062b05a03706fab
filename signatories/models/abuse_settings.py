"""Abuse limits that moderators tighten during an attack from the admin, without a deploy
(Settings › Abuse protection). An empty field keeps the deployment's default from the
environment (SIGNATURES_RATE_*, SIGNATURES_WEBMAIL_DOMAINS, SIGNATURES_ALTCHA_COST)."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

RATE_RE = re.compile(r"^\d{1,7}/\d{1,7}$")


def validate_rate(value):
    if value and not RATE_RE.match(value):
        raise ValidationError(
            _("Write a number of signatures, a slash and a number of seconds, e.g. 20/60.")
        )


def rate_field(label):
    return models.CharField(
        label,
        max_length=16,
        blank=True,
        validators=[validate_rate],
        help_text=_("Signatures/seconds, e.g. 20/60. Empty: the deployment's default."),
    )


@dataclass(frozen=True)
class Limits:
    """The limits in force: each value from the admin, else from the environment."""

    ip_burst: str
    ip_sustained: str
    domain_burst: str
    domain_sustained: str
    webmail_burst: str
    webmail_sustained: str
    webmail_domains: frozenset
    altcha_cost: int


# Each field's default from the environment, shown as its placeholder: what an empty field means.
DEFAULTS = {
    "rate_ip_burst": "SIGNATURES_RATE_IP_BURST",
    "rate_ip_sustained": "SIGNATURES_RATE_IP_SUSTAINED",
    "rate_domain_burst": "SIGNATURES_RATE_DOMAIN_BURST",
    "rate_domain_sustained": "SIGNATURES_RATE_DOMAIN_SUSTAINED",
    "rate_webmail_burst": "SIGNATURES_RATE_WEBMAIL_BURST",
    "rate_webmail_sustained": "SIGNATURES_RATE_WEBMAIL_SUSTAINED",
    "webmail_domains": "SIGNATURES_WEBMAIL_DOMAINS",
    "altcha_cost": "SIGNATURES_ALTCHA_COST",
}


class AbuseSettingsForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, setting in DEFAULTS.items():
            default = getattr(settings, setting)
            if isinstance(default, frozenset | set | list | tuple):
                default = "\n".join(sorted(default))
            self.fields[name].widget.attrs["placeholder"] = str(default)


@register_setting(icon="warning")
class AbuseSettings(BaseGenericSetting):
    base_form_class = AbuseSettingsForm

    rate_ip_burst = rate_field(_("per IP address, burst"))
    rate_ip_sustained = rate_field(_("per IP address, sustained"))
    rate_domain_burst = rate_field(_("per email domain, burst"))
    rate_domain_sustained = rate_field(_("per email domain, sustained"))
    rate_webmail_burst = rate_field(_("per webmail domain, burst"))
    rate_webmail_sustained = rate_field(_("per webmail domain, sustained"))
    webmail_domains = models.TextField(
        _("webmail domains"),
        blank=True,
        help_text=_(
            "One domain per line (gmail.com, orange.fr…): they get the webmail limits. "
            "Empty: the deployment's list."
        ),
    )
    altcha_cost = models.PositiveIntegerField(
        _("proof-of-work cost"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Iterations per attempt of the anti-robot check: higher slows robots, and phones "
            "too. Empty: the deployment's default."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("rate_ip_burst"),
                FieldPanel("rate_ip_sustained"),
                FieldPanel("rate_domain_burst"),
                FieldPanel("rate_domain_sustained"),
                FieldPanel("rate_webmail_burst"),
                FieldPanel("rate_webmail_sustained"),
            ],
            heading=_("Rate limits: over them, a signature is kept but set aside for review"),
        ),
        FieldPanel("webmail_domains"),
        FieldPanel("altcha_cost"),
    ]

    class Meta:
        verbose_name = _("abuse protection")

    @classmethod
    def limits(cls):
        """The limits in force now (one query: read per batch or per challenge, not per hit)."""
        row = cls.objects.first() or cls()
        domains = {line.strip().lower() for line in row.webmail_domains.splitlines()} - {""}
        return Limits(
            ip_burst=row.rate_ip_burst or settings.SIGNATURES_RATE_IP_BURST,
            ip_sustained=row.rate_ip_sustained or settings.SIGNATURES_RATE_IP_SUSTAINED,
            domain_burst=row.rate_domain_burst or settings.SIGNATURES_RATE_DOMAIN_BURST,
            domain_sustained=row.rate_domain_sustained or settings.SIGNATURES_RATE_DOMAIN_SUSTAINED,
            webmail_burst=row.rate_webmail_burst or settings.SIGNATURES_RATE_WEBMAIL_BURST,
            webmail_sustained=row.rate_webmail_sustained
            or settings.SIGNATURES_RATE_WEBMAIL_SUSTAINED,
            webmail_domains=frozenset(domains) or frozenset(settings.SIGNATURES_WEBMAIL_DOMAINS),
            altcha_cost=row.altcha_cost or settings.SIGNATURES_ALTCHA_COST,
        )
