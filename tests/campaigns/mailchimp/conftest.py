import pytest

from campaigns.mailchimp.devserver import FakeMailchimp
from campaigns.mailchimp.models import AudienceConnection
from signatories import confirmation
from tests.factories import CampaignFactory, SignatureFactory

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


def sign_and_confirm(campaign, **kwargs):
    """A pending signature (newsletters asked for, unless told otherwise) that its signer confirms
    from the email link."""
    kwargs.setdefault("consent_newsletter", True)
    signature = SignatureFactory(campaign=campaign, **kwargs)
    assert confirmation.confirm(signature) == confirmation.CONFIRMED
    signature.refresh_from_db()
    return signature
