import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import CampaignFactory
from tests.factories.signatories import SignatureFactory


def permissions(*names):
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


@pytest.fixture
def make_user(django_user_model):
    def make(username, *perms, superuser=False):
        if superuser:
            return django_user_model.objects.create_superuser(
                username=username, email=f"{username}@example.org", password="not-used-123"
            )
        user = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.org", password="not-used-123"
        )
        if perms:
            group, _ = Group.objects.get_or_create(name=f"group-{username}")
            group.permissions.set(permissions(*perms))
            user.groups.add(group)
        return user

    return make


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
