import pytest

from signatories import intake, lifecycle, signals
from signatories.models import InvalidTransition, Signature, Submission
from tests.factories import SignatureFactory

S = Signature.Status

# Every allowed move of a signature, written out here: the model's table is checked against it,
# never read back from itself. Any pair missing from this table must be refused.
ALLOWED = {
    "pending": {"confirmed", "flagged", "withdrawn", "invalidated"},
    "confirmed": {"verified", "rejected", "flagged", "withdrawn", "invalidated"},
    "verified": {"rejected", "withdrawn", "invalidated"},
    "rejected": {"verified", "confirmed", "withdrawn"},
    "withdrawn": {"pending"},
    "flagged": {"pending", "confirmed", "verified", "withdrawn", "invalidated"},
    "invalidated": {"pending", "confirmed", "verified", "flagged"},
}
STATUSES = ["pending", "confirmed", "verified", "rejected", "withdrawn", "flagged", "invalidated"]

# A submission: processed or failed once taken; staff put a failed one back in the queue.
SUBMISSION_ALLOWED = {
    "waiting": {"processed", "failed"},
    "failed": {"waiting"},
    "processed": set(),
}
SUBMISSION_STATUSES = ["waiting", "processed", "failed"]


def test_the_tables_cover_every_status():
    assert sorted(S.values) == sorted(STATUSES) == sorted(ALLOWED)
    assert sorted(Submission.Status.values) == sorted(SUBMISSION_STATUSES)
    assert sorted(SUBMISSION_ALLOWED) == sorted(SUBMISSION_STATUSES)


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_can_transition_follows_the_table(source, target):
    assert Signature(status=source).can_transition(target) is (target in ALLOWED[source])


@pytest.mark.django_db
@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_transition_is_applied_or_refused_as_the_table_says(source, target):
    signature = SignatureFactory(status=S.PENDING)
    Signature.objects.filter(pk=signature.pk).update(
        status=source,
        verified_at=signature.created_at if source == "verified" else None,
    )
    signature.refresh_from_db()
    received = []

    def receiver(sender, signature, previous_status, **kwargs):
        received.append((previous_status, signature.status))

    signals.signature_status_changed.connect(receiver)
    try:
        if target in ALLOWED[source]:
            lifecycle.change_status(signature, target)
            signature.refresh_from_db()
            assert signature.status == target
            assert received == [(source, target)]
            if target == "verified":
                assert signature.verified_at is not None
            if target == "withdrawn":
                assert signature.withdrawn_at is not None
            if target == "confirmed":
                assert signature.confirmed_at is not None
        else:
            with pytest.raises(InvalidTransition):
                lifecycle.change_status(signature, target)
            signature.refresh_from_db()
            assert signature.status == source
            assert received == []
    finally:
        signals.signature_status_changed.disconnect(receiver)


@pytest.mark.django_db
def test_change_status_sets_extra_fields_and_rolls_back_with_the_receiver():
    signature = SignatureFactory(confirmed=True)

    def failing_receiver(**kwargs):
        raise RuntimeError("outbox unavailable")

    signals.signature_status_changed.connect(failing_receiver)
    try:
        with pytest.raises(RuntimeError):
            lifecycle.change_status(signature, S.REJECTED, rejection_reason="Pas un élu")
    finally:
        signals.signature_status_changed.disconnect(failing_receiver)
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED  # the transaction rolled back with the receiver
    lifecycle.change_status(signature, S.REJECTED, rejection_reason="Pas un élu")
    signature.refresh_from_db()
    assert (signature.status, signature.rejection_reason) == (S.REJECTED, "Pas un élu")


@pytest.mark.parametrize("source", SUBMISSION_STATUSES)
@pytest.mark.parametrize("target", SUBMISSION_STATUSES)
def test_submission_can_transition_follows_the_table(source, target):
    submission = Submission(status=source)
    assert submission.can_transition(target) is (target in SUBMISSION_ALLOWED[source])


@pytest.mark.django_db
def test_retry_puts_back_failed_submissions_only(campaign):
    rows = {
        status: Submission.objects.create(
            kind="resend",
            campaign=campaign,
            email=f"{status}@example.org",
            canonical_email=f"{status}@example.org",
            status=status,
            failure="RuntimeError: boom" if status == "failed" else "",
        )
        for status in SUBMISSION_STATUSES
    }
    assert intake.retry(Submission.objects.all()) == 1
    for row in rows.values():
        row.refresh_from_db()
    assert [rows[status].status for status in SUBMISSION_STATUSES] == [
        "waiting",
        "processed",
        "waiting",
    ]
    assert rows["failed"].failure == ""
