"""Automatic verification of officials and authorities once their email is confirmed.

1. The recognised organisation (by INSEE code or SIREN, or for an elected official by commune
   name and département) lists the email's domain among its official domains: VERIFIED, method
   "domain".
2. Otherwise the register of elected officials (signatories.register.matching) has an exact
   match: VERIFIED, method "register".
3. Otherwise the signature stays CONFIRMED and waits in the moderation queue for staff.
"""

import logging

from django.db import transaction
from django.db.models import Q

from .lifecycle import change_status
from .models import Organisation, Signature

logger = logging.getLogger(__name__)


def domain_matches(domain, official_domains):
    domain = (domain or "").lower()
    return bool(domain) and any(
        domain == official or domain.endswith("." + official) for official in official_domains
    )


def find_organisation(signature):
    query = Q()
    if signature.insee_code:
        query |= Q(insee_code__iexact=signature.insee_code)
    if signature.siren:
        query |= Q(siren=signature.siren)
    if query:
        found = Organisation.objects.filter(query).first()
        if found:
            return found
    if signature.category == Signature.Category.ELECTED and signature.commune:
        return Organisation.objects.filter(
            kind=Organisation.Kind.COMMUNE,
            name__iexact=signature.commune.strip(),
            departement_id=signature.departement_id,
        ).first()
    return None


def verify_after_confirmation(signature):
    """Verify a freshly confirmed signature if it can be; returns the method used or None."""
    from signatories.register.matching import match_signature

    if signature.category not in Signature.VERIFIED_CATEGORIES:
        return None
    Method = Signature.VerificationMethod
    organisation = signature.organisation or find_organisation(signature)
    if organisation and domain_matches(signature.email_domain, organisation.official_domains()):
        change_status(
            signature,
            Signature.Status.VERIFIED,
            verification_method=Method.DOMAIN,
            organisation=organisation,
        )
        return Method.DOMAIN
    try:
        with transaction.atomic():  # a savepoint: a database error here must not abort confirm()
            match = match_signature(signature)
    except Exception:
        # The register is a help, not a gate: a failure leaves the signature for staff review.
        logger.exception("Register matching failed for signature %s", signature.pk)
        match = None
    if match is not None and match.exact is not None:
        fields = {"verification_method": Method.REGISTER}
        if organisation:
            fields["organisation"] = organisation
        change_status(signature, Signature.Status.VERIFIED, **fields)
        return Method.REGISTER
    if organisation and signature.organisation_id != organisation.pk:
        signature.organisation = organisation
        signature.save(update_fields=["organisation", "updated_at"])
    return None
