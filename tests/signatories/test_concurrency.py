"""Simultaneous submissions of the same person on PostgreSQL: one signature, no error."""

import threading

import pytest
from django.conf import settings
from django.db import connections

from signatories import services
from signatories.models import Signatory, Signature

# Skipped at collection on SQLite (which serialises writers anyway), so that no transactional
# flush happens there; on PostgreSQL the reference data is restored for the next tests.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: SQLite serialises writers",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_same_email_in_different_cases_at_once_gives_one_signature(campaign):
    variants = [
        "Marie.Curie@Example.org",
        "marie.curie@example.org",
        "MARIE.CURIE@EXAMPLE.ORG",
        "marie.curie@EXAMPLE.org",
    ]
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    errors, results = [], []

    def submit(index):
        try:
            barrier.wait()
            result = services.sign(
                campaign,
                {
                    "email": variants[index % len(variants)],
                    "category": "individual",
                    "first_name": "Marie",
                    "last_name": "Curie",
                },
            )
            results.append(result.created)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == threads_count and results.count(True) == 1
    assert Signatory.objects.count() == 1
    assert Signature.objects.filter(campaign=campaign).count() == 1


def test_known_signatory_signing_a_new_campaign_twice_at_once(campaign):
    from tests.factories import CampaignFactory

    other = CampaignFactory()
    services.sign(
        other,
        {"email": "a@example.org", "category": "individual", "first_name": "A", "last_name": "B"},
    )
    barrier = threading.Barrier(8)
    errors = []

    def submit():
        try:
            barrier.wait()
            services.sign(
                campaign,
                {
                    "email": "A@example.org",
                    "category": "individual",
                    "first_name": "A",
                    "last_name": "B",
                },
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert Signature.objects.filter(campaign=campaign).count() == 1
