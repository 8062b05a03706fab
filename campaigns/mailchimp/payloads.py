"""What Mailchimp is told about one supporter: the member (merge fields, tags, status) and the
calls that bring Mailchimp from what it last accepted to what the database says now.

Who is a supporter is the signatures' rule, `Signature.objects.supporters()`. A member is never
given a status except to bring back someone we archived ourselves, so an unsubscribed or cleaned
member stays so; once we know of it (or of an erasure) nothing more is sent at all.
"""

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field

from signatories.models import Signature

from .models import SENT, SKIPPED, AudienceConnection, Move, OutboxEntry

MemberStatus = OutboxEntry.MemberStatus


def is_supporter(signature):
    """The rule of `Signature.objects.supporters()` for a signature already read (None: not one);
    test_who_is_a_supporter holds the two to the same cases. The drain reads its rows' signatures
    by their unique key, 500 at a time: with the rule in that query, a database without planner
    statistics reads every counted signature of the campaign, through the status index, for each
    500."""
    return bool(
        signature is not None
        and signature.signatory_id
        and signature.status in Signature.COUNTED_STATUSES
        and signature.consent_newsletter
        and (signature.source == Signature.Source.ONLINE or signature.consented_at is not None)
    )


def clean_text(value, limit=255):
    """NFC, no control characters, trimmed to Mailchimp's limits (odd Unicode must not break a sync)."""
    value = unicodedata.normalize("NFC", str(value or ""))
    # Every character of category C is unprintable, so nearly every value skips this pass.
    if not value.isprintable():
        value = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    return " ".join(value.split())[:limit]


def merge_fields(connection, signature):
    organisation = signature.organisation_name or (
        signature.organisation.name if signature.organisation_id else ""
    )
    departement = signature.departement.code if signature.departement_id else ""
    values = {
        connection.merge_first_name: signature.first_name,
        connection.merge_last_name: signature.last_name,
        connection.merge_organisation: organisation,
        connection.merge_title: signature.title,
        connection.merge_departement: departement,
    }
    return {tag: clean_text(value) for tag, value in values.items() if tag}


def member_tags(connection, signature):
    tags = {
        connection.campaign_tag(),
        connection.category_tags().get(signature.category, ""),
    }
    if signature.status == Signature.Status.VERIFIED:
        tags.add(connection.tag_verified)
    prefix = connection.tag_departement_prefix.strip()
    if signature.departement_id and prefix:
        tags.add(f"{prefix} {signature.departement.code}")
    return sorted(clean_text(tag, 100) for tag in tags if tag and clean_text(tag, 100))


def member_body(connection, entry, signature):
    body = {
        "email_address": entry.mailchimp_email or signature.signatory.email,
        "status_if_new": connection.opt_in,
        "merge_fields": merge_fields(connection, signature),
        "language": signature.language or "fr",
    }
    if entry.member_status == MemberStatus.ARCHIVED:
        # We archived them on withdrawal; they signed again with consent.
        body["status"] = connection.opt_in
    return body


def body_hash(body):
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass
class Op:
    step: str  # member, tags, archive, unsubscribe, erase
    method: str
    path: str
    body: dict | None = None
    params: dict | None = None


@dataclass
class Plan:
    entry: OutboxEntry
    ops: list = field(default_factory=list)
    action: str = ""
    hash: str = ""
    tags: list = field(default_factory=list)
    idle_move: Move = SENT  # how the row settles when there is nothing to send
    note: str = ""


def plan(connection, entry, signature):
    """What to tell Mailchimp about this row, given its signature in this campaign (or None)."""
    p = Plan(entry=entry)
    base = f"/lists/{connection.list_id}/members/{entry.subscriber_hash}"
    if entry.erase_requested:
        if entry.member_status == MemberStatus.DELETED:
            return p
        p.action = "erase"
        p.ops.append(Op("erase", "POST", f"{base}/actions/delete-permanent"))
        return p
    if entry.member_status in OutboxEntry.NEVER_RESUBSCRIBE:
        p.idle_move = SKIPPED
        p.note = f"Member is {entry.member_status} in Mailchimp: never resubscribed."
        return p
    if entry.signatory_id is None or not is_supporter(signature):
        if (
            entry.member_status in (MemberStatus.SUBSCRIBED, MemberStatus.PENDING)
            or entry.synced_hash
        ):
            if connection.on_withdrawal == AudienceConnection.Withdrawal.UNSUBSCRIBE:
                p.action = "unsubscribe"
                p.ops.append(Op("unsubscribe", "PATCH", base, {"status": "unsubscribed"}))
            else:
                p.action = "archive"
                p.ops.append(Op("archive", "DELETE", base))
        return p
    body = member_body(connection, entry, signature)
    tags = member_tags(connection, signature)
    p.action, p.hash, p.tags = "upsert", body_hash(body), tags
    if p.hash != entry.synced_hash:
        p.ops.append(Op("member", "PUT", base, body, {"skip_merge_validation": "true"}))
    previous = set(entry.synced_tags or [])
    # Only what changed; everything when the member itself is (re)sent from scratch.
    added = tags if not entry.synced_hash else sorted(set(tags) - previous)
    removed = sorted(previous - set(tags))
    if added or removed:
        changes = [{"name": t, "status": "active"} for t in added]
        changes += [{"name": t, "status": "inactive"} for t in removed]
        p.ops.append(Op("tags", "POST", f"{base}/tags", {"tags": changes}))
    return p


def plans_for(connection, entries):
    """The plans of claimed rows, from the database now."""
    signatory_ids = [e.signatory_id for e in entries if e.signatory_id]
    signatures = {
        s.signatory_id: s
        for s in Signature.objects.filter(
            campaign_id=connection.campaign_id, signatory_id__in=signatory_ids
        ).select_related("signatory", "departement", "organisation")
    }
    return [plan(connection, e, signatures.get(e.signatory_id)) for e in entries]
