"""The signing domain: sign, confirm, resend, withdraw, erase, export, anonymise.

Interfaces other parts of the project rely on:

- ``sign(campaign, cleaned_data, *, ip, language, verdict=None)`` records a signature from the
  form's cleaned data and returns a SignResult. New and known addresses get the same outcome for
  the caller to show ("check your inbox"); a known address only gets a reminder email, at most
  SIGNATURES_MAX_REMINDERS times, SIGNATURES_REMINDER_INTERVAL seconds apart. Details of an existing
  signature are never overwritten by unconfirmed input.
- ``confirm(signature)`` follows the email link: pending -> confirmed, then automatic verification
  of officials and authorities (verification.py).
- ``change_status(signature, new_status, **fields)`` is the one way to move a signature through its
  state machine (``Signature.TRANSITIONS``): it sets the given fields, saves, and sends
  ``signals.signature_status_changed(signature=, previous_status=)`` inside the transaction, so that
  receivers (the Mailchimp outbox) commit or roll back with the change. Moderation uses it too.
- ``withdraw(signature, erase=False)``: status withdrawn; with ``erase`` the personal fields are
  blanked and the Signatory is deleted when it has no other signature, after
  ``signals.signatory_erased(signatory=, email=, erase=True)``.
  ``signals.signature_consent_changed(signature=)`` is sent whenever a consent flag changes.
- ``anonymise_closed_campaigns()`` blanks personal data a configurable time after a campaign
  closes; counts are unaffected. Orphaned signatories are deleted after
  ``signatory_erased(erase=False)`` (retention, not the person's request).

A FLAGGED signature whose email was confirmed keeps ``confirmed_at``; staff who clear the flag move
it to CONFIRMED (or PENDING when ``confirmed_at`` is empty).
"""

import functools
import logging
import time
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import cache, caches
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from config.cache import run_script

from . import abuse, signals
from .canonical import canonical_email, email_domain
from .models import Departement, Signatory, Signature

logger = logging.getLogger(__name__)

Status = Signature.Status

# Personal fields blanked on erasure and anonymisation (category, département, status stay).
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "organisation_name",
    "insee_code",
    "siren",
    "postcode",
    "commune",
    "ip_hash",
    "source_detail",
)
DETAIL_FIELDS = (
    "category",
    "first_name",
    "last_name",
    "title",
    "organisation_name",
    "authority_kind",
    "insee_code",
    "siren",
    "postcode",
    "commune",
)


@dataclass
class SignResult:
    signature: Signature
    created: bool
    emailed: bool


_departement_ids = {}


def departement_ids():
    """{code: pk} of the reference départements. They only change with a migration (and a
    deploy restarts the processes), so each process reads them once."""
    if not _departement_ids:
        _departement_ids.update(Departement.objects.values_list("code", "pk"))
    return _departement_ids


def forget_departement_ids():
    _departement_ids.clear()


def _tasks_in_database():
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend == "django_tasks_db.DatabaseBackend"


def _enqueue_email(signature_id, kind):
    """Queue an email. With the database task backend the task row is written in the signing
    transaction itself (it commits or rolls back with the signature, in one commit); with any
    other backend it is queued once the transaction commits."""
    from .tasks import send_signature_email

    enqueue = partial(send_signature_email.enqueue, signature_id, kind)
    if _tasks_in_database() and transaction.get_connection().in_atomic_block:
        enqueue()
    else:
        transaction.on_commit(enqueue)


# --- Confirmation emails of new signatures: coalesced dispatch ---------------------------------
#
# A new signature only sets confirmation_pending in its own row. After its commit, it makes sure
# one dispatch run is queued: the first signature to find no run waiting queues one, those that
# follow are picked up by it. A run forgets the guard before it looks for work, and the guard is
# only checked after commit, so no committed signature is left without a run (a periodic run
# catches up after a crash or a lost cache).
#
# A run starts SIGNATURES_DISPATCH_DELAY_SECONDS after it is queued, and the guard holds that
# moment. A process that read it knows a run will claim after it, so its own signatures committed
# until shortly before then need no check: one cache call per process per run, not one per
# signature. The margin allows for clocks that differ between web servers and the worker.
#
# When the queued run is late (the worker is behind, as in a surge, or down), checking again for
# every signature cannot bring it sooner: a process checks at most every DISPATCH_LATE_RECHECK
# seconds. A signature it commits in that window just after the late run started waits for the
# next check of any process (at once under load) or, if signing stops there, the periodic run.

DISPATCH_GUARD = "signatories:confirmations-queued"
DISPATCH_BATCH = 50
DISPATCH_CLOCK_MARGIN = 0.25  # seconds
DISPATCH_LATE_RECHECK = 0.5  # seconds

_dispatch_covered_until = 0.0  # this process's commits until then will be claimed by a run

# Read the guard, or set it when no run is queued, in one round trip. The value is the run's
# start in milliseconds (an integer, stored as is by Django's Redis serializer).
_GUARD_LUA = """
local starts_at = redis.call("GET", KEYS[1])
if starts_at then
  return {0, starts_at}
end
redis.call("SET", KEYS[1], ARGV[1], "EX", ARGV[2])
return {1, ARGV[1]}
"""


def _take_dispatch_guard(starts_at_ms):
    """(True, starts_at_ms) if this call queues the run, else (False, the queued run's start)."""
    timeout = settings.SIGNATURES_DISPATCH_GUARD_SECONDS
    result = run_script(caches["default"], _GUARD_LUA, [DISPATCH_GUARD], [starts_at_ms, timeout])
    if result is not None:
        return bool(result[0]), int(result[1])
    if cache.add(DISPATCH_GUARD, starts_at_ms, timeout=timeout):
        return True, starts_at_ms
    return False, int(cache.get(DISPATCH_GUARD) or 0)  # 0: a run has just started


def request_confirmation_dispatch():
    global _dispatch_covered_until
    from .tasks import send_pending_confirmations

    now = time.time()
    if now < _dispatch_covered_until:
        return
    delay = settings.SIGNATURES_DISPATCH_DELAY_SECONDS
    queued, starts_at_ms = _take_dispatch_guard(int((now + delay) * 1000))
    if queued:
        task = send_pending_confirmations
        if delay:
            task = task.using(run_after=timezone.now() + timezone.timedelta(seconds=delay))
        task.enqueue()
    starts_at = starts_at_ms / 1000
    if not queued and delay and starts_at + DISPATCH_CLOCK_MARGIN < now:  # the run is late
        _dispatch_covered_until = now + DISPATCH_LATE_RECHECK
    else:
        _dispatch_covered_until = starts_at - DISPATCH_CLOCK_MARGIN


def forget_dispatch_cover():
    global _dispatch_covered_until
    _dispatch_covered_until = 0.0


def claim_pending_confirmations(limit=DISPATCH_BATCH):
    """Take up to `limit` signatures waiting for their confirmation email; concurrent runs take
    different ones. A worker that dies after claiming loses at most this batch's emails (the
    signer can ask for the link again)."""
    with transaction.atomic():
        ids = list(
            Signature.objects.filter(confirmation_pending=True)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        Signature.objects.filter(pk__in=ids).update(confirmation_pending=False)
    return ids


def dispatch_confirmations(send):
    """Run `send(signature_id)` for every signature waiting for its confirmation email."""
    cache.delete(DISPATCH_GUARD)  # signatures committed from now on queue the next run
    sent = 0
    while ids := claim_pending_confirmations():
        for signature_id in ids:
            send(signature_id)
        sent += len(ids)
    return sent


def enqueue_withdrawn_email(signature_id):
    _enqueue_email(signature_id, "withdrawn")


def enqueue_data_email(signature_id):
    _enqueue_email(signature_id, "data")


def _reserve_email(signature, now):
    """Atomically take one email from the signature's allowance; False when used up or too soon."""
    limit = 1 + settings.SIGNATURES_MAX_REMINDERS
    cutoff = now - timezone.timedelta(seconds=settings.SIGNATURES_REMINDER_INTERVAL)
    updated = (
        Signature.objects.filter(pk=signature.pk, emails_sent__lt=limit)
        .filter(Q(last_emailed_at__isnull=True) | Q(last_emailed_at__lte=cutoff))
        .update(emails_sent=F("emails_sent") + 1, last_emailed_at=now)
    )
    return bool(updated)


def _email_kind_for_existing(signature):
    if signature.status == Status.PENDING or (
        signature.status == Status.FLAGGED and not signature.confirmed_at
    ):
        return "confirm"
    if signature.status in Signature.COUNTED_STATUSES or signature.status == Status.FLAGGED:
        return "reminder"
    return None  # rejected or invalidated: nothing to say by email


def _get_or_create_signatory(email, canonical, language):
    """One statement for a new person: INSERT ... ON CONFLICT DO NOTHING (PostgreSQL, SQLite
    >= 3.35) is race-proof without a savepoint; a known person is then read back."""
    table = Signatory._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (email, canonical_email, language, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s) ON CONFLICT (canonical_email) DO NOTHING RETURNING id",
            [email, canonical, language, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        row = cursor.fetchone()
    if row:
        signatory = Signatory(id=row[0], email=email, canonical_email=canonical, language=language)
        signatory._state.adding, signatory._state.db = False, connection.alias
        return signatory, True
    return Signatory.objects.get(canonical_email=canonical), False


_new_signer_sql = {}


def _new_signer_statement():
    """(sql, fields) of the statement that inserts a new person and their signature at once:
    `fields` are the signature's concrete fields in the model's order, the person's id aside."""
    if connection.alias not in _new_signer_sql:
        quote = connection.ops.quote_name
        fields = [f for f in Signature._meta.concrete_fields if not f.primary_key]
        values = [
            "new_signatory.id"
            if f.attname == "signatory_id"
            else f"CAST(%s AS {f.cast_db_type(connection)})"
            for f in fields
        ]
        _new_signer_sql[connection.alias] = (
            f"WITH new_signatory AS (INSERT INTO {quote(Signatory._meta.db_table)} "  # noqa: S608
            "(email, canonical_email, language, created_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (canonical_email) DO NOTHING RETURNING id) "
            f"INSERT INTO {quote(Signature._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"SELECT {', '.join(values)} FROM new_signatory RETURNING id, signatory_id",
            [f for f in fields if f.attname != "signatory_id"],
        )
    return _new_signer_sql[connection.alias]


# Fields whose database value is the Python value itself (psycopg adapts str, bool, int, None and
# aware datetimes): the hot path skips their get_db_prep_save().
_NATIVE_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DateTimeField,
    models.ForeignKey,
)


@functools.cache
def _signature_defaults():
    """(attname, default, callable default?) for every concrete field of Signature."""
    return [
        (f.attname, f.default, callable(f.default))
        if f.has_default()
        else (f.attname, f.get_default(), False)  # None or "", whatever the row
        for f in Signature._meta.concrete_fields
    ]


def _fast_new_signature(values):
    """Signature(**values) without the keyword path of Model.__init__, which was a tenth of a
    signature's CPU: every concrete field from `values`, else from its default."""
    row = []
    for attname, default, call in _signature_defaults():
        if attname in values:
            row.append(values[attname])
        else:
            row.append(default() if call else default)
    return Signature(*row)


def _server_binding_cursor():
    """A cursor that sends the parameters apart from the statement: psycopg dumps them in C,
    where Django's default client-side binding quotes each in Python (half this statement's
    CPU). Wrapped as Django wraps its own cursors, so query logging and counting still see it."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _insert_new_signer(signature, email, canonical, language, now):
    """PostgreSQL: a new person and their signature in one statement, so one round trip and no
    explicit transaction (the signing hot path). Returns False, inserting nothing, when the
    address is already known. The row is the one Signature.save() would write: same fields,
    defaults and token; no model signals are sent (nothing listens to a new signature's save).
    """
    sql, fields = _new_signer_statement()
    signature.ensure_token()
    signature.updated_at = now  # auto_now
    params = [email, canonical, language, now]
    for field in fields:
        value = getattr(signature, field.attname)
        if not isinstance(field, _NATIVE_FIELDS):
            value = field.get_db_prep_save(value, connection)
        params.append(value)
    with _server_binding_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    signature.pk, signature.signatory_id = row
    signature._state.adding, signature._state.db = False, connection.alias
    return True


def _details(cleaned_data):
    details = {name: cleaned_data.get(name) or "" for name in DETAIL_FIELDS}
    code = cleaned_data.get("departement_code")
    details["departement_id"] = departement_ids().get(code) if code else None
    return details


def _new_signature_values(fields, verdict, now):
    return {
        "status": Status.FLAGGED if verdict.flags else Status.PENDING,
        "created_at": now,
        "emails_sent": 0 if verdict.bot else 1,
        "last_emailed_at": None if verdict.bot else now,
        "confirmation_pending": not verdict.bot,
        **fields,
    }


def sign(campaign, cleaned_data, *, ip="", language="fr", verdict=None, now=None):
    """Record a signature (or remind a known signer). Safe under simultaneous submissions."""
    now = now or timezone.now()
    verdict = verdict or abuse.Verdict()
    email = cleaned_data["email"].strip()
    canonical = canonical_email(email)
    consent_public = bool(cleaned_data.get("consent_public"))
    consent_newsletter = bool(cleaned_data.get("consent_newsletter"))
    fields = {
        **_details(cleaned_data),
        "language": language,
        "consent_public": consent_public,
        "consent_newsletter": consent_newsletter,
        "consent_version": settings.SIGNATURES_CONSENT_VERSION,
        "consent_text": cleaned_data.get("consent_text", ""),
        "consented_at": now,
        "ip_hash": abuse.hash_ip(ip),
        "email_domain": email_domain(email),
        "flag_reason": verdict.reason[:255],
    }
    emailed = False
    known_signer = False
    if connection.vendor == "postgresql":
        values = _new_signature_values(fields, verdict, now)
        signature = _fast_new_signature({"campaign_id": campaign.pk, **values})
        signature.campaign = campaign
        if _insert_new_signer(signature, email, canonical, language, now):
            if not verdict.bot:
                transaction.on_commit(request_confirmation_dispatch, robust=True)
            return SignResult(signature=signature, created=True, emailed=not verdict.bot)
        known_signer = True  # the statement found the address: no second insert to try
    with transaction.atomic():
        if known_signer:
            signatory, new_signatory = Signatory.objects.get(canonical_email=canonical), False
        else:
            signatory, new_signatory = _get_or_create_signatory(email, canonical, language)
        signature = None
        if not new_signatory:
            signature = Signature.objects.filter(campaign=campaign, signatory=signatory).first()
        if signature is None:
            new = Signature(
                campaign=campaign,
                signatory=signatory,
                **_new_signature_values(fields, verdict, now),
            )
            if new_signatory:
                # Nobody else can hold a signature of a person created in this transaction.
                new.save(force_insert=True)
                signature, created = new, True
            else:
                try:
                    with transaction.atomic():
                        new.save(force_insert=True)
                    signature, created = new, True
                except IntegrityError:
                    # A simultaneous submission for the same person won the race.
                    signature = Signature.objects.get(campaign=campaign, signatory=signatory)
                    created = False
            if created and not verdict.bot:
                # robust: the signature is in; if queueing fails, the periodic run sends it.
                transaction.on_commit(request_confirmation_dispatch, robust=True)
                emailed = True
        else:
            created = False
        if not created and not verdict.bot:
            if signature.status == Status.WITHDRAWN:
                emailed = _sign_again(signature, fields, verdict, now)
            else:
                kind = _email_kind_for_existing(signature)
                if kind and _reserve_email(signature, now):
                    _enqueue_email(signature.pk, kind)
                    emailed = True
    return SignResult(signature=signature, created=created, emailed=emailed)


def _sign_again(signature, fields, verdict, now):
    """A withdrawn signature signed again: fresh details, fresh links, back to pending."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Status.WITHDRAWN:
        return False
    previous_consents = (signature.consent_public, signature.consent_newsletter)
    for name, value in fields.items():
        setattr(signature, name, value)
    signature.token = ""  # rotated on save: links sent before the withdrawal stop working
    signature.withdrawn_at = None
    signature.confirmed_at = None
    signature.emails_sent = 1
    signature.last_emailed_at = now
    signature.save()
    change_status(signature, Status.PENDING)
    if verdict.flags:
        change_status(signature, Status.FLAGGED, flag_reason=verdict.reason[:255])
    if previous_consents != (signature.consent_public, signature.consent_newsletter):
        signals.signature_consent_changed.send(sender=Signature, signature=signature)
    _enqueue_email(signature.pk, "confirm")
    return True


def resend(campaign, email, now=None):
    """Resend the confirmation link if the address has a signature waiting for it. Neutral."""
    now = now or timezone.now()
    signature = (
        Signature.objects.filter(
            campaign=campaign, signatory__canonical_email=canonical_email(email)
        )
        .select_related("signatory")
        .first()
    )
    if signature is None or _email_kind_for_existing(signature) != "confirm":
        return False
    with transaction.atomic():
        if _reserve_email(signature, now):
            _enqueue_email(signature.pk, "confirm")
            return True
    return False


def change_status(signature, new_status, **fields):
    """Apply one transition of the state machine, save, and tell receivers in the transaction."""
    now = timezone.now()
    with transaction.atomic():
        previous = signature.status
        signature.transition(new_status)
        if new_status == Status.CONFIRMED and not signature.confirmed_at:
            fields.setdefault("confirmed_at", now)
        elif new_status == Status.VERIFIED:
            fields.setdefault("verified_at", now)
        elif new_status == Status.WITHDRAWN:
            fields.setdefault("withdrawn_at", now)
        for name, value in fields.items():
            setattr(signature, name, value)
        update_fields = {"status", "updated_at", *(name for name in fields)}
        update_fields = {
            Signature._meta.get_field(name).name for name in update_fields
        }  # accepts "organisation" as well as "organisation_id"
        signature.save(update_fields=sorted(update_fields))
        signals.signature_status_changed.send(
            sender=Signature, signature=signature, previous_status=previous
        )
    return signature


CONFIRMED, ALREADY, UNAVAILABLE = "confirmed", "already", "unavailable"


def confirm(signature, now=None):
    """Follow a confirmation link. Returns CONFIRMED, ALREADY or UNAVAILABLE."""
    from .verification import verify_after_confirmation

    now = now or timezone.now()
    with transaction.atomic():
        signature = Signature.objects.select_for_update().get(pk=signature.pk)
        if signature.status == Status.PENDING:
            change_status(signature, Status.CONFIRMED, confirmed_at=now)
            verify_after_confirmation(signature)
            return CONFIRMED
        if signature.status == Status.FLAGGED:
            if signature.confirmed_at:
                return ALREADY
            signature.confirmed_at = now
            signature.save(update_fields=["confirmed_at", "updated_at"])
            return CONFIRMED
        if signature.status in Signature.COUNTED_STATUSES:
            return ALREADY
        return UNAVAILABLE


def withdraw(signature, erase=False):
    """Withdraw a signature (the signer's link); with erase, also blank and delete personal data."""
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("signatory")
            .get(pk=signature.pk)
        )
        if signature.status != Status.WITHDRAWN and signature.can_transition(Status.WITHDRAWN):
            change_status(signature, Status.WITHDRAWN)
        if erase:
            erase_signature(signature)
    return signature


def erase_signature(signature, *, requested=True, now=None):
    """Blank the signature's personal data and detach it; delete the Signatory if now unused."""
    now = now or timezone.now()
    signatory = signature.signatory
    consents_changed = signature.consent_public or signature.consent_newsletter
    for name in PERSONAL_FIELDS:
        setattr(signature, name, "")
    signature.consent_public = signature.consent_newsletter = False
    signature.signatory = None
    signature.organisation = None
    signature.anonymised_at = now
    signature.token = ""
    signature.save()
    if consents_changed:
        signals.signature_consent_changed.send(sender=Signature, signature=signature)
    if signatory is not None and not signatory.signatures.exists():
        signals.signatory_erased.send(
            sender=Signatory, signatory=signatory, email=signatory.email, erase=requested
        )
        signatory.delete()


def export_data(signatory):
    """Everything kept about a person, as JSON-ready data (the data copy link)."""
    signatures = signatory.signatures.select_related("campaign", "departement").order_by(
        "created_at"
    )
    return {
        "email": signatory.email,
        "language": signatory.language,
        "created_at": signatory.created_at.isoformat(),
        "signatures": [
            {
                "campaign": s.campaign.title,
                "status": s.status,
                "category": s.category,
                "first_name": s.first_name,
                "last_name": s.last_name,
                "title": s.title,
                "organisation": s.organisation_name,
                "kind_of_authority": s.authority_kind,
                "insee_code": s.insee_code,
                "siren": s.siren,
                "postcode": s.postcode,
                "commune": s.commune,
                "departement": s.departement.code if s.departement else "",
                "language": s.language,
                "listed_publicly": s.consent_public,
                "newsletters": s.consent_newsletter,
                "consent_version": s.consent_version,
                "consent_wording": s.consent_text,
                "consented_at": s.consented_at.isoformat() if s.consented_at else None,
                "signed_at": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "verified": s.status == Status.VERIFIED,
                "source": s.source,
            }
            for s in signatures
        ],
    }


def anonymise_closed_campaigns(now=None, dry_run=False, batch_size=500):
    """Blank personal data of signatures whose campaign closed more than
    SIGNATURES_ANONYMISE_AFTER_DAYS ago. Returns the number of signatures anonymised."""
    from campaigns.models import Campaign

    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.SIGNATURES_ANONYMISE_AFTER_DAYS)
    campaigns = Campaign.objects.filter(closes_at__isnull=False, closes_at__lte=cutoff)
    pending = Signature.objects.filter(campaign__in=campaigns, anonymised_at__isnull=True)
    if dry_run:
        return pending.count()
    done = 0
    while True:
        ids = list(pending.values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            signatory_ids = set(
                Signature.objects.filter(pk__in=ids, signatory__isnull=False).values_list(
                    "signatory_id", flat=True
                )
            )
            done += Signature.objects.filter(pk__in=ids).update(
                **dict.fromkeys(PERSONAL_FIELDS, ""),
                signatory=None,
                organisation=None,
                token="",
                anonymised_at=now,
                updated_at=now,
            )
            for signatory in Signatory.objects.filter(
                pk__in=signatory_ids, signatures__isnull=True
            ):
                signals.signatory_erased.send(
                    sender=Signatory, signatory=signatory, email=signatory.email, erase=False
                )
                signatory.delete()
    if done:
        logger.info("Anonymised %d signatures of closed campaigns", done)
    return done
