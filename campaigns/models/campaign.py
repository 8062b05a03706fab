import threading
import time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MEMO_SECONDS = 5  # how long a process keeps a campaign it read for signing


class CampaignManager(models.Manager):
    """Adds a short-lived, per-process memo of campaigns by slug for the signing hot path.

    Every signature needs its campaign; reading it from the database each time cost about a
    tenth of a signing request. Saving or deleting a campaign clears this process's memo (see
    campaigns.apps); other processes see the change within MEMO_SECONDS.
    """

    _memo = {}
    _lock = threading.Lock()

    def get_memoized(self, slug):
        """The campaign with this slug, shared between requests: treat it as read-only.
        Raises Campaign.DoesNotExist."""
        ttl = MEMO_SECONDS
        now = time.monotonic()
        hit = self._memo.get(slug)
        if hit and hit[0] > now:
            return hit[1]
        campaign = self.get(slug=slug)
        if ttl > 0:
            with self._lock:
                self._memo[slug] = (now + ttl, campaign)
        return campaign

    @classmethod
    def forget(cls):
        with cls._lock:
            cls._memo.clear()


class Campaign(models.Model):
    """A campaign: the open letter's signature drive, its goal and its calendar."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signatures")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    goal = models.PositiveIntegerField(_("signature goal"), default=1000)
    milestones = models.CharField(
        _("milestones"),
        max_length=255,
        blank=True,
        help_text=_("Comma-separated signature counts to celebrate, e.g. 100, 500, 1000."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignManager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "open", "closed", "archived"]),
                name="campaign_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True)
                | models.Q(opens_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None):
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def milestone_list(self):
        values = []
        for part in self.milestones.split(","):
            part = part.strip()
            if part.isdigit():
                values.append(int(part))
        return sorted(values)
