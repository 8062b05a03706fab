"""Decision makers the letter is delivered to, the deliveries themselves, and their answers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """A decision maker: a ministry, a member of parliament, an association of elected officials..."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        MP = "mp", _("Member of the National Assembly")
        SENATOR = "senator", _("Senator")
        ASSOCIATION = "association", _("Association of elected officials")
        LOCAL_EXECUTIVE = "local", _("Local executive")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    title = models.CharField(_("title"), max_length=255, blank=True, default="")
    institution = models.CharField(_("institution"), max_length=255, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    email = models.EmailField(_("email"), blank=True, default="")
    postal_address = models.TextField(_("postal address"), blank=True, default="")
    territory = models.CharField(
        _("territory"),
        max_length=150,
        blank=True,
        default="",
        help_text=_("Constituency, département or region, if any."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "institution"], name="delivery_target_unique_name_institution"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.institution})" if self.institution else self.name


class Delivery(models.Model):
    """The letter and its signatories, bundled as a PDF dossier and sent to targets."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        GENERATING = "generating", _("Generating the dossier")
        READY = "ready", _("Dossier ready")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    title = models.CharField(_("title"), max_length=255)
    targets = models.ManyToManyField(
        Target, verbose_name=_("targets"), related_name="deliveries", blank=True
    )
    message = models.TextField(
        _("email message"),
        blank=True,
        default="",
        help_text=_("Text of the email sent to the targets with the dossier."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    dossier = models.FileField(_("PDF dossier"), upload_to="deliveries/", blank=True)
    dossier_generated_at = models.DateTimeField(_("dossier generated at"), null=True, blank=True)
    signature_count = models.PositiveIntegerField(_("signatures in the dossier"), default=0)
    error = models.TextField(_("last error"), blank=True, default="")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class DeliverySend(models.Model):
    """One email of a delivery to one target: the record that it went out (or why not)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (no email address)")

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="sends"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="sends"
    )
    email = models.EmailField(_("email"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True, default="")
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery email")
        verbose_name_plural = _("delivery emails")
        ordering = ["target__name"]
        constraints = [
            # Safe to run twice: one send per target per delivery.
            models.UniqueConstraint(fields=["delivery", "target"], name="delivery_send_once"),
        ]

    def __str__(self):
        return f"{self.delivery} → {self.target}"


class TargetAnswerQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class TargetAnswer(models.Model):
    """A decision maker's answer to the letter, recorded by staff, optionally shown publicly."""

    class Position(models.TextChoices):
        AGREE = "agree", _("Agrees")
        DISAGREE = "disagree", _("Disagrees")
        PENDING = "pending", _("No answer yet")

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="answers"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="target_answers",
    )
    position = models.CharField(
        _("position"), max_length=16, choices=Position.choices, default=Position.PENDING
    )
    text = models.TextField(_("answer"), blank=True, default="")
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    published = models.BooleanField(_("shown on the letter page"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer from a target")
        verbose_name_plural = _("answers from targets")
        ordering = ["target__name"]
        constraints = [
            models.UniqueConstraint(fields=["target", "campaign"], name="delivery_one_answer"),
            models.CheckConstraint(
                condition=models.Q(position__in=["agree", "disagree", "pending"]),
                name="delivery_answer_position_valid",
            ),
        ]

    def __str__(self):
        return f"{self.target} – {self.get_position_display()}"
