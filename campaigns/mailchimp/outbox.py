"""The outbox rows and their state machine: what may have changed, claiming, and settling.

A row moves only by the `Move`s of models.py. `mark()` (in the transaction of the change) QUEUEs
it and bumps its version; the drain CLAIMs it (in flight), plans the calls from the database at
send time (payloads.py), sends them (transport.py or batches.py), then `settle()` records the
outcome: SENT, BACK to pending (transient, with backoff and jitter), REFUSED (final, shown to
staff), GAVE_UP (too many retries) or SKIPPED. A change that lands while a row is in flight bumps
its version, so the settled row goes BACK to pending instead of being marked synced.

Nothing here enqueues a task: services.py does, once the change commits.
"""

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection as db
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from signatories.models import Signature

from . import client as mc
from .inbound import apply_unsubscribe
from .models import (
    BACK,
    CLAIM,
    GAVE_UP,
    QUEUE,
    REFUSED,
    RESEND,
    RETRY,
    SENT,
    AudienceConnection,
    OutboxEntry,
    member_hash,
)

logger = logging.getLogger(__name__)

State = OutboxEntry.State
MemberStatus = OutboxEntry.MemberStatus
STALE_IN_FLIGHT = timedelta(minutes=15)


# --- What may have changed (called inside the transaction that made the change) -----------------


def _queue(rows, now, **changes):
    """Bump the version of these rows (with `changes`) and QUEUE those not in flight."""
    rows.update(version=F("version") + 1, updated_at=now, **changes)
    rows.move(QUEUE, attempts=0, next_attempt_at=now, last_error="")


def mark(connection, signatory, *, erase=False):
    """Record that what this audience should hold about `signatory` may have changed."""
    now = timezone.now()
    # By signatory first: after an email change in Mailchimp the row's hash is the new address's.
    entry = OutboxEntry.objects.filter(connection=connection, signatory=signatory).first()
    if entry is None:
        entry, created = OutboxEntry.objects.get_or_create(
            connection=connection,
            subscriber_hash=member_hash(signatory.email),
            defaults={"signatory": signatory, "erase_requested": erase, "next_attempt_at": now},
        )
        if created:
            return entry
    changes = {"signatory": signatory}
    if erase:
        changes["erase_requested"] = True
    _queue(OutboxEntry.objects.filter(pk=entry.pk), now, **changes)
    return entry


def mark_signature(signature):
    """A signature's status or consent changed: queue its signatory's row if it matters to an
    audience. Returns the row, or None when Mailchimp has nothing to hear."""
    if not signature.signatory_id:
        return None
    connection = AudienceConnection.objects.filter(campaign_id=signature.campaign_id).first()
    if connection is None:
        return None
    known = OutboxEntry.objects.filter(
        connection=connection, signatory_id=signature.signatory_id
    ).exists()
    if not known and not Signature.objects.supporters().filter(pk=signature.pk).exists():
        return None  # never sent, still not a supporter
    return mark(connection, signature.signatory)


def mark_erased(signatory, email, erase):
    """The signatory withdrew everything (erase=True: permanent deletion asked). Returns the ids
    of the audiences whose rows were queued."""
    now = timezone.now()
    entries = OutboxEntry.objects.filter(
        Q(signatory=signatory) | Q(subscriber_hash=member_hash(email))
    )
    connection_ids = set()
    for entry in entries:
        _queue(
            OutboxEntry.objects.filter(pk=entry.pk),
            now,
            erase_requested=entry.erase_requested or erase,
        )
        connection_ids.add(entry.connection_id)
    return connection_ids


def queue_all_supporters(connection, *, force=False):
    """Create or re-queue the rows of every current supporter (first connection, full resync).
    Returns how many rows were created.

    force=True also forgets what was last synced, so every member is sent again.
    """
    now = timezone.now()
    # Supporters who already have a row keep it (its hash may follow an email change). Their ids
    # are read once into a set rather than excluded in SQL: while the outbox has no statistics
    # yet, PostgreSQL plans that anti-join, NOT IN or NOT EXISTS alike, as a scan of the
    # audience's rows for every supporter.
    known = set(
        OutboxEntry.objects.filter(connection=connection, signatory__isnull=False)
        .order_by()
        .values_list("signatory_id", flat=True)
    )
    rows = (
        Signature.objects.filter(campaign_id=connection.campaign_id)
        .supporters()
        .values_list("signatory_id", "signatory__email")
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
    existing = OutboxEntry.objects.filter(connection=connection)
    if not force:
        existing = existing.filter(signatory__isnull=False)
    changes = {"attempts": 0, "next_attempt_at": now, "version": F("version") + 1}
    if force:
        changes["synced_hash"] = ""
    existing.move(RESEND, **changes)
    connection.full_sync_requested_at = now
    connection.save(update_fields=["full_sync_requested_at", "updated_at"])
    return created


def retry(rows):
    """Failed and dead rows go back to the queue (what Mailchimp refused will be re-planned).
    Returns how many."""
    return rows.move(RETRY, attempts=0, next_attempt_at=timezone.now(), last_error="")


# --- Claiming -----------------------------------------------------------------------------------


def ready(connection):
    return OutboxEntry.objects.filter(
        connection=connection, state=State.PENDING, next_attempt_at__lte=timezone.now()
    )


def claim(connection, limit):
    """CLAIM up to `limit` ready rows; return them with their claimed version."""
    now = timezone.now()
    with transaction.atomic():
        qs = ready(connection).order_by("next_attempt_at", "pk")
        if db.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        OutboxEntry.objects.filter(pk__in=ids).move(
            CLAIM, claimed_at=now, claimed_version=F("version")
        )
        return list(
            OutboxEntry.objects.filter(
                pk__in=ids, state=State.IN_FLIGHT, claimed_at=now
            ).select_related("signatory")
        )


def release_stale():
    """Rows left in flight by a crashed worker (not in a batch) go BACK to pending."""
    OutboxEntry.objects.filter(
        batch__isnull=True, claimed_at__lt=timezone.now() - STALE_IN_FLIGHT
    ).move(BACK, next_attempt_at=timezone.now())


# --- Settling -----------------------------------------------------------------------------------


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

    def not_found(self, step):
        result = self.results.get(step)
        return isinstance(result, mc.MailchimpError) and result.kind == mc.Kind.NOT_FOUND


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


def _apply(p, outcome, now, effects):
    """Update p.entry in memory from its outcome; collect side effects (pause, unsubscribes)."""
    entry = p.entry
    entry.batch = None
    entry.claimed_at = None
    entry.updated_at = now
    if not p.ops:
        entry.state = p.idle_move.target
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
    if outcome.ok("archive") or outcome.not_found("archive"):
        entry.member_status, entry.synced_hash, entry.synced_tags = MemberStatus.ARCHIVED, "", []
    if outcome.ok("unsubscribe"):
        entry.member_status, entry.synced_hash = MemberStatus.UNSUBSCRIBED, ""
    if outcome.ok("erase") or outcome.not_found("erase"):
        entry.member_status, entry.synced_hash, entry.synced_tags = MemberStatus.DELETED, "", []
        entry.mailchimp_email, entry.signatory = "", None
    err = outcome.error()
    if err is None:
        entry.state, entry.last_error, entry.last_status_code = SENT.target, "", None
        entry.attempts, entry.synced_at = 0, now
        return
    entry.last_error, entry.last_status_code = str(err), err.status
    if err.kind == mc.Kind.AUDIENCE:
        # The audience or key is wrong: the row waits, untouched, until staff resume the queue.
        effects["pause"] = err
        entry.state, entry.next_attempt_at = BACK.target, now
    elif err.kind == mc.Kind.FINAL:
        entry.state = REFUSED.target
        if err.is_compliance:
            entry.member_status = MemberStatus.UNSUBSCRIBED
            effects["unsubscribed"].append((entry, MemberStatus.UNSUBSCRIBED))
        elif err.is_forgotten:
            entry.member_status = MemberStatus.DELETED
    else:
        entry.attempts += 1
        if entry.attempts >= settings.MAILCHIMP_MAX_ATTEMPTS:
            entry.state = GAVE_UP.target
        else:
            entry.state, entry.next_attempt_at = BACK.target, now + backoff(entry.attempts)


def save_rows(entries, field_names, *, in_state=None):
    """UPDATE many rows, each with its own values, in one executemany (Django's bulk_update builds
    one CASE WHEN over every row for each field); only rows in `in_state` if given."""
    if not entries:
        return
    fields = [OutboxEntry._meta.get_field(name) for name in field_names]
    columns = ", ".join(f"{db.ops.quote_name(f.column)} = %s" for f in fields)
    where = "id = %s"
    if in_state is not None:
        where += f" AND {db.ops.quote_name('state')} = %s"
    # Table and column names come from the model, values are parameters.
    sql = f"UPDATE {db.ops.quote_name(OutboxEntry._meta.db_table)} SET {columns} WHERE {where}"  # noqa: S608
    tail = [in_state] if in_state is not None else []
    params = [
        [f.get_db_prep_save(getattr(entry, f.attname), db) for f in fields] + [entry.pk, *tail]
        for entry in entries
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)


def settle(connection, pairs):
    """Record outcomes [(plan, Outcome)] of claimed rows; rows changed meanwhile go BACK."""
    if not pairs:
        return
    now = timezone.now()
    effects = {"pause": None, "unsubscribed": []}
    for p, outcome in pairs:
        _apply(p, outcome, now, effects)
    with transaction.atomic():
        versions = dict(
            OutboxEntry.objects.filter(pk__in=[p.entry.pk for p, _ in pairs]).values_list(
                "pk", "version"
            )
        )
        changed, unchanged = [], []
        for p, _ in pairs:
            if versions.get(p.entry.pk, p.entry.claimed_version) != p.entry.claimed_version:
                p.entry.state, p.entry.next_attempt_at = BACK.target, now
                changed.append(p.entry)
            else:
                unchanged.append(p.entry)
        # Every settling move starts in flight; a row no longer there was released meanwhile.
        save_rows(unchanged, SETTLE_FIELDS, in_state=State.IN_FLIGHT)
        # A row changed meanwhile (e.g. an unsubscribe webhook) keeps the member status it was
        # given then: the status this send brought back is older.
        save_rows(
            changed,
            [name for name in SETTLE_FIELDS if name != "member_status"],
            in_state=State.IN_FLIGHT,
        )
        for entry, status in effects["unsubscribed"]:
            apply_unsubscribe(
                connection, entry.subscriber_hash, status, reason="sync", cancel=False
            )
        if effects["pause"] is not None:
            err = effects["pause"]
            logger.error("Mailchimp audience %s paused: %s", connection.list_id, err)
            connection.pause(str(err))
