"""Mailchimp sync: per-campaign audience connections, the outbox, batches and webhook events.

The outbox holds one row per supporter and audience. Rows are written in the same transaction as
the signature, consent change, withdrawal or erasure that causes them (receivers.py, services.py);
the worker drains them (sync.py) building each member from the database at send time. Every move
of a row between its states is one of the `Move`s below.
"""

import hashlib
import secrets
from typing import NamedTuple

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def member_hash(email):
    """Mailchimp's member id: md5 of the lower-cased email."""
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def new_webhook_secret():
    return secrets.token_urlsafe(32)


class AudienceConnection(models.Model):
    """A campaign connected to one Mailchimp audience (list), with its tags and merge fields."""

    class OptIn(models.TextChoices):
        PENDING = "pending", _("Pending: Mailchimp sends its own confirmation email")
        SUBSCRIBED = "subscribed", _("Subscribed: the email was already confirmed here")

    class Withdrawal(models.TextChoices):
        ARCHIVE = "archive", _("Archive the contact")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe the contact")

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="mailchimp_connection",
    )
    list_id = models.CharField(
        _("audience id"),
        max_length=32,
        unique=True,
        help_text=_(
            "In Mailchimp: Audience › Settings › Audience name and defaults › Audience ID."
        ),
    )
    opt_in = models.CharField(
        _("opt-in policy"), max_length=16, choices=OptIn.choices, default=OptIn.PENDING
    )
    on_withdrawal = models.CharField(
        _("when a supporter withdraws"),
        max_length=16,
        choices=Withdrawal.choices,
        default=Withdrawal.ARCHIVE,
    )

    # Tags: empty means "don't tag".
    tag_campaign = models.CharField(
        _("campaign tag"), max_length=100, blank=True, help_text=_("Defaults to the campaign slug.")
    )
    tag_verified = models.CharField(
        _("verified tag"), max_length=100, blank=True, default="vérifié"
    )
    tag_authority = models.CharField(
        _("local authority tag"), max_length=100, blank=True, default="collectivités"
    )
    tag_elected = models.CharField(
        _("elected official tag"), max_length=100, blank=True, default="élus"
    )
    tag_professional = models.CharField(
        _("library professional tag"), max_length=100, blank=True, default="professionnels"
    )
    tag_organisation = models.CharField(
        _("organisation tag"), max_length=100, blank=True, default="associations"
    )
    tag_individual = models.CharField(
        _("individual tag"), max_length=100, blank=True, default="citoyens"
    )
    tag_departement_prefix = models.CharField(
        _("département tag prefix"),
        max_length=50,
        blank=True,
        default="Département",
        help_text=_("Followed by the département code, e.g. “Département 69”. Empty: no tag."),
    )

    # Merge fields: the Mailchimp merge tag each value goes to; empty means "not sent".
    merge_first_name = models.CharField(
        _("first name merge tag"), max_length=10, blank=True, default="FNAME"
    )
    merge_last_name = models.CharField(
        _("last name merge tag"), max_length=10, blank=True, default="LNAME"
    )
    merge_organisation = models.CharField(
        _("organisation merge tag"), max_length=10, blank=True, default="ORG"
    )
    merge_title = models.CharField(_("title merge tag"), max_length=10, blank=True, default="TITLE")
    merge_departement = models.CharField(
        _("département merge tag"), max_length=10, blank=True, default="DEPT"
    )

    # Webhook Mailchimp -> product; the secret in the URL is the only authentication.
    webhook_secret = models.CharField(
        max_length=64, unique=True, default=new_webhook_secret, editable=False
    )
    webhook_id = models.CharField(
        _("webhook id"), max_length=64, blank=True, default="", editable=False
    )
    webhook_error = models.TextField(
        _("webhook registration error"), blank=True, default="", editable=False
    )

    # Queue state.
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True, editable=False)
    pause_reason = models.TextField(_("pause reason"), blank=True, default="", editable=False)
    last_reconciled_at = models.DateTimeField(
        _("last reconciled at"), null=True, blank=True, editable=False
    )
    full_sync_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Mailchimp audience")
        verbose_name_plural = _("Mailchimp audiences")
        ordering = ["campaign__title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opt_in__in=["pending", "subscribed"]),
                name="mailchimp_connection_opt_in_valid",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.list_id}"

    @property
    def is_paused(self):
        return self.paused_at is not None

    def category_tags(self):
        return {
            "authority": self.tag_authority,
            "elected": self.tag_elected,
            "professional": self.tag_professional,
            "organisation": self.tag_organisation,
            "individual": self.tag_individual,
        }

    def campaign_tag(self):
        return self.tag_campaign or self.campaign.slug

    def pause(self, reason):
        self.paused_at = timezone.now()
        self.pause_reason = reason[:2000]
        self.save(update_fields=["paused_at", "pause_reason", "updated_at"])

    def resume(self):
        self.paused_at = None
        self.pause_reason = ""
        self.save(update_fields=["paused_at", "pause_reason", "updated_at"])


class Move(NamedTuple):
    """One move of outbox rows: from any state of `sources` to `target`."""

    sources: tuple
    target: str


class OutboxEntryQuerySet(models.QuerySet):
    def move(self, move, **changes):
        """Move the rows that may make `move` (the others are left as they are); returns how many."""
        return self.filter(state__in=move.sources).update(state=move.target, **changes)


class OutboxEntry(models.Model):
    """What Mailchimp should know about one supporter in one audience, and how far it got."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_FLIGHT = "in_flight", _("Being sent")
        SYNCED = "synced", _("Synced")
        FAILED = "failed", _("Refused by Mailchimp")
        DEAD = "dead", _("Gave up after retries")
        CANCELLED = "cancelled", _("Cancelled: nothing to send")

    class MemberStatus(models.TextChoices):
        """What we know of the member in Mailchimp; unsubscribed and cleaned are never overridden."""

        UNKNOWN = "", _("Not in Mailchimp yet")
        SUBSCRIBED = "subscribed", _("Subscribed")
        PENDING = "pending", _("Awaiting opt-in confirmation")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        CLEANED = "cleaned", _("Cleaned (bounced)")
        ARCHIVED = "archived", _("Archived")
        DELETED = "deleted", _("Permanently deleted")

    ATTENTION_STATES = (State.FAILED, State.DEAD)
    NEVER_RESUBSCRIBE = (MemberStatus.UNSUBSCRIBED, MemberStatus.CLEANED, MemberStatus.DELETED)

    connection = models.ForeignKey(
        AudienceConnection,
        verbose_name=_("audience"),
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    signatory = models.ForeignKey(
        "signatories.Signatory",
        verbose_name=_("signatory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailchimp_outbox",
    )
    subscriber_hash = models.CharField(_("member id"), max_length=32)
    # The address Mailchimp knows, when it differs from the signatory's (webhook "upemail").
    mailchimp_email = models.EmailField(_("email in Mailchimp"), blank=True, default="")
    erase_requested = models.BooleanField(_("erasure requested"), default=False)

    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    member_status = models.CharField(
        _("status in Mailchimp"),
        max_length=16,
        choices=MemberStatus.choices,
        blank=True,
        default="",
    )
    # Bumped by every change; a send only settles the row if no change came in meanwhile.
    version = models.PositiveIntegerField(default=1)
    claimed_version = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # What was last accepted by Mailchimp, so that unchanged supporters cost no call.
    synced_hash = models.CharField(max_length=64, blank=True, default="")
    synced_tags = models.JSONField(default=list, blank=True)
    # What is being sent now (applied to synced_* on success).
    sending_hash = models.CharField(max_length=64, blank=True, default="")
    sending_tags = models.JSONField(default=list, blank=True)
    sending_action = models.CharField(max_length=64, blank=True, default="")
    batch = models.ForeignKey(
        "Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutboxEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Mailchimp sync entry")
        verbose_name_plural = _("Mailchimp sync entries")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "subscriber_hash"], name="mailchimp_outbox_one_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    state__in=["pending", "in_flight", "synced", "failed", "dead", "cancelled"]
                ),
                name="mailchimp_outbox_state_valid",
            ),
        ]
        indexes = [
            # The drain's claim: ready rows of one audience, oldest due first. The id is part of
            # the claim's order: without it, rows due at the same time (a full resync) are all
            # read and sorted again for every claim of 500.
            models.Index(fields=["connection", "state", "next_attempt_at", "id"]),
            models.Index(fields=["state", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.subscriber_hash} ({self.get_state_display()})"


# The outbox's state machine: every move a row makes, in one place. outbox.py makes them and
# settles each send with SENT, SKIPPED, REFUSED, GAVE_UP or BACK; inbound.py CANCELs.
_S = OutboxEntry.State
# A change to send. A row in flight stays so: its version is bumped, and the send that settles
# it sees the change and puts it BACK, to be planned again.
QUEUE = Move((_S.PENDING, _S.SYNCED, _S.FAILED, _S.DEAD, _S.CANCELLED), _S.PENDING)
# Full resync: rows already waiting keep their place and their backoff.
RESEND = Move((_S.SYNCED, _S.FAILED, _S.DEAD, _S.CANCELLED), _S.PENDING)
CLAIM = Move((_S.PENDING,), _S.IN_FLIGHT)
SENT = Move((_S.IN_FLIGHT,), _S.SYNCED)  # Mailchimp holds what it should (or had nothing to do)
SKIPPED = Move((_S.IN_FLIGHT,), _S.CANCELLED)  # nothing may be sent (never resubscribed)
REFUSED = Move((_S.IN_FLIGHT,), _S.FAILED)  # a final refusal, shown to staff
GAVE_UP = Move((_S.IN_FLIGHT,), _S.DEAD)  # transient failures, MAILCHIMP_MAX_ATTEMPTS times
# Retry later, audience paused, changed during the send, or left by a crashed worker.
BACK = Move((_S.IN_FLIGHT,), _S.PENDING)
RETRY = Move((_S.FAILED, _S.DEAD), _S.PENDING)  # staff
CANCEL = Move((_S.PENDING, _S.FAILED, _S.DEAD), _S.CANCELLED)  # unsubscribed in Mailchimp
MOVES = (QUEUE, RESEND, CLAIM, SENT, SKIPPED, REFUSED, GAVE_UP, BACK, RETRY, CANCEL)


def allowed_moves():
    """{state: the states a row in it may go to}."""
    return {state: {move.target for move in MOVES if state in move.sources} for state in _S.values}


class Batch(models.Model):
    """One Mailchimp batch operation; each operation id names the outbox row it came from."""

    class Status(models.TextChoices):
        STARTED = "started", _("Started")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    connection = models.ForeignKey(
        AudienceConnection, on_delete=models.CASCADE, related_name="batches"
    )
    mailchimp_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.STARTED)
    mailchimp_status = models.CharField(max_length=32, blank=True, default="")
    total_operations = models.PositiveIntegerField(default=0)
    finished_operations = models.PositiveIntegerField(default=0)
    errored_operations = models.PositiveIntegerField(default=0)
    polls = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Mailchimp batch")
        verbose_name_plural = _("Mailchimp batches")
        ordering = ["-created_at"]

    def __str__(self):
        return self.mailchimp_id


class WebhookEvent(models.Model):
    """A webhook post from Mailchimp, stored before processing; the payload hash makes replays harmless."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        REJECTED = "rejected", _("Rejected")

    connection = models.ForeignKey(
        AudienceConnection, null=True, on_delete=models.CASCADE, related_name="webhook_events"
    )
    payload_hash = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(_("type"), max_length=32, blank=True, default="")
    fired_at = models.CharField(_("fired at"), max_length=32, blank=True, default="")
    subscriber_hash = models.CharField(max_length=32, blank=True, default="")
    payload = models.JSONField(default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.RECEIVED
    )
    note = models.TextField(_("note"), blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Mailchimp webhook event")
        verbose_name_plural = _("Mailchimp webhook events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_type} {self.fired_at}"
