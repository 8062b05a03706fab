"""A signer's rights and the retention rules: erase, export, anonymise.

- ``erase_signature(signature)`` blanks the signature's personal data and detaches it; the
  Signatory is deleted when it has no other signature, after
  ``signals.signatory_erased(signatory=, email=, erase=True)``, and so are the submissions still
  holding that address. ``signals.signature_consent_changed(signature=)`` is sent whenever a
  consent flag changes.
- ``export_data(signatory)``: everything kept about a person (the data copy link).
- ``anonymise_closed_campaigns()`` blanks personal data a configurable time after a campaign
  closes; counts are unaffected. Orphaned signatories are deleted after
  ``signatory_erased(erase=False)`` (retention, not the person's request).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign

from . import signals
from .models import Signatory, Signature, Submission

logger = logging.getLogger(__name__)

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
        Submission.objects.filter(canonical_email=signatory.canonical_email).delete()
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
                "verified": s.status == Signature.Status.VERIFIED,
                "source": s.source,
            }
            for s in signatures
        ],
    }


def anonymise_closed_campaigns(now=None, dry_run=False, batch_size=500):
    """Blank personal data of signatures whose campaign closed more than
    SIGNATURES_ANONYMISE_AFTER_DAYS ago. Returns the number of signatures anonymised."""
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
