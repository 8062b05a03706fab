import time

import altcha
import pytest

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


@pytest.fixture
def run_tasks(run_tasks):
    """Commit callbacks first (tests run inside a transaction that never commits, so tasks
    enqueued with transaction.on_commit would never reach the queue), then run the real worker.

    The worker closes "old" connections between tasks; inside a test transaction on PostgreSQL
    that would close the test's own connection, so that housekeeping is skipped here."""
    from unittest import mock

    from django.db import connection

    def run(queue="*"):
        while connection.run_on_commit:
            callbacks = list(connection.run_on_commit)
            connection.run_on_commit.clear()
            for _sids, callback, _robust in callbacks:
                callback()
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            run_tasks(queue)

    return run
