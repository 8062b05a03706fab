import pytest

from signatories import services, signals
from signatories.models import InvalidTransition, Signature
from tests.factories import SignatureFactory

S = Signature.Status
ALL = list(S)


@pytest.mark.django_db
@pytest.mark.parametrize("source", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_transition_is_allowed_or_refused_by_the_table(source, target):
    signature = SignatureFactory(status=S.PENDING)
    Signature.objects.filter(pk=signature.pk).update(
        status=source,
        verified_at=signature.created_at if source == S.VERIFIED else None,
    )
    signature.refresh_from_db()
    received = []

    def receiver(sender, signature, previous_status, **kwargs):
        received.append((previous_status, signature.status))

    signals.signature_status_changed.connect(receiver)
    try:
        if target in Signature.TRANSITIONS[source]:
            services.change_status(signature, target)
            signature.refresh_from_db()
            assert signature.status == target
            assert received == [(source, target)]
            if target == S.VERIFIED:
                assert signature.verified_at is not None
            if target == S.WITHDRAWN:
                assert signature.withdrawn_at is not None
            if target == S.CONFIRMED:
                assert signature.confirmed_at is not None
        else:
            with pytest.raises(InvalidTransition):
                services.change_status(signature, target)
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
            services.change_status(signature, S.REJECTED, rejection_reason="Pas un élu")
    finally:
        signals.signature_status_changed.disconnect(failing_receiver)
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED  # the transaction rolled back with the receiver
    services.change_status(signature, S.REJECTED, rejection_reason="Pas un élu")
    signature.refresh_from_db()
    assert (signature.status, signature.rejection_reason) == (S.REJECTED, "Pas un élu")
