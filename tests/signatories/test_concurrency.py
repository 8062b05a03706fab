"""Several workers on one queue, on PostgreSQL: one signature per mailbox, nothing lost or doubled.

Skipped at collection on SQLite (which serialises writers anyway), so that no transactional flush
happens there; on PostgreSQL the reference data is restored for the next tests.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from signatories import abuse, intake
from signatories.models import Signatory, Signature, Submission

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: SQLite serialises writers",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
SPELLINGS = [
    "Marie.Curie@gmail.com",
    "mariecurie@gmail.com",
    "MARIE.CURIE@GMAIL.COM",
    "marie.curie+lettre@gmail.com",
    "m.a.r.i.e.curie@googlemail.com",
    "MarieCurie+bib@googlemail.com",
]


def record(campaign, email, **fields):
    return intake.record_signature(
        campaign,
        {"email": email, "category": "individual", "first_name": "Marie", "last_name": "Curie"}
        | fields,
        verdict=abuse.Verdict(),
        challenge=None,
        ip_hash="",
        language="fr",
    )


def test_one_mailbox_in_many_spellings_through_several_workers_gives_one_signature(campaign):
    for n in range(48):
        record(campaign, SPELLINGS[n % len(SPELLINGS)])
    queued, errors = [], []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            while intake.process_batch(queued.extend, limit=3):
                pass
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert errors == []
    assert Signatory.objects.count() == 1
    assert Signature.objects.filter(campaign=campaign).count() == 1
    assert set(Submission.objects.values_list("status", flat=True)) == {"processed"}
    assert Submission.objects.filter(outcome="new").count() == 1
    assert [kind for _id, kind in queued] == ["confirm"]  # the others were too soon after it


def test_a_known_signatory_signing_a_new_campaign_from_several_workers(campaign):
    from tests.factories import CampaignFactory, SignatureFactory

    other = CampaignFactory()
    known = SignatureFactory(campaign=other, signatory__email="a@example.org")
    for _ in range(12):
        record(campaign, "A@Example.org")
    barrier = threading.Barrier(3)

    def worker():
        barrier.wait()
        while intake.process_batch(lambda emails: None, limit=2):
            pass
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert Signature.objects.filter(campaign=campaign, signatory=known.signatory).count() == 1
    assert Signatory.objects.count() == 1
    assert not Submission.objects.exclude(status="processed").exists()


def _worker_env():
    database = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}",
    }


def _start_worker():
    """The real worker, as production runs it, on the test database."""
    from signatories.tasks import process_submissions

    process_submissions.using(run_after=None).enqueue()
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "intake",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env=_worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _email_items():
    return [
        tuple(item)
        for result in DBTaskResult.objects.filter(task_path__endswith="send_signature_emails")
        for item in result.args_kwargs["args"][0]
    ]


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(campaign):
    people = 6000
    Submission.objects.bulk_create(
        [
            Submission(
                kind="sign",
                campaign=campaign,
                email=f"Person.{n}@Example{n % 7}.org",
                canonical_email=f"person.{n}@example{n % 7}.org",
                email_domain=f"example{n % 7}.org",
                fields={"category": "individual", "first_name": "P", "last_name": str(n)},
                ip_hash=f"ip{n}",
            )
            for n in range(people)
        ]
    )
    worker = _start_worker()
    processed = Submission.objects.filter(status="processed")
    deadline = time.monotonic() + 60
    while processed.count() < intake.BATCH_SIZE and time.monotonic() < deadline:
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        time.sleep(0.01)
    time.sleep(0.05)  # into the next batch
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    done = processed.count()
    # the batch under way when the worker died was rolled back whole
    assert 0 < done < people and done % intake.BATCH_SIZE == 0
    assert Signature.objects.count() == done
    assert not Submission.objects.filter(status="failed").exists()

    worker = _start_worker()
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    assert processed.count() == people
    assert Signature.objects.filter(campaign=campaign).count() == people
    assert Signatory.objects.count() == people
    items = _email_items()
    assert len(items) == people and len(set(items)) == people  # one confirmation each
    assert {kind for _id, kind in items} == {"confirm"}
