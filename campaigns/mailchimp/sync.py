"""The outbox: marking supporters as changed, planning what Mailchimp must be told, and settling.

Life of an outbox row: `mark()` (same transaction as the change) sets it pending and bumps its
version; the drain claims it (in_flight), plans the calls from the database *at send time*
(`plan()`), sends them one by one (`send_direct()`) or through a batch (batches.py), then
`settle()` records the outcome: synced, retry later (transient, with backoff and jitter), failed
(final, shown to staff) or dead (too many retries). A change that lands while a row is in flight
bumps its version, so the settled row goes back to pending instead of being marked synced.
"""

import hashlib
import json
import logging
import random
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from signatories.models import Signature

from . import client as mc
from .models import AudienceConnection, OutboxEntry, member_hash

logger = logging.getLogger(__name__)

State = OutboxEntry.State
MemberStatus = OutboxEntry.MemberStatus
STALE_IN_FLIGHT = timedelta(minutes=15)
DIRECT_CHUNK = 100


# --- Who is a supporter -------------------------------------------------------------------------


def supporter_signatures(campaign_id):
    """Counted signatures with newsletter consent; offline ones only with a recorded consent."""
    return Signature.objects.filter(
        campaign_id=campaign_id,
        status__in=Signature.COUNTED_STATUSES,
        consent_newsletter=True,
        signatory__isnull=False,
    ).filter(Q(source=Signature.Source.ONLINE) | Q(consented_at__isnull=False))


def is_supporter(signature):
    return bool(
        signature is not None
        and signature.signatory_id
        and signature.status in Signature.COUNTED_STATUSES
        and signature.consent_newsletter
        and (signature.source == Signature.Source.ONLINE or signature.consented_at is not None)
    )


# --- Marking (called inside the transaction that made the change) -------------------------------


def _enqueue_drain(connection_id):
    from .tasks import drain_outbox

    transaction.on_commit(lambda: drain_outbox.enqueue(connection_id=connection_id))


def mark(connection, signatory, *, erase=False):
    """Record that what this audience should hold about `signatory` may have changed."""
    now = timezone.now()
    # By signatory first: after an email change in Mailchimp the row's hash is the new address's.
    entry = OutboxEntry.objects.filter(connection=connection, signatory=signatory).first()
    created = False
    if entry is None:
        entry, created = OutboxEntry.objects.get_or_create(
            connection=connection,
            subscriber_hash=member_hash(signatory.email),
            defaults={"signatory": signatory, "erase_requested": erase, "next_attempt_at": now},
        )
    if not created:
        changes = {"version": F("version") + 1, "signatory": signatory, "updated_at": now}
        if erase:
            changes["erase_requested"] = True
        OutboxEntry.objects.filter(pk=entry.pk).update(**changes)
        # A row being sent keeps its state: settle() sees the new version and re-queues it.
        OutboxEntry.objects.filter(pk=entry.pk).exclude(state=State.IN_FLIGHT).update(
            state=State.PENDING, attempts=0, next_attempt_at=now, last_error=""
        )
    _enqueue_drain(connection.pk)
    return entry


def mark_signature(signature):
    """A signature's status or consent changed: queue its signatory if it matters to an audience."""
    if not signature.signatory_id:
        return None
    connection = AudienceConnection.objects.filter(campaign_id=signature.campaign_id).first()
    if connection is None:
        return None
    known = OutboxEntry.objects.filter(
        connection=connection, signatory_id=signature.signatory_id
    ).exists()
    if not known and not is_supporter(signature):
        return None  # never sent, still not a supporter: nothing for Mailchimp
    return mark(connection, signature.signatory)


def mark_erased(signatory, email, erase):
    """The signatory withdrew everything (erase=True: permanent deletion asked)."""
    entries = OutboxEntry.objects.filter(
        Q(signatory=signatory) | Q(subscriber_hash=member_hash(email))
    ).select_related("connection")
    for entry in entries:
        OutboxEntry.objects.filter(pk=entry.pk).update(
            version=F("version") + 1, erase_requested=entry.erase_requested or erase
        )
        OutboxEntry.objects.filter(pk=entry.pk).exclude(state=State.IN_FLIGHT).update(
            state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        _enqueue_drain(entry.connection_id)


def queue_all_supporters(connection, *, force=False):
    """Create or re-queue the rows of every current supporter (first connection, full resync).

    force=True also forgets what was last synced, so every member is sent again.
    """
    now = timezone.now()
    # Supporters who already have a row keep it (its hash may follow an email change). Their ids
    # are read once into a set (a few MB for 100,000) rather than excluded in SQL: while the
    # outbox has no statistics yet, PostgreSQL plans that anti-join, NOT IN or NOT EXISTS alike,
    # as a scan of the audience's rows for every supporter (minutes for 100,000).
    known = set(
        OutboxEntry.objects.filter(connection=connection, signatory__isnull=False)
        .order_by()
        .values_list("signatory_id", flat=True)
    )
    rows = supporter_signatures(connection.campaign_id).values_list(
        "signatory_id", "signatory__email"
    )
    chunk = []
    created = 0
    for signatory_id, email in rows.iterator(chunk_size=2000):
        if signatory_id in known:
            continue
        chunk.append(
            OutboxEntry(
                connection=connection,
                signatory_id=signatory_id,
                subscriber_hash=member_hash(email),
                next_attempt_at=now,
            )
        )
        if len(chunk) >= 2000:
            created += len(OutboxEntry.objects.bulk_create(chunk, ignore_conflicts=True))
            chunk = []
    if chunk:
        created += len(OutboxEntry.objects.bulk_create(chunk, ignore_conflicts=True))
    existing = OutboxEntry.objects.filter(connection=connection).exclude(
        state__in=[State.IN_FLIGHT, State.PENDING]
    )
    if not force:
        existing = existing.filter(signatory__isnull=False)
    changes = {
        "state": State.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "version": F("version") + 1,
    }
    if force:
        changes["synced_hash"] = ""
    existing.update(**changes)
    connection.full_sync_requested_at = now
    connection.save(update_fields=["full_sync_requested_at", "updated_at"])
    _enqueue_drain(connection.pk)
    return created


# --- Building members from the database ---------------------------------------------------------


def clean_text(value, limit=255):
    """NFC, no control characters, trimmed to Mailchimp's limits (odd Unicode must not break a sync)."""
    value = unicodedata.normalize("NFC", str(value or ""))
    # A printable string has no character of category C: skip the per-character pass, which was
    # the bulk of re-planning an unchanged audience.
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


# --- Plans --------------------------------------------------------------------------------------


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
    idle_state: str = State.SYNCED  # the state when there is nothing to send
    note: str = ""


def plan(connection, entry, signature):
    """What to tell Mailchimp about this row, built from the database now."""
    p = Plan(entry=entry)
    base = f"/lists/{connection.list_id}/members/{entry.subscriber_hash}"
    if entry.erase_requested:
        if entry.member_status == MemberStatus.DELETED:
            return p
        p.action = "erase"
        p.ops.append(Op("erase", "POST", f"{base}/actions/delete-permanent"))
        return p
    if entry.member_status in OutboxEntry.NEVER_RESUBSCRIBE:
        p.idle_state = State.CANCELLED
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
    signatory_ids = [e.signatory_id for e in entries if e.signatory_id]
    signatures = {
        s.signatory_id: s
        for s in Signature.objects.filter(
            campaign_id=connection.campaign_id, signatory_id__in=signatory_ids
        ).select_related("signatory", "departement", "organisation")
    }
    return [plan(connection, e, signatures.get(e.signatory_id)) for e in entries]


# --- Claiming and settling ----------------------------------------------------------------------


def ready(connection):
    return OutboxEntry.objects.filter(
        connection=connection, state=State.PENDING, next_attempt_at__lte=timezone.now()
    )


def claim(connection, limit):
    """Move up to `limit` ready rows to in_flight; return them with their claimed version."""
    now = timezone.now()
    with transaction.atomic():
        qs = ready(connection).order_by("next_attempt_at", "pk")
        if connection_supports_skip_locked():
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        OutboxEntry.objects.filter(pk__in=ids, state=State.PENDING).update(
            state=State.IN_FLIGHT, claimed_at=now, claimed_version=F("version")
        )
        return list(
            OutboxEntry.objects.filter(
                pk__in=ids, state=State.IN_FLIGHT, claimed_at=now
            ).select_related("signatory")
        )


def connection_supports_skip_locked():
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


def backoff(attempts):
    delay = min(
        settings.MAILCHIMP_RETRY_BASE * (2 ** max(attempts - 1, 0)), settings.MAILCHIMP_RETRY_MAX
    )
    return timedelta(seconds=delay * random.uniform(0.5, 1.5))  # noqa: S311 (jitter)


@dataclass
class Outcome:
    """Results of a plan's ops, by step: the response data (dict or None) or a MailchimpError."""

    results: dict = field(default_factory=dict)

    def error(self):
        """The error that decides the row's fate (audience > final > transient), or None.

        A 404 means "member not there" for archive/erase (fine), "audience gone" for an upsert,
        and "member not created yet" for tags sent in the same batch as the member (retry).
        """
        errors = []
        for step, result in self.results.items():
            if not isinstance(result, mc.MailchimpError):
                continue
            if result.kind == mc.Kind.NOT_FOUND:
                if step in ("archive", "erase"):
                    continue
                kind = mc.Kind.TRANSIENT if step == "tags" else mc.Kind.AUDIENCE
                result = mc.MailchimpError(kind, result.status, result.title, result.detail)
            errors.append(result)
        for kind in (mc.Kind.AUDIENCE, mc.Kind.FINAL, mc.Kind.TRANSIENT):
            for err in errors:
                if err.kind == kind:
                    return err
        return None

    def ok(self, step):
        return step in self.results and not isinstance(self.results[step], mc.MailchimpError)


SETTLE_FIELDS = [
    "state",
    "member_status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "last_status_code",
    "synced_hash",
    "synced_tags",
    "synced_at",
    "mailchimp_email",
    "signatory",
    "batch",
    "claimed_at",
    "updated_at",
]


def _apply(connection, p, outcome, now, effects):
    """Update p.entry in memory from its outcome; collect side effects (pause, unsubscribes)."""
    entry = p.entry
    entry.batch = None
    entry.claimed_at = None
    entry.updated_at = now
    if not p.ops:
        entry.state = p.idle_state
        entry.last_error = p.note
        return
    if outcome.ok("member"):
        data = outcome.results["member"] or {}
        entry.synced_hash = p.hash
        status = data.get("status") if isinstance(data, dict) else None
        if status in MemberStatus.values and status:
            entry.member_status = status
        if status in (MemberStatus.UNSUBSCRIBED, MemberStatus.CLEANED):
            # Already unsubscribed in Mailchimp: the PUT only updated fields. Respect it here too.
            effects["unsubscribed"].append((entry, status))
    if outcome.ok("tags"):
        entry.synced_tags = p.tags
    if outcome.ok("archive") or _not_found(outcome, "archive"):
        entry.member_status, entry.synced_hash, entry.synced_tags = MemberStatus.ARCHIVED, "", []
    if outcome.ok("unsubscribe"):
        entry.member_status, entry.synced_hash = MemberStatus.UNSUBSCRIBED, ""
    if outcome.ok("erase") or _not_found(outcome, "erase"):
        entry.member_status, entry.synced_hash, entry.synced_tags = MemberStatus.DELETED, "", []
        entry.mailchimp_email, entry.signatory = "", None
    err = outcome.error()
    if err is None:
        entry.state, entry.last_error, entry.last_status_code = State.SYNCED, "", None
        entry.attempts, entry.synced_at = 0, now
        return
    entry.last_error, entry.last_status_code = str(err), err.status
    if err.kind == mc.Kind.AUDIENCE:
        # The audience or key is wrong: the row waits, untouched, until staff resume the queue.
        effects["pause"] = err
        entry.state, entry.next_attempt_at = State.PENDING, now
    elif err.kind == mc.Kind.FINAL:
        entry.state = State.FAILED
        if err.is_compliance:
            entry.member_status = MemberStatus.UNSUBSCRIBED
            effects["unsubscribed"].append((entry, MemberStatus.UNSUBSCRIBED))
        elif err.is_forgotten:
            entry.member_status = MemberStatus.DELETED
    else:
        entry.attempts += 1
        if entry.attempts >= settings.MAILCHIMP_MAX_ATTEMPTS:
            entry.state = State.DEAD
        else:
            entry.state, entry.next_attempt_at = State.PENDING, now + backoff(entry.attempts)


def _not_found(outcome, step):
    result = outcome.results.get(step)
    return isinstance(result, mc.MailchimpError) and result.kind == mc.Kind.NOT_FOUND


def save_rows(entries, field_names):
    """UPDATE many rows, each with its own values, in one executemany: Django's bulk_update builds
    CASE WHEN expressions that took seconds per 500 rows."""
    from django.db import connection

    if not entries:
        return
    fields = [OutboxEntry._meta.get_field(name) for name in field_names]
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    # Table and column names come from the model, values are parameters.
    sql = f"UPDATE {connection.ops.quote_name(OutboxEntry._meta.db_table)} SET {columns} WHERE id = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields] + [entry.pk]
        for entry in entries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def settle(connection, pairs):
    """Record outcomes [(plan, Outcome)]; rows changed meanwhile go back to pending."""
    if not pairs:
        return
    now = timezone.now()
    effects = {"pause": None, "unsubscribed": []}
    for p, outcome in pairs:
        _apply(connection, p, outcome, now, effects)
    with transaction.atomic():
        versions = dict(
            OutboxEntry.objects.filter(pk__in=[p.entry.pk for p, _ in pairs]).values_list(
                "pk", "version"
            )
        )
        changed, unchanged = [], []
        for p, _ in pairs:
            if versions.get(p.entry.pk, p.entry.claimed_version) != p.entry.claimed_version:
                p.entry.state, p.entry.next_attempt_at = State.PENDING, now
                changed.append(p.entry)
            else:
                unchanged.append(p.entry)
        save_rows(unchanged, SETTLE_FIELDS)
        # A row changed meanwhile (e.g. an unsubscribe webhook) keeps the member status it was
        # given then: the status this send brought back is older.
        save_rows(changed, [name for name in SETTLE_FIELDS if name != "member_status"])
        for entry, status in effects["unsubscribed"]:
            apply_unsubscribe(
                connection, entry.subscriber_hash, status, reason="sync", cancel=False
            )
        if effects["pause"] is not None:
            err = effects["pause"]
            logger.error("Mailchimp audience %s paused: %s", connection.list_id, err)
            connection.pause(str(err))


# --- Sending one by one -------------------------------------------------------------------------


def _run_ops(client, connection, p):
    """Send a plan's ops in order (HTTP only: runs in a worker thread, no database access)."""
    outcome = Outcome()
    lists = client.lists
    for op in p.ops:
        h = p.entry.subscriber_hash
        try:
            if op.step == "member":
                result = mc.call(
                    lists.set_list_member,
                    connection.list_id,
                    h,
                    op.body,
                    skip_merge_validation=True,
                )
            elif op.step == "tags":
                result = mc.call(
                    lists.update_list_member_tags, connection.list_id, h, op.body, expect_json=False
                )
            elif op.step == "archive":
                result = mc.call(lists.delete_list_member, connection.list_id, h, expect_json=False)
            elif op.step == "unsubscribe":
                result = mc.call(lists.update_list_member, connection.list_id, h, op.body)
            elif op.step == "erase":
                result = mc.call(
                    lists.delete_list_member_permanent, connection.list_id, h, expect_json=False
                )
            else:  # pragma: no cover
                raise ValueError(op.step)
        except mc.MailchimpError as err:
            outcome.results[op.step] = err
            break  # don't send tags for a member that failed
        outcome.results[op.step] = result
    return outcome


def send_direct(connection, plans):
    client = mc.get_client()
    calls = [p for p in plans if p.ops]
    outcomes = {}
    if calls:
        workers = min(settings.MAILCHIMP_MAX_CONNECTIONS, len(calls))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for p, outcome in zip(
                calls, pool.map(lambda p: _run_ops(client, connection, p), calls), strict=True
            ):
                outcomes[p.entry.pk] = outcome
    settle(connection, [(p, outcomes.get(p.entry.pk, Outcome())) for p in plans])


# --- Draining -----------------------------------------------------------------------------------


def release_stale():
    """Rows left in flight by a crashed worker (not in a batch) go back to pending."""
    OutboxEntry.objects.filter(
        state=State.IN_FLIGHT, batch__isnull=True, claimed_at__lt=timezone.now() - STALE_IN_FLIGHT
    ).update(state=State.PENDING, next_attempt_at=timezone.now())


def drain(connection_id=None, time_budget=240):
    """Send what is ready; bulk goes through batches. Returns counts for logs and the bench."""
    from . import batches

    stats = {"direct": 0, "batched": 0, "batches": 0, "more": False}
    if not mc.is_configured():
        logger.info("Mailchimp sync is off (no API key or server prefix): outbox rows wait.")
        return stats
    release_stale()
    deadline = time.monotonic() + time_budget
    connections = AudienceConnection.objects.filter(paused_at__isnull=True).select_related(
        "campaign"
    )
    if connection_id:
        connections = connections.filter(pk=connection_id)
    for connection in connections:
        while time.monotonic() < deadline:
            connection.refresh_from_db(fields=["paused_at"])
            if connection.paused_at:
                break
            # Only "none" or "above the threshold" matters: counting (or, with the default
            # ordering, sorting) the whole backlog on every round made a large drain quadratic.
            waiting = ready(connection).order_by()[: settings.MAILCHIMP_BATCH_THRESHOLD + 1].count()
            if waiting == 0:
                break
            if waiting > settings.MAILCHIMP_BATCH_THRESHOLD:
                if not batches.can_start(connection):
                    break
                entries = claim(connection, settings.MAILCHIMP_BATCH_SIZE)
                if not entries:
                    break
                started = batches.start(connection, plans_for(connection, entries))
                stats["batched"] += len(entries)
                stats["batches"] += int(started)
            else:
                entries = claim(connection, DIRECT_CHUNK)
                if not entries:
                    break
                send_direct(connection, plans_for(connection, entries))
                stats["direct"] += len(entries)
        else:
            stats["more"] = True  # out of time with rows still ready
    return stats


# --- Unsubscribes coming back from Mailchimp ----------------------------------------------------


def apply_unsubscribe(connection, subscriber_hash, status, reason="", *, cancel=True):
    """Mailchimp says this member unsubscribed or was cleaned: withdraw newsletter consent here,
    cancel what was waiting, and never resubscribe them. Returns False for an unknown member."""
    entry = OutboxEntry.objects.filter(
        connection=connection, subscriber_hash=subscriber_hash
    ).first()
    if entry is None:
        return False
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry.pk).update(
            member_status=status, updated_at=timezone.now()
        )
        if cancel:
            OutboxEntry.objects.filter(
                pk=entry.pk, state__in=[State.PENDING, State.FAILED, State.DEAD]
            ).update(
                state=State.CANCELLED, last_error=f"Unsubscribed in Mailchimp ({reason or status})."
            )
        # A row in flight: bump its version so settle() re-plans it (and then cancels it).
        OutboxEntry.objects.filter(pk=entry.pk, state=State.IN_FLIGHT).update(
            version=F("version") + 1
        )
        if entry.signatory_id:
            Signature.objects.filter(
                campaign_id=connection.campaign_id,
                signatory_id=entry.signatory_id,
                consent_newsletter=True,
            ).update(consent_newsletter=False, updated_at=timezone.now())
    return True
