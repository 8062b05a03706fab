from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """What a visitor sent to a signer-facing form, recorded as it came in.

    The request only writes this row and answers; it never reads signatories or signatures, so
    its answer and its timing say nothing about who signed. The worker (signatories.intake)
    decides what each submission means, oldest first.
    """

    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        SIGN = "sign", _("Signature")
        RESEND = "resend", _("Link sent again")
        DATA = "data", _("Copy of data")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        NEW = "new", _("New signature")
        REMINDED = "reminded", _("Known signature: email sent again")
        SIGNED_AGAIN = "signed-again", _("Withdrawn signature signed again")
        RESENT = "resent", _("Confirmation link sent again")
        DATA_SENT = "data-sent", _("Link to the data sent")
        NO_EMAIL = "no-email", _("Nothing to send")

    # The state machine: staff retry a failed row by putting it back in the queue.
    TRANSITIONS = {
        Status.WAITING: {Status.PROCESSED, Status.FAILED},
        Status.FAILED: {Status.WAITING},
        Status.PROCESSED: set(),
    }

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty for a request about every open campaign."),
    )
    email = models.CharField(_("email"), max_length=254, blank=True, default="")
    canonical_email = models.CharField(_("canonical email"), max_length=254, blank=True)
    email_domain = models.CharField(_("email domain"), max_length=254, blank=True, default="")
    # The form's cleaned fields and the consent wording shown; emptied once processed.
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, default="")
    # The request's abuse verdict; the worker adds the rate limits it sees.
    flags = models.CharField(_("flags"), max_length=255, blank=True, default="")
    bot = models.BooleanField(_("automated"), default=False)
    # The ALTCHA challenge solved: a solution is accepted once, by the unique constraint.
    challenge = models.CharField(max_length=128, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    failure = models.TextField(_("reason of the failure"), blank=True, default="")

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge"], name="submission_challenge_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["waiting", "processed", "failed"]),
                name="submission_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["sign", "resend", "data"]),
                name="submission_kind_valid",
            ),
        ]
        indexes = [
            # The worker's queue: only the rows still to process.
            models.Index(
                fields=["id"],
                condition=models.Q(status="waiting"),
                name="submission_waiting_idx",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(status="failed"),
                name="submission_failed_idx",
            ),
            # Rate limits, judged by the worker over the submissions before each one.
            models.Index(fields=["ip_hash", "created_at"], name="submission_ip_idx"),
            models.Index(fields=["email_domain", "created_at"], name="submission_domain_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def flag_list(self):
        return [flag for flag in self.flags.split(",") if flag]

    def can_transition(self, new_status):
        return new_status in self.TRANSITIONS.get(self.status, set())
