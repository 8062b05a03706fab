"""The door records, the worker decides: what a request may touch, and what the queue guarantees."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from signatories import abuse, intake
from signatories.models import Signatory, Signature, Submission
from tests.factories import SignatureFactory
from tests.signatories.submitting import process, submit

pytestmark = pytest.mark.django_db

SIGNER_TABLES = ("signatories_signatory", "signatories_signature")


def signer_queries(queries):
    return [q["sql"] for q in queries if any(table in q["sql"] for table in SIGNER_TABLES)]


def test_signing_records_one_submission_and_never_reads_a_signer(client, campaign, sign_data):
    SignatureFactory(campaign=campaign, signatory__email="camille.durand@example.org")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("signatories:sign", args=[campaign.slug]), sign_data())
    assert response.status_code == 303
    assert signer_queries(queries) == []
    submission = Submission.objects.get()
    assert (submission.kind, submission.status) == ("sign", "waiting")
    assert submission.canonical_email == "camille.durand@example.org"
    assert submission.fields["first_name"] == "Camille"
    assert submission.fields["consent_public"] is True
    assert submission.fields["consent_version"] and "signe" in submission.fields["consent_text"]
    assert submission.ip_hash and submission.ip_hash != "127.0.0.1"
    assert submission.challenge  # the ALTCHA solution, accepted once
    assert submission.language == "fr"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/fr/signature/renvoyer/", {"email": "camille.durand@example.org"}),
        ("/fr/signature/renvoyer/", {"email": "camille.durand@example.org", "campaign": "x"}),
        ("/fr/signature/mes-donnees/", {"email": "camille.durand@example.org"}),
    ],
)
def test_requests_about_a_signature_are_recorded_without_looking(client, campaign, url, data):
    data = {**data, "campaign": campaign.slug} if data.get("campaign") else data
    SignatureFactory(campaign=campaign, signatory__email="camille.durand@example.org")
    with CaptureQueriesContext(connection) as known_queries:
        known = client.post(url, data)
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = client.post(url, {**data, "email": "nobody@example.org"})
    assert signer_queries(known_queries) == signer_queries(unknown_queries) == []
    assert (known.status_code, known.get("Location")) == (
        unknown.status_code,
        unknown.get("Location"),
    )
    assert Submission.objects.filter(status="waiting").count() == 2


def test_the_worker_decides_and_forgets_what_was_typed(client, campaign, sign_data, run_tasks):
    client.post(reverse("signatories:sign", args=[campaign.slug]), sign_data())
    run_tasks()
    submission = Submission.objects.get()
    assert (submission.status, submission.outcome, submission.attempts) == ("processed", "new", 1)
    assert submission.fields == {} and submission.email == ""
    signature = Signature.objects.get()
    assert (signature.first_name, signature.status) == ("Camille", "pending")
    assert [m.to for m in mail.outbox] == [["camille.durand@example.org"]]
    run_tasks()  # nothing waits any more: nothing happens twice
    assert len(mail.outbox) == 1 and Signature.objects.count() == 1


def test_a_submission_sent_twice_gives_one_signature_and_one_email(campaign, settings):
    settings.SIGNATURES_REMINDER_INTERVAL = 3600
    data = {"email": "x@example.org", "category": "individual", "first_name": "X"}
    first, second = submit(campaign, data), submit(campaign, data)
    assert (first.outcome, second.outcome) == ("new", "no-email")
    assert first.signature.pk == second.signature.pk
    assert Signature.objects.count() == 1 and len(first.emails + second.emails) == 1


def test_one_batch_with_the_same_person_twice(campaign):
    data = {"email": "x@example.org", "category": "individual", "first_name": "X"}
    for email in ("x@example.org", "X@EXAMPLE.ORG"):
        intake.record_signature(
            campaign,
            {**data, "email": email},
            verdict=abuse.Verdict(),
            challenge=None,
            ip_hash="",
            language="fr",
        )
    emails = process()
    assert Signature.objects.count() == 1 and Signatory.objects.get().email == "x@example.org"
    assert list(Submission.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "new",
        "no-email",
    ]
    assert [kind for _id, kind in emails] == ["confirm"]


def test_a_row_that_fails_is_kept_with_its_reason_and_can_be_retried(campaign, monkeypatch):
    from signatories import decisions

    good = {"email": "good@example.org", "category": "individual", "first_name": "G"}
    bad = {"email": "bad@example.org", "category": "individual", "first_name": "B"}
    real = decisions._new_signature

    def broken(submission, *args):
        if submission.canonical_email == "bad@example.org":
            raise ValueError("the database said no")
        return real(submission, *args)

    monkeypatch.setattr(decisions, "_new_signature", broken)
    for data in (good, bad):
        intake.record_signature(
            campaign, data, verdict=abuse.Verdict(), challenge=None, ip_hash="", language="fr"
        )
    process()
    failed = Submission.objects.get(status="failed")
    assert failed.canonical_email == "bad@example.org"
    assert failed.failure == "ValueError: the database said no"
    assert failed.fields["first_name"] == "B"  # kept, to be retried
    assert list(Signature.objects.values_list("signatory__email", flat=True)) == [
        "good@example.org"
    ]
    monkeypatch.setattr(decisions, "_new_signature", real)
    assert intake.retry(Submission.objects.all()) == 1  # the failed one only
    process()
    assert Signature.objects.count() == 2
    assert set(Submission.objects.values_list("status", flat=True)) == {"processed"}


def test_a_replayed_solution_is_refused_by_the_queue(campaign):
    first = {"verdict": abuse.Verdict(), "challenge": "abc", "ip_hash": "", "language": "fr"}
    data = {"email": "x@example.org", "category": "individual"}
    intake.record_signature(campaign, data, **first)
    with pytest.raises(intake.ChallengeReplayed):
        intake.record_signature(campaign, {**data, "email": "y@example.org"}, **first)
    assert Submission.objects.count() == 1


def test_lag_is_the_age_of_the_oldest_waiting_submission(campaign):
    from datetime import timedelta

    from django.utils import timezone

    assert intake.lag_seconds() == 0
    now = timezone.now()
    Submission.objects.create(
        kind="sign", campaign=campaign, created_at=now - timedelta(seconds=30)
    )
    Submission.objects.create(kind="sign", campaign=campaign, created_at=now - timedelta(seconds=5))
    assert intake.lag_seconds(now) == 30


@pytest.mark.django_db(transaction=True)
def test_signing_goes_on_while_redis_is_stopped(
    client, campaign, sign_data, redis_server, production_cache, settings, run_tasks
):
    settings.PAGE_CACHE_SECONDS = 60
    url = reverse("signatories:sign", args=[campaign.slug])
    assert client.post(url, sign_data(email="before@example.org")).status_code == 303
    redis_server.stop()
    during = [client.post(url, sign_data(email=f"during{n}@example.org")) for n in range(3)]
    assert [r.status_code for r in during] == [303, 303, 303]
    assert client.get(reverse("signatories:check_inbox", args=[campaign.slug])).status_code == 200
    assert client.get("/api/altcha/challenge/").status_code == 200
    run_tasks()  # the worker too, with Redis still down
    redis_server.start()
    assert client.post(url, sign_data(email="after@example.org")).status_code == 303
    run_tasks()
    signed = set(Signature.objects.values_list("signatory__email", flat=True))
    assert signed == {"before@example.org", "during0@example.org", "during1@example.org"} | {
        "during2@example.org",
        "after@example.org",
    }
    assert len(mail.outbox) == 5
