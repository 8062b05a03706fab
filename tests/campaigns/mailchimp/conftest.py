import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.mailchimp.models import AudienceConnection
from signatories.models import Signature
from signatories.signals import (
    signatory_erased,
    signature_consent_changed,
    signature_status_changed,
)
from tests.factories import CampaignFactory, SignatureFactory
from tests.fakes.mailchimp import FakeMailchimp

API_KEY = "testkey-us21"


@pytest.fixture
def fake_mailchimp(settings):
    """The fake Mailchimp on a free port, with one audience "aud1"; settings point the client at it."""
    fake = FakeMailchimp(api_key=API_KEY).serve()
    fake.add_list("aud1", name="Lettre ouverte")
    settings.MAILCHIMP_API_KEY = API_KEY
    settings.MAILCHIMP_SERVER_PREFIX = "us21"
    settings.MAILCHIMP_API_HOST = fake.api_host
    settings.MAILCHIMP_MAX_CONNECTIONS = 10
    yield fake
    fake.stop()


@pytest.fixture
def connection(db):
    campaign = CampaignFactory(slug="bibliotheques-2026")
    return AudienceConnection.objects.create(campaign=campaign, list_id="aud1", opt_in="subscribed")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (task enqueues) as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


# The services of signatories send these signals exactly like this: inside the transaction,
# after saving. These helpers stand in for them.


def change_status(signature, new_status, **fields):
    with transaction.atomic():
        previous = signature.status
        signature.transition(new_status)
        if new_status in Signature.COUNTED_STATUSES and not signature.confirmed_at:
            signature.confirmed_at = timezone.now()
        if new_status == Signature.Status.VERIFIED:
            signature.verified_at = timezone.now()
        for name, value in fields.items():
            setattr(signature, name, value)
        signature.save()
        signature_status_changed.send(
            sender=Signature, signature=signature, previous_status=previous
        )
    return signature


def change_consent(signature, **consents):
    with transaction.atomic():
        for name, value in consents.items():
            setattr(signature, name, value)
        signature.save()
        signature_consent_changed.send(sender=Signature, signature=signature)
    return signature


def erase(signatory):
    with transaction.atomic():
        email = signatory.email
        signatory_erased.send(sender=type(signatory), signatory=signatory, email=email, erase=True)
        for signature in signatory.signatures.all():
            signature.first_name = signature.last_name = ""
            signature.signatory = None
            signature.anonymised_at = timezone.now()
            signature.save()
        signatory.delete()


def sign_and_confirm(campaign, **kwargs):
    kwargs.setdefault("consent_newsletter", True)
    signature = SignatureFactory(campaign=campaign, **kwargs)
    return change_status(signature, Signature.Status.CONFIRMED)
