"""The audit trail of staff actions on signatures, and the log of bulk invalidations.

Every status change made by staff writes one ModerationEvent (who, what, from which status to
which, why, when). A bulk invalidation writes one BulkInvalidation holding its criteria, and one
event per affected signature whose ``from_status`` is what an undo restores.
"""

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from signatories.models import Signature


class ModerationEvent(models.Model):
    class Action(models.TextChoices):
        VERIFY = "verify", _("Verified")
        REJECT = "reject", _("Rejected")
        UNFLAG = "unflag", _("Flag cleared")
        INVALIDATE = "invalidate", _("Invalidated")
        RESTORE = "restore", _("Restored (undo)")

    signature = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="moderation_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=Signature.Status.choices
    )
    to_status = models.CharField(_("new status"), max_length=16, choices=Signature.Status.choices)
    reason = models.TextField(_("reason"), blank=True, default="")
    bulk = models.ForeignKey(
        "BulkInvalidation",
        verbose_name=_("bulk invalidation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("moderate_signature", _("Can verify, reject and clear flags on signatures")),
            ("bulk_invalidate_signature", _("Can invalidate signatures in bulk and undo it")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    action__in=["verify", "reject", "unflag", "invalidate", "restore"]
                ),
                name="moderation_event_action_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")),
                name="moderation_event_changes_status",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.signature_id} ({self.from_status} → {self.to_status})"


class BulkInvalidation(models.Model):
    """One bulk invalidation: its criteria, who ran it, and whether (and by whom) it was undone."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    email_domain = models.CharField(_("email domain"), max_length=254, blank=True, default="")
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, default="")
    signed_from = models.DateTimeField(_("signed from"), null=True, blank=True)
    signed_until = models.DateTimeField(_("signed until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    affected = models.PositiveIntegerField(_("signatures invalidated"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True, db_index=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    restored = models.PositiveIntegerField(_("signatures restored"), default=0)

    class Meta:
        verbose_name = _("bulk invalidation")
        verbose_name_plural = _("bulk invalidations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A bulk invalidation needs a narrowing criterion: never "everything in a campaign".
            models.CheckConstraint(
                condition=~models.Q(email_domain="")
                | ~models.Q(ip_hash="")
                | (models.Q(signed_from__isnull=False) & models.Q(signed_until__isnull=False)),
                name="bulk_invalidation_has_criterion",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_from__isnull=True)
                | models.Q(signed_until__isnull=True)
                | models.Q(signed_until__gt=models.F("signed_from")),
                name="bulk_invalidation_window_ordered",
            ),
        ]

    def __str__(self):
        return str(_("Bulk invalidation #%(pk)s") % {"pk": self.pk})

    @property
    def is_undone(self):
        return self.undone_at is not None

    def criteria_display(self):
        """Human-readable criteria, for lists and confirmations."""
        parts = []
        if self.campaign_id:
            parts.append(f"{_('campaign')}: {self.campaign}")
        if self.email_domain:
            parts.append(f"{_('email domain')}: {self.email_domain}")
        if self.ip_hash:
            parts.append(f"{_('IP hash')}: {self.ip_hash[:12]}…")
        if self.signed_from or self.signed_until:
            start, end = (
                date_format(localtime(value), "SHORT_DATETIME_FORMAT") if value else "…"
                for value in (self.signed_from, self.signed_until)
            )
            parts.append(f"{_('signed')}: {start} → {end}")
        return " · ".join(parts)
