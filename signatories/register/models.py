"""The national register of elected officials (Répertoire national des élus, RNE)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mandate(models.TextChoices):
    MAIRES = "maires", _("Mayors")
    CONSEILLERS_MUNICIPAUX = "cm", _("Municipal councillors")
    CONSEILLERS_COMMUNAUTAIRES = "epci", _("Intercommunal councillors")
    CONSEILLERS_DEPARTEMENTAUX = "cd", _("Departmental councillors")
    CONSEILLERS_REGIONAUX = "cr", _("Regional councillors")
    DEPUTES = "deputes", _("Members of the National Assembly")
    SENATEURS = "senateurs", _("Senators")


class RegisterEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class RegisterEntry(models.Model):
    """One mandate held by one person, as published; upserted on its natural key each quarter."""

    mandate = models.CharField(_("mandate"), max_length=16, choices=Mandate.choices)
    natural_key = models.CharField(
        _("natural key"),
        max_length=255,
        unique=True,
        help_text=_("Mandate, territory code, normalised names and birth date."),
    )
    # Territory.
    departement_code = models.CharField(_("département code"), max_length=3, blank=True)
    departement_name = models.CharField(_("département"), max_length=100, blank=True)
    commune_code = models.CharField(_("commune INSEE code"), max_length=5, blank=True)
    commune_name = models.CharField(_("commune"), max_length=150, blank=True)
    territory_code = models.CharField(
        _("territory code"),
        max_length=20,
        blank=True,
        help_text=_("Canton, constituency, region, EPCI SIREN or special collectivity."),
    )
    territory_name = models.CharField(_("territory"), max_length=150, blank=True)
    # Person.
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    normalised_last_name = models.CharField(max_length=100, db_index=True, editable=False)
    normalised_first_name = models.CharField(max_length=100, editable=False)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    profession_code = models.CharField(
        _("socio-professional category code"), max_length=8, blank=True
    )
    profession = models.CharField(_("socio-professional category"), max_length=150, blank=True)
    # Office.
    function = models.CharField(_("function"), max_length=150, blank=True)
    mandate_start = models.DateField(_("mandate start"), null=True, blank=True)
    function_start = models.DateField(_("function start"), null=True, blank=True)
    # Presence in the latest import of the mandate's file.
    active = models.BooleanField(_("in office"), default=True, db_index=True)
    left_office_on = models.DateField(
        _("left office on"),
        null=True,
        blank=True,
        help_text=_("Date of the first import this entry was missing from."),
    )
    first_seen_at = models.DateTimeField(_("first imported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last imported at"), auto_now=True)

    objects = RegisterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["mandate", "active"]),
            models.Index(fields=["commune_code"]),
            models.Index(fields=["departement_code", "normalised_last_name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active=True) | models.Q(left_office_on__isnull=False),
                name="register_left_office_has_date",
            ),
        ]

    def __str__(self):
        where = self.commune_name or self.territory_name or self.departement_name
        return f"{self.first_name} {self.last_name}, {self.function or self.get_mandate_display()} ({where})"


class RegisterCandidate(models.Model):
    """A near match between a signature and a register entry, for staff to confirm or dismiss."""

    signature = models.ForeignKey(
        "signatories.Signature",
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="register_candidates",
    )
    entry = models.ForeignKey(
        RegisterEntry,
        verbose_name=_("register entry"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    score = models.PositiveSmallIntegerField(_("score"), help_text=_("0 to 100."))
    reasons = models.CharField(_("why it is a candidate"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("register candidate")
        verbose_name_plural = _("register candidates")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["signature", "entry"], name="register_candidate_once"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="register_score_max"),
        ]

    def __str__(self):
        return f"{self.entry} ({self.score})"
