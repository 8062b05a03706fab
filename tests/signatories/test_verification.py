from unittest import mock

import pytest

from signatories import confirmation
from signatories.models import Signature
from signatories.register.matching import RegisterMatch
from tests.factories import OrganisationFactory, SignatoryFactory, SignatureFactory

S = Signature.Status
pytestmark = pytest.mark.django_db


def pending_official(email, **fields):
    signatory = SignatoryFactory(email=email, canonical_email=email.lower())
    defaults = {"category": Signature.Category.LOCAL_AUTHORITY, "insee_code": "69266"}
    defaults.update(fields)
    return SignatureFactory(signatory=signatory, **defaults)


def test_official_domain_verifies_at_once():
    organisation = OrganisationFactory(
        insee_code="69266", email_domains="mairie-villeurbanne.fr\n@villeurbanne.fr"
    )
    signature = pending_official("maire@villeurbanne.fr")
    confirmation.confirm(signature)
    signature.refresh_from_db()
    assert signature.status == S.VERIFIED
    assert signature.verification_method == Signature.VerificationMethod.DOMAIN
    assert signature.organisation == organisation and signature.verified_at


def test_subdomain_of_an_official_domain_counts():
    OrganisationFactory(siren="200046977", insee_code="", email_domains="grandlyon.com")
    signature = pending_official("x@culture.grandlyon.com", insee_code="", siren="200046977")
    confirmation.confirm(signature)
    signature.refresh_from_db()
    assert signature.status == S.VERIFIED


def test_other_domain_waits_for_staff():
    organisation = OrganisationFactory(insee_code="69266", email_domains="mairie-villeurbanne.fr")
    signature = pending_official("maire@gmail.com")
    confirmation.confirm(signature)
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED
    assert signature.organisation == organisation  # recognised, shown to staff
    assert signature in Signature.objects.filter(
        status=S.CONFIRMED, category__in=Signature.VERIFIED_CATEGORIES
    )


def test_register_exact_match_verifies():
    signature = pending_official(
        "elu@gmail.com", category=Signature.Category.ELECTED, insee_code=""
    )
    with mock.patch(
        "signatories.register.matching.match_signature", return_value=RegisterMatch(exact=object())
    ):
        confirmation.confirm(signature)
    signature.refresh_from_db()
    assert signature.status == S.VERIFIED
    assert signature.verification_method == Signature.VerificationMethod.REGISTER


def test_register_near_match_stays_confirmed():
    signature = pending_official(
        "elu@gmail.com", category=Signature.Category.ELECTED, insee_code=""
    )
    with mock.patch(
        "signatories.register.matching.match_signature",
        return_value=RegisterMatch(candidates=[object()]),
    ):
        confirmation.confirm(signature)
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED


def test_individuals_are_not_verified():
    OrganisationFactory(insee_code="69266", email_domains="example.org")
    signature = pending_official("x@example.org", category=Signature.Category.INDIVIDUAL)
    confirmation.confirm(signature)
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED


def test_public_list_shows_officials_only_once_verified(client, campaign):
    from django.urls import reverse

    SignatureFactory(campaign=campaign, confirmed=True, official=True, last_name="Attente")
    SignatureFactory(campaign=campaign, verified=True, official=True, last_name="Vérifiée")
    html = client.get(reverse("signatories:public_list", args=[campaign.slug])).content.decode()
    assert "Vérifiée" in html and "Attente" not in html
