import factory
from django.utils import timezone

from signatories.models import Departement, Organisation, Signatory, Signature


class DepartementFactory(factory.django.DjangoModelFactory):
    """Départements are reference data loaded by migration: fetch, don't invent."""

    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "69"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Commune {n}")
    kind = Organisation.Kind.COMMUNE
    insee_code = factory.Sequence(lambda n: f"69{n % 1000:03d}")
    departement = factory.SubFactory(DepartementFactory)
    email_domains = "mairie-exemple.fr"


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    canonical_email = factory.LazyAttribute(lambda o: o.email.lower())
    language = "fr"


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    campaign = factory.SubFactory("tests.factories.campaigns.CampaignFactory")
    signatory = factory.SubFactory(SignatoryFactory)
    category = Signature.Category.INDIVIDUAL
    status = Signature.Status.PENDING
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    departement = factory.SubFactory(DepartementFactory)
    consent_public = True
    consent_newsletter = False
    consent_version = "2026-11"
    consent_text = "Je signe la lettre ouverte."
    consented_at = factory.LazyFunction(timezone.now)
    email_domain = factory.LazyAttribute(
        lambda o: o.signatory.canonical_email.split("@")[1] if o.signatory else ""
    )

    class Params:
        confirmed = factory.Trait(
            status=Signature.Status.CONFIRMED, confirmed_at=factory.LazyFunction(timezone.now)
        )
        verified = factory.Trait(
            status=Signature.Status.VERIFIED,
            confirmed_at=factory.LazyFunction(timezone.now),
            verified_at=factory.LazyFunction(timezone.now),
            verification_method=Signature.VerificationMethod.STAFF,
        )
        flagged = factory.Trait(status=Signature.Status.FLAGGED, flag_reason="rate limit")
        official = factory.Trait(
            category=Signature.Category.ELECTED, title="Maire", commune="Villeurbanne"
        )
        authority = factory.Trait(
            category=Signature.Category.LOCAL_AUTHORITY,
            authority_kind="commune",
            organisation_name="Ville de Villeurbanne",
            insee_code="69266",
            title="Maire",
        )
        withdrawn = factory.Trait(
            status=Signature.Status.WITHDRAWN, withdrawn_at=factory.LazyFunction(timezone.now)
        )
        offline = factory.Trait(
            status=Signature.Status.CONFIRMED,
            source=Signature.Source.PAPER,
            signatory=None,
            confirmed_at=factory.LazyFunction(timezone.now),
        )
