import time

import altcha
import pytest
from django.contrib.auth.models import Group, Permission

from signatories import abuse
from tests.factories import CampaignFactory


@pytest.fixture(autouse=True)
def _cheap_challenges(settings):
    # Solving must stay quick in tests; verification is the same code as in production.
    settings.SIGNATURES_ALTCHA_COST = 1
    settings.SIGNATURES_ALTCHA_MAX_NUMBER = 5


@pytest.fixture
def campaign(db):
    return CampaignFactory(
        slug="lettre-ouverte", title="Lettre ouverte des bibliothèques", goal=1000
    )


def solve_challenge(challenge=None):
    challenge = challenge or abuse.create_challenge()
    solution = altcha.solve_challenge(challenge)
    return altcha.Payload(challenge, solution).to_base64()


@pytest.fixture
def altcha_payload():
    return solve_challenge


@pytest.fixture
def sign_data(campaign):
    """POST data of a valid individual signature, rendered 10 seconds ago, with a solved challenge."""

    def build(**overrides):
        data = {
            "category": "individual",
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille.durand@example.org",
            "postcode": "69001",
            "consent_sign": "on",
            "consent_public": "on",
            "website": "",
            "form_token": abuse.make_form_token(campaign, now=time.time() - 10),
            "altcha": solve_challenge(),
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return build


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
