import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import Departement, Organisation


class Signatory(models.Model):
    """A person, identified by a canonical email. Details they sign with live on each Signature."""

    # Not content: keep Wagtail's reference index (a task per save) out of the signing path.
    wagtail_reference_index_ignore = True

    email = models.EmailField(_("email"), max_length=254)
    # Unique through Meta.constraints: unique=True would add a second, LIKE index on PostgreSQL.
    canonical_email = models.CharField(_("canonical email"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)
    # When a link to a copy of their data was last sent (at most one per DATA_REQUEST_INTERVAL).
    data_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(
                fields=["canonical_email"], name="signatory_canonical_email_unique"
            ),
        ]

    def __str__(self):
        return self.email


class SignatureQuerySet(models.QuerySet):
    def counted(self):
        """Signatures that count towards totals: confirmed or verified, whatever their source."""
        return self.filter(status__in=Signature.COUNTED_STATUSES)

    def public(self):
        """Shown on the public list: counted, listed by consent, and officials only once verified."""
        official = models.Q(category__in=Signature.VERIFIED_CATEGORIES)
        return self.filter(consent_public=True).filter(
            (~official & models.Q(status__in=Signature.COUNTED_STATUSES))
            | (official & models.Q(status=Signature.Status.VERIFIED))
        )

    def supporters(self):
        """Who receives the newsletters: counted, with newsletter consent, of a signatory (an
        address to write to); an offline signature only when its consent was recorded."""
        return self.filter(
            status__in=Signature.COUNTED_STATUSES,
            consent_newsletter=True,
            signatory__isnull=False,
        ).filter(models.Q(source=Signature.Source.ONLINE) | models.Q(consented_at__isnull=False))


class InvalidTransition(Exception):
    pass


class Signature(models.Model):
    """One signature of one campaign's letter, with its explicit life cycle."""

    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FLAGGED = "flagged", _("Flagged")
        INVALIDATED = "invalidated", _("Invalidated")

    class Category(models.TextChoices):
        LOCAL_AUTHORITY = "authority", _("Local authority")
        ELECTED = "elected", _("Elected official")
        PROFESSIONAL = "professional", _("Library professional")
        ORGANISATION = "organisation", _("Association or organisation")
        INDIVIDUAL = "individual", _("Individual")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online form")
        PAPER = "paper", _("Paper form")
        PARTNER = "partner", _("Partner list")
        IMPORT = "import", _("Import")

    class VerificationMethod(models.TextChoices):
        NONE = "", _("Not verified")
        DOMAIN = "domain", _("Official email domain")
        REGISTER = "register", _("Register of elected officials")
        STAFF = "staff", _("Staff review")

    COUNTED_STATUSES = (Status.CONFIRMED, Status.VERIFIED)
    VERIFIED_CATEGORIES = (Category.LOCAL_AUTHORITY, Category.ELECTED)

    # The state machine: every allowed move, in one place.
    TRANSITIONS = {
        Status.PENDING: {Status.CONFIRMED, Status.FLAGGED, Status.WITHDRAWN, Status.INVALIDATED},
        Status.CONFIRMED: {
            Status.VERIFIED,
            Status.REJECTED,
            Status.FLAGGED,
            Status.WITHDRAWN,
            Status.INVALIDATED,
        },
        Status.VERIFIED: {Status.REJECTED, Status.WITHDRAWN, Status.INVALIDATED},
        Status.REJECTED: {Status.VERIFIED, Status.CONFIRMED, Status.WITHDRAWN},
        Status.FLAGGED: {
            Status.PENDING,
            Status.CONFIRMED,
            Status.VERIFIED,
            Status.WITHDRAWN,
            Status.INVALIDATED,
        },
        Status.INVALIDATED: {Status.PENDING, Status.CONFIRMED, Status.VERIFIED, Status.FLAGGED},
        Status.WITHDRAWN: {Status.PENDING},
    }

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="signatures",
        db_index=False,  # the unique constraint and the indexes below all start with it
    )
    signatory = models.ForeignKey(
        Signatory,
        verbose_name=_("signatory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signatures",
        help_text=_("Empty once anonymised, or for offline signatures without an email."),
        db_index=False,  # the one-per-campaign constraint starts with it
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.ONLINE
    )
    source_detail = models.CharField(_("source detail"), max_length=255, blank=True, default="")

    # What the signer declared.
    first_name = models.CharField(_("first name"), max_length=100, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=100, blank=True, default="")
    title = models.CharField(_("office or job title"), max_length=150, blank=True, default="")
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True, default="")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("recognised organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signatures",
        db_index=False,  # a partial index below: most signatures have none
    )
    authority_kind = models.CharField(
        _("kind of authority"),
        max_length=16,
        choices=Organisation.Kind.choices,
        blank=True,
        default="",
    )
    insee_code = models.CharField(_("INSEE code"), max_length=5, blank=True, default="")
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, default="")
    postcode = models.CharField(_("postcode"), max_length=5, blank=True, default="")
    commune = models.CharField(_("commune"), max_length=150, blank=True, default="")
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signatures",
    )
    language = models.CharField(_("language"), max_length=8, default="fr")

    # Consents: separate, none pre-ticked; the wording and version agreed to are kept.
    consent_public = models.BooleanField(_("agreed to be listed publicly"), default=False)
    consent_newsletter = models.BooleanField(_("agreed to receive newsletters"), default=False)
    consent_version = models.CharField(_("consent version"), max_length=32, blank=True, default="")
    consent_text = models.TextField(_("consent wording"), blank=True, default="")
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)

    # Integrity.
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, default="")
    email_domain = models.CharField(_("email domain"), max_length=254, blank=True, default="")
    token = models.CharField(max_length=43, default="", blank=True, editable=False)
    emails_sent = models.PositiveSmallIntegerField(_("emails sent"), default=0)
    last_emailed_at = models.DateTimeField(_("last emailed at"), null=True, blank=True)
    flag_reason = models.CharField(_("flag reason"), max_length=255, blank=True, default="")

    # Verification of officials and authorities.
    verification_method = models.CharField(
        _("verification method"),
        max_length=16,
        choices=VerificationMethod.choices,
        blank=True,
        default="",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index below: most signatures have none
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True, default="")

    created_at = models.DateTimeField(_("signed at"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-created_at"]
        constraints = [
            # One signature per person per campaign: the race-proof duplicate check.
            # Signatory first, so that it also serves the lookups of a person's signatures.
            models.UniqueConstraint(
                fields=["signatory", "campaign"], name="signature_one_per_signatory_per_campaign"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "pending",
                        "confirmed",
                        "verified",
                        "rejected",
                        "withdrawn",
                        "flagged",
                        "invalidated",
                    ]
                ),
                name="signature_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    category__in=[
                        "authority",
                        "elected",
                        "professional",
                        "organisation",
                        "individual",
                    ]
                ),
                name="signature_category_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_at__isnull=False),
                name="signature_verified_has_date",
            ),
        ]
        # Every index costs each signature an insert: plain B-trees for the exact matches of the
        # moderation queues (db_index=True would add a second, LIKE index on PostgreSQL).
        indexes = [
            models.Index(fields=["campaign", "status", "category"]),
            models.Index(fields=["campaign", "departement"]),
            models.Index(fields=["status"], name="signature_status_idx"),
            models.Index(fields=["ip_hash"], name="signature_ip_hash_idx"),
            models.Index(fields=["email_domain"], name="signature_email_domain_idx"),
            models.Index(
                fields=["organisation"],
                condition=models.Q(organisation__isnull=False),
                name="signature_organisation_idx",
            ),
            models.Index(
                fields=["verified_by"],
                condition=models.Q(verified_by__isnull=False),
                name="signature_verified_by_idx",
            ),
        ]

    def __str__(self):
        return self.display_name or str(_("Anonymised signature"))

    def save(self, *args, **kwargs):
        self.ensure_token()
        super().save(*args, **kwargs)

    def ensure_token(self):
        if not self.token:
            self.token = secrets.token_urlsafe(32)

    @property
    def display_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_counted(self):
        return self.status in self.COUNTED_STATUSES

    @property
    def needs_verification(self):
        return self.category in self.VERIFIED_CATEGORIES

    def can_transition(self, new_status):
        return new_status in self.TRANSITIONS.get(self.status, set())

    def transition(self, new_status):
        """Move to new_status or raise InvalidTransition; the caller saves."""
        if not self.can_transition(new_status):
            raise InvalidTransition(f"{self.status} -> {new_status}")
        self.status = new_status
