from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    """Reference list shipped with the app (data migration): 01..95, 2A, 2B, 971..976."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departements"
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Organisation(models.Model):
    """A local authority or other organisation; its official email domains drive verification."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("Intercommunality (EPCI)")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Region")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other organisation")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    insee_code = models.CharField(_("INSEE code"), max_length=5, blank=True, default="")
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, default="")
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    email_domains = models.TextField(
        _("official email domains"),
        blank=True,
        default="",
        help_text=_(
            "One domain per line, e.g. mairie-exemple.fr. Signers using them are verified."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "insee_code"],
                condition=~models.Q(insee_code=""),
                name="organisation_unique_insee_code",
            ),
            models.UniqueConstraint(
                fields=["siren"], condition=~models.Q(siren=""), name="organisation_unique_siren"
            ),
        ]

    def __str__(self):
        return self.name

    def official_domains(self):
        return {
            line.strip().lower().lstrip("@")
            for line in self.email_domains.splitlines()
            if line.strip()
        }
