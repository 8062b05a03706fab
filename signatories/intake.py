"""The door and its queue: what signer-facing forms send is recorded, then processed by the worker.

At the door (the request), ``record_signature()``, ``record_resend()`` and
``record_data_request()`` each write one Submission and nothing else: they never read signatories
or signatures, so the answer and the time it takes are the same whether or not the address is
known. A used ALTCHA solution is refused by the submission's unique constraint on its challenge.

In the worker, ``drain()`` takes waiting submissions oldest first, in batches locked with
SKIP LOCKED (several workers share the queue), and applies ``decisions.decide()`` to each batch in
one transaction with the emails it queues: a worker killed mid-batch commits nothing, and the rows
wait for the next. A batch that raises is taken again row by row, so that only the faulty row
fails, with a reason staff see and can retry.
"""

import logging
import time
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from . import decisions
from .canonical import canonical_email, email_domain
from .models import Submission

logger = logging.getLogger(__name__)

Status = Submission.Status
Kind = Submission.Kind

BATCH_SIZE = 500
# A drain task returns after this long, so that tasks queued behind it on the same worker run.
DRAIN_SECONDS = 10
FAILED_KEEP_DAYS = 30

# What the worker keeps of a signing form: the signature's details as declared.
RECORDED_FIELDS = (*decisions.DECLARED_FIELDS, "departement_code", "consent_text")


class ChallengeReplayed(Exception):
    """The ALTCHA solution of this submission was already used."""


def _insert(submission):
    try:
        # Alone, the INSERT is its own transaction; inside one (a caller's), a savepoint keeps a
        # refused replay from breaking it. No BEGIN/COMMIT round trips for nothing at the door.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            submission.save(force_insert=True)
    except IntegrityError as error:
        raise ChallengeReplayed from error
    return submission


def record_signature(campaign, cleaned_data, *, verdict, challenge, ip_hash, language, now=None):
    """Record a signing form that passed validation; ChallengeReplayed if its solution was used."""
    fields = {name: cleaned_data.get(name) or "" for name in RECORDED_FIELDS}
    fields.update(
        consent_public=bool(cleaned_data.get("consent_public")),
        consent_newsletter=bool(cleaned_data.get("consent_newsletter")),
        consent_version=settings.SIGNATURES_CONSENT_VERSION,
    )
    return _record(
        Kind.SIGN,
        campaign,
        cleaned_data["email"],
        ip_hash,
        language,
        fields=fields,
        flags=",".join(verdict.flags)[:255],
        bot=verdict.bot,
        challenge=challenge,
        created_at=now or timezone.now(),
    )


def record_resend(campaign, email, *, ip_hash, language):
    """Ask for the confirmation link again (campaign None: every open campaign)."""
    return _record(Kind.RESEND, campaign, email, ip_hash, language)


def record_data_request(email, *, ip_hash, language):
    """Ask for a link to a copy of one's data."""
    return _record(Kind.DATA, None, email, ip_hash, language)


def _record(kind, campaign, email, ip_hash, language, **details):
    email = email.strip()
    return _insert(
        Submission(
            kind=kind,
            campaign=campaign,
            email=email,
            canonical_email=canonical_email(email),
            email_domain=email_domain(email),
            language=language,
            ip_hash=ip_hash,
            **details,
        )
    )


# --- The queue (worker side) --------------------------------------------------------------------


def claim(limit=BATCH_SIZE, up_to=None):
    """Up to `limit` waiting submissions (up to the id `up_to`), oldest first, locked until the
    transaction ends; rows another worker holds are skipped. Call inside a transaction."""
    waiting = Submission.objects.filter(status=Status.WAITING)
    if up_to is not None:
        waiting = waiting.filter(pk__lte=up_to)
    return list(waiting.order_by("pk").select_for_update(skip_locked=True)[:limit])


def _process(batch, queue_emails, now):
    results = decisions.decide(batch, now)
    emails = [
        (signature.pk, kind) for result in results.values() for signature, kind in result.emails
    ]
    if emails:
        queue_emails(emails)
    by_outcome = {}
    for submission in batch:
        by_outcome.setdefault(results[submission.pk].outcome, []).append(submission.pk)
    for outcome, ids in by_outcome.items():
        # What the person typed is only kept until it is applied.
        Submission.objects.filter(pk__in=ids).update(
            status=Status.PROCESSED,
            outcome=outcome,
            processed_at=now,
            email="",
            fields={},
            failure="",
            attempts=F("attempts") + 1,
        )


def _fail(submission, error, now):
    reason = f"{type(error).__name__}: {error}"[:1000]
    logger.error("Submission %s failed: %s", submission.pk, type(error).__name__)
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.FAILED,
        failure=reason,
        processed_at=now,
        attempts=F("attempts") + 1,
    )


def process_batch(queue_emails, limit=BATCH_SIZE, up_to=None):
    """Claim and process one batch; returns how many submissions it took (0: queue empty).

    `queue_emails([(signature_id, kind), ...])` is called inside the batch's transaction, so the
    emails are queued if and only if the decisions commit."""
    with transaction.atomic():
        batch = claim(limit, up_to)
        if not batch:
            return 0
        now = timezone.now()
        try:
            with transaction.atomic():
                _process(batch, queue_emails, now)
        except Exception:
            logger.warning("A batch of %d submissions failed; taking it row by row", len(batch))
            for submission in batch:
                try:
                    with transaction.atomic():
                        _process([submission], queue_emails, now)
                except Exception as error:
                    _fail(submission, error, now)
    return len(batch)


def drain(queue_emails, *, limit=BATCH_SIZE, seconds=DRAIN_SECONDS):
    """Process the submissions waiting when the run starts, for at most `seconds`. Those that
    arrive meanwhile wait for the next run, a second later: the emails this run queued are sent
    first, rather than behind a run that a steady stream of signers would keep going."""
    up_to = Submission.objects.filter(status=Status.WAITING).aggregate(last=Max("pk"))["last"]
    deadline = time.monotonic() + seconds
    done = 0
    while up_to is not None and time.monotonic() < deadline:
        taken = process_batch(queue_emails, limit, up_to)
        if not taken:
            break
        done += taken
    return done


def retry(queryset):
    """Put failed submissions back in the queue; returns how many."""
    return queryset.filter(status=Status.FAILED).update(status=Status.WAITING, failure="")


def purge_processed(now=None):
    """Delete processed submissions once no rate-limit window or challenge needs them, and failed
    ones staff left unretried for FAILED_KEEP_DAYS (they still hold what the person typed)."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(hours=settings.SIGNATURES_SUBMISSIONS_KEEP_HOURS)
    processed = Q(status=Status.PROCESSED, processed_at__lt=cutoff)
    failed = Q(
        status=Status.FAILED, processed_at__lt=now - timezone.timedelta(days=FAILED_KEEP_DAYS)
    )
    deleted, _ = Submission.objects.filter(processed | failed).delete()
    return deleted


def lag_seconds(now=None):
    """Age of the oldest waiting submission, in seconds (0 when the queue is empty)."""
    oldest = (
        Submission.objects.filter(status=Status.WAITING)
        .order_by("pk")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return 0.0
    return max(0.0, ((now or timezone.now()) - oldest).total_seconds())
