"""What Mailchimp tells us about members, applied here: unsubscribes and cleaned addresses (from a
webhook, the nightly reconcile or the answer to a send) withdraw the newsletter consent and cancel
what was waiting; webhooks are stored fast and processed later; and the webhook's registration.

Mailchimp signs nothing: the long secret in the URL authenticates the audience. It gives up
after 10 seconds and retries, so the view only stores the event (deduplicated by a hash of the
payload, so the same event twice changes nothing) and a task applies it.
"""

import hashlib
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from signatories.models import Signature

from . import client as mc
from .models import CANCEL, AudienceConnection, OutboxEntry, WebhookEvent, member_hash

logger = logging.getLogger(__name__)


def apply_unsubscribe(connection, subscriber_hash, status, reason="", *, cancel=True):
    """Mailchimp says this member unsubscribed or was cleaned: withdraw newsletter consent here,
    cancel what was waiting, and never resubscribe them. Returns False for an unknown member."""
    entry = OutboxEntry.objects.filter(
        connection=connection, subscriber_hash=subscriber_hash
    ).first()
    if entry is None:
        return False
    with transaction.atomic():
        rows = OutboxEntry.objects.filter(pk=entry.pk)
        rows.update(member_status=status, updated_at=timezone.now())
        if cancel:
            rows.move(CANCEL, last_error=f"Unsubscribed in Mailchimp ({reason or status}).")
        # A row in flight: bump its version so that its send settles it back to pending, to be
        # planned again (and skipped).
        rows.filter(state=OutboxEntry.State.IN_FLIGHT).update(version=F("version") + 1)
        if entry.signatory_id:
            Signature.objects.filter(
                campaign_id=connection.campaign_id,
                signatory_id=entry.signatory_id,
                consent_newsletter=True,
            ).update(consent_newsletter=False, updated_at=timezone.now())
    return True


# --- Webhooks -----------------------------------------------------------------------------------

EVENT_TYPES = {"subscribe", "unsubscribe", "profile", "upemail", "cleaned", "campaign"}
MEMBER_EVENTS = {"subscribe", "unsubscribe", "profile", "cleaned"}


def payload_digest(payload):
    return hashlib.sha256(
        json.dumps(sorted(payload.items()), ensure_ascii=False).encode()
    ).hexdigest()


def check(connection, payload):
    """Why this payload cannot be applied, or "" when it looks like a Mailchimp event."""
    event_type = payload.get("type", "")
    if event_type not in EVENT_TYPES:
        return "Missing or unknown event type."
    list_id = payload.get("data[list_id]", "")
    if list_id != connection.list_id:
        return "The list id does not match this audience."
    if event_type in MEMBER_EVENTS and "@" not in payload.get("data[email]", ""):
        return "The event has no member email."
    if event_type == "upemail" and not (
        "@" in payload.get("data[old_email]", "") and "@" in payload.get("data[new_email]", "")
    ):
        return "The email change has no old or new address."
    return ""


def receive(connection, payload):
    """Store one posted event. Returns (event or None for a replay, problem text); an event
    without a problem waits in state "received" for process()."""
    problem = check(connection, payload)
    email = payload.get("data[email]") or payload.get("data[old_email]") or ""
    event = WebhookEvent(
        connection=connection,
        payload_hash=payload_digest(payload),
        event_type=payload.get("type", "")[:32],
        fired_at=payload.get("fired_at", "")[:32],
        subscriber_hash=member_hash(email) if "@" in email else "",
        payload=payload,
        state=WebhookEvent.State.REJECTED if problem else WebhookEvent.State.RECEIVED,
        note=problem,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        logger.info("Mailchimp webhook replayed for audience %s: ignored", connection.list_id)
        return None, ""
    if problem:
        logger.warning(
            "Mailchimp webhook rejected for audience %s: %s", connection.list_id, problem
        )
    return event, problem


def process(event_id):
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update(of=("self",))
            .select_related("connection")
            .filter(pk=event_id, state=WebhookEvent.State.RECEIVED)
            .first()
        )
        if event is None:
            return
        state, note = apply(event.connection, event.event_type, event.payload)
        event.state, event.note, event.processed_at = state, note, timezone.now()
        event.save(update_fields=["state", "note", "processed_at"])


def apply(connection, event_type, payload):
    Processed, Ignored = WebhookEvent.State.PROCESSED, WebhookEvent.State.IGNORED
    email = payload.get("data[email]", "")
    if event_type in ("unsubscribe", "cleaned"):
        status = (
            OutboxEntry.MemberStatus.CLEANED
            if event_type == "cleaned"
            else OutboxEntry.MemberStatus.UNSUBSCRIBED
        )
        reason = payload.get("data[reason]") or payload.get("data[action]") or event_type
        if apply_unsubscribe(connection, member_hash(email), status, reason=reason[:100]):
            return Processed, f"Newsletter consent withdrawn ({reason[:100]})."
        return Ignored, "Unknown member."
    if event_type == "upemail":
        old, new = payload["data[old_email]"], payload["data[new_email]"]
        entry = OutboxEntry.objects.filter(
            connection=connection, subscriber_hash=member_hash(old)
        ).first()
        if entry is None:
            return Ignored, "Unknown member."
        if OutboxEntry.objects.filter(
            connection=connection, subscriber_hash=member_hash(new)
        ).exists():
            return Ignored, "The new address already belongs to another supporter."
        entry.subscriber_hash, entry.mailchimp_email = member_hash(new), new[:254]
        entry.save(update_fields=["subscriber_hash", "mailchimp_email", "updated_at"])
        return Processed, "Email address in Mailchimp updated."
    if event_type == "subscribe":
        updated = OutboxEntry.objects.filter(
            connection=connection,
            subscriber_hash=member_hash(email),
            member_status__in=[OutboxEntry.MemberStatus.UNKNOWN, OutboxEntry.MemberStatus.PENDING],
        ).update(member_status=OutboxEntry.MemberStatus.SUBSCRIBED)
        return (
            (Processed, "Subscription confirmed.") if updated else (Ignored, "Nothing to update.")
        )
    if event_type == "profile":
        # The signature keeps the name the person signed with; the next sync restores it in Mailchimp.
        return Ignored, "Profile changes are not copied back to signatures."
    return Ignored, "Event type not used."


# --- Registration -------------------------------------------------------------------------------


def webhook_url(connection):
    base = (settings.MAILCHIMP_WEBHOOK_BASE_URL or settings.SITE_URL).rstrip("/")
    return base + reverse("mailchimp_webhook", args=[connection.webhook_secret])


def register(connection):
    """Create the audience's webhook in Mailchimp (it first checks the URL answers a GET)."""
    if connection.webhook_id:
        return True
    body = {
        "url": webhook_url(connection),
        "events": {
            "subscribe": True,
            "unsubscribe": True,
            "profile": True,
            "cleaned": True,
            "upemail": True,
            "campaign": False,
        },
        # Not "api": our own changes need no echo.
        "sources": {"user": True, "admin": True, "api": False},
    }
    try:
        data = mc.call(
            mc.get_client().lists.create_list_webhook, connection.list_id, body, member_call=False
        )
    except mc.MailchimpError as err:
        logger.error("Mailchimp webhook registration failed for %s: %s", connection.list_id, err)
        AudienceConnection.objects.filter(pk=connection.pk).update(webhook_error=str(err))
        if err.kind == mc.Kind.AUDIENCE:
            connection.pause(str(err))
        return False
    AudienceConnection.objects.filter(pk=connection.pk).update(
        webhook_id=str(data.get("id", ""))[:64], webhook_error=""
    )
    return True
