import pytest

from tests.factories import CampaignFactory
from tests.factories.signatories import SignatureFactory
from tests.signatories.conftest import permissions  # noqa: F401 - used by tests here

MODERATOR_PERMS = (
    "wagtailadmin.access_admin",
    "signatories.view_signature",
    "moderation.moderate_signature",
    "moderation.bulk_invalidate_signature",
    "signatories.add_organisation",
    "signatories.change_organisation",
    "signatories.delete_organisation",
)


@pytest.fixture
def moderator(make_user):
    return make_user("moderator", *MODERATOR_PERMS)


@pytest.fixture
def viewer(make_user):
    """Staff who may look at signatures but not moderate them."""
    return make_user("viewer", "wagtailadmin.access_admin", "signatories.view_signature")


@pytest.fixture
def superuser(make_user):
    return make_user("admin", superuser=True)


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="lettre-ouverte", title="Lettre ouverte", goal=1000)


@pytest.fixture
def official(campaign):
    """A confirmed elected official waiting in the moderation queue."""

    def make(**kwargs):
        return SignatureFactory(campaign=campaign, official=True, confirmed=True, **kwargs)

    return make


@pytest.fixture
def signal_log():
    from signatories.signals import signature_status_changed

    received = []

    def receiver(sender, signature, previous_status, **kwargs):
        received.append((signature.pk, previous_status, signature.status))

    signature_status_changed.connect(receiver, weak=False)
    yield received
    signature_status_changed.disconnect(receiver)
