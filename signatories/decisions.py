"""What each submission means, decided by the worker with the database in view.

``decide(batch, now)`` applies the signing rules to a batch of submissions in their order and
returns, per submission, its outcome and the emails to send:

- a new person, or a known person new to this campaign: a signature, PENDING (FLAGGED when a
  check flagged it) with its confirmation email, none for a bot;
- a known signature: never overwritten by unconfirmed input; its signer gets the confirmation
  link again (still pending) or a reminder (already counted), at most SIGNATURES_MAX_REMINDERS
  times, SIGNATURES_REMINDER_INTERVAL seconds apart;
- a withdrawn signature signed again: fresh details and links, back to pending;
- "send me the link again": the confirmation link, within the same allowance;
- "a copy of my data": a link to it, at most once per DATA_REQUEST_INTERVAL.

One signature per person and campaign is the database's unique constraint: new people and
signatures are inserted in bulk ignoring conflicts, then read back, and a row whose insert lost
to another worker's is treated as the known signature it now is.
"""

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from campaigns.models import Campaign

from . import abuse, signals
from .lifecycle import change_status
from .models import Departement, Signatory, Signature, Submission

Status = Signature.Status
Kind = Submission.Kind
Outcome = Submission.Outcome

DATA_REQUEST_INTERVAL = 600  # seconds between two data-copy emails to one person

# What the signer declared, as the form cleaned it: kept on the submission, then the signature.
DECLARED_FIELDS = (
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
TEXT_FIELDS = (*DECLARED_FIELDS, "consent_version", "consent_text")
CONSENT_FIELDS = ("consent_public", "consent_newsletter")
COPIED_FIELDS = TEXT_FIELDS + CONSENT_FIELDS


@dataclass
class Result:
    outcome: str
    emails: list = field(default_factory=list)  # [(signature_id, email kind)]


def decide(batch, now=None):
    now = now or timezone.now()
    signing = [s for s in batch if s.kind == Kind.SIGN]
    results = _decide_signing(signing, now) if signing else {}
    for submission in batch:
        if submission.kind == Kind.RESEND:
            results[submission.pk] = _resend(submission, now)
        elif submission.kind == Kind.DATA:
            results[submission.pk] = _data_request(submission, now)
    return results


# --- Signing ------------------------------------------------------------------------------------


def _decide_signing(batch, now):
    rate_flags = abuse.rate_flags(batch)
    departements = _departement_ids(batch)
    people = _people(batch)
    known = _signatures(people.values(), {s.campaign_id for s in batch})
    results, new = {}, []
    for submission in batch:
        flags = submission.flag_list + rate_flags.get(submission.pk, [])
        key = (people[submission.canonical_email], submission.campaign_id)
        signature = known.get(key)
        if signature is None:
            signature = known[key] = _new_signature(submission, key[0], flags, now, departements)
            new.append((submission, signature))
            results[submission.pk] = _confirmation(signature, submission)
        elif signature.pk is None:
            # The same person twice in one batch: the first one's email is on its way.
            results[submission.pk] = Result(Outcome.NO_EMAIL)
        else:
            results[submission.pk] = _known(signature, submission, flags, now)
    for submission, signature in _insert_signatures(new):
        # Another worker's insert won the race: this one is a known signature now.
        results[submission.pk] = _known(signature, submission, submission.flag_list, now)
    return results


def _people(batch):
    """{canonical email: signatory id} for the batch, creating the new people in one statement."""
    emails = {s.canonical_email: s for s in reversed(batch)}  # the first submission's spelling
    Signatory.objects.bulk_create(
        [
            Signatory(email=s.email, canonical_email=canonical, language=s.language)
            for canonical, s in emails.items()
        ],
        ignore_conflicts=True,
    )
    return dict(
        Signatory.objects.filter(canonical_email__in=emails).values_list("canonical_email", "pk")
    )


def _signatures(signatory_ids, campaign_ids):
    """{(signatory_id, campaign_id): Signature} of these people in these campaigns."""
    signatures = Signature.objects.filter(
        signatory__in=list(signatory_ids), campaign_id__in=campaign_ids
    )
    return {(s.signatory_id, s.campaign_id): s for s in signatures}


def _departement_ids(batch):
    codes = {s.fields.get("departement_code") for s in batch} - {None, ""}
    return dict(Departement.objects.filter(code__in=codes).values_list("code", "pk"))


def _new_signature(submission, signatory_id, flags, now, departements):
    fields = submission.fields
    bot = submission.bot
    return Signature(
        campaign_id=submission.campaign_id,
        signatory_id=signatory_id,
        status=Status.FLAGGED if flags else Status.PENDING,
        flag_reason=", ".join(flags)[:255],
        departement_id=departements.get(fields.get("departement_code")),
        language=submission.language,
        consented_at=submission.created_at,
        ip_hash=submission.ip_hash,
        email_domain=submission.email_domain,
        created_at=submission.created_at,
        emails_sent=0 if bot else 1,
        last_emailed_at=None if bot else now,
        token=secrets.token_urlsafe(32),
        **{name: fields.get(name) or "" for name in TEXT_FIELDS},
        **{name: bool(fields.get(name)) for name in CONSENT_FIELDS},
    )


def _confirmation(signature, submission):
    if submission.bot:
        return Result(Outcome.NEW)
    return Result(Outcome.NEW, [(signature, "confirm")])


def _insert_signatures(new):
    """Insert the new signatures; returns [(submission, existing signature)] for those another
    worker inserted first. The emails of the inserted ones get their ids here."""
    if not new:
        return []
    Signature.objects.bulk_create([signature for _s, signature in new], ignore_conflicts=True)
    stored = {
        (signatory_id, campaign_id): (pk, token)
        for signatory_id, campaign_id, pk, token in Signature.objects.filter(
            signatory__in=[signature.signatory_id for _s, signature in new],
            campaign_id__in={signature.campaign_id for _s, signature in new},
        ).values_list("signatory_id", "campaign_id", "pk", "token")
    }
    lost = []
    for submission, signature in new:
        pk, token = stored[signature.signatory_id, signature.campaign_id]
        if token == signature.token:
            signature.pk = pk
        else:
            lost.append((submission, Signature.objects.get(pk=pk)))
    return lost


def _known(signature, submission, flags, now):
    if submission.bot:
        return Result(Outcome.NO_EMAIL)
    if signature.status == Status.WITHDRAWN:
        return _sign_again(signature, submission, flags, now)
    kind = _email_for_existing(signature)
    if kind and _reserve_email(signature, now):
        return Result(Outcome.REMINDED, [(signature, kind)])
    return Result(Outcome.NO_EMAIL)


def _email_for_existing(signature):
    if signature.status == Status.PENDING or (
        signature.status == Status.FLAGGED and not signature.confirmed_at
    ):
        return "confirm"
    if signature.status in Signature.COUNTED_STATUSES or signature.status == Status.FLAGGED:
        return "reminder"
    return None  # rejected or invalidated: nothing to say by email


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


def _sign_again(signature, submission, flags, now):
    """A withdrawn signature signed again: fresh details, fresh links, back to pending."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Status.WITHDRAWN:
        return Result(Outcome.NO_EMAIL)
    previous_consents = (signature.consent_public, signature.consent_newsletter)
    fresh = _new_signature(
        submission, signature.signatory_id, flags, now, _departement_ids([submission])
    )
    for name in (*COPIED_FIELDS, "departement_id", "language", "consented_at", "ip_hash"):
        setattr(signature, name, getattr(fresh, name))
    signature.email_domain = fresh.email_domain
    signature.token = fresh.token  # links sent before the withdrawal stop working
    signature.withdrawn_at = None
    signature.confirmed_at = None
    signature.emails_sent = 1
    signature.last_emailed_at = now
    signature.save()
    change_status(signature, Status.PENDING)
    if flags:
        change_status(signature, Status.FLAGGED, flag_reason=", ".join(flags)[:255])
    if previous_consents != (signature.consent_public, signature.consent_newsletter):
        signals.signature_consent_changed.send(sender=Signature, signature=signature)
    return Result(Outcome.SIGNED_AGAIN, [(signature, "confirm")])


# --- Requests about an existing signature -------------------------------------------------------


def _resend(submission, now):
    campaigns = (
        [submission.campaign_id]
        if submission.campaign_id
        else Campaign.objects.filter(status=Campaign.Status.OPEN).values_list("pk", flat=True)
    )
    signatures = Signature.objects.filter(
        campaign_id__in=list(campaigns), signatory__canonical_email=submission.canonical_email
    )
    emails = [
        (signature, "confirm")
        for signature in signatures
        if _email_for_existing(signature) == "confirm" and _reserve_email(signature, now)
    ]
    return Result(Outcome.RESENT if emails else Outcome.NO_EMAIL, emails)


def _data_request(submission, now):
    signatory = Signatory.objects.filter(canonical_email=submission.canonical_email).first()
    latest = signatory and signatory.signatures.order_by("-created_at").first()
    if latest is None:
        return Result(Outcome.NO_EMAIL)
    # One atomic update: two requests at once (a double click, two workers) send one email.
    cutoff = now - timezone.timedelta(seconds=DATA_REQUEST_INTERVAL)
    reserved = (
        Signatory.objects.filter(pk=signatory.pk)
        .filter(Q(data_emailed_at__isnull=True) | Q(data_emailed_at__lte=cutoff))
        .update(data_emailed_at=now)
    )
    if not reserved:
        return Result(Outcome.NO_EMAIL)
    return Result(Outcome.DATA_SENT, [(latest, "data")])
