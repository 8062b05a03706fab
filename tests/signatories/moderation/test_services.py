from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from signatories.models import Signature
from signatories.moderation import services
from signatories.moderation.models import BulkInvalidation, ModerationEvent
from signatories.moderation.services import Criteria, ModerationError
from tests.factories import OrganisationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db
Status = Signature.Status


def test_verify_moves_official_to_verified_logs_and_signals(official, moderator, signal_log):
    signature = official()

    event = services.verify(signature, actor=moderator, reason="Appel à la mairie")

    signature.refresh_from_db()
    assert signature.status == Status.VERIFIED
    assert signature.verification_method == Signature.VerificationMethod.STAFF
    assert signature.verified_by == moderator
    assert signature.verified_at is not None
    assert (event.action, event.from_status, event.to_status) == ("verify", "confirmed", "verified")
    assert event.actor == moderator and event.reason == "Appel à la mairie"
    assert signal_log == [(signature.pk, "confirmed", "verified")]


def test_verify_refuses_an_individual_and_changes_nothing(campaign, moderator, signal_log):
    signature = SignatureFactory(campaign=campaign, confirmed=True)
    with pytest.raises(ModerationError):
        services.verify(signature, actor=moderator)
    signature.refresh_from_db()
    assert signature.status == Status.CONFIRMED
    assert not ModerationEvent.objects.exists() and signal_log == []


def test_reject_needs_a_reason(official, moderator):
    signature = official()
    with pytest.raises(ModerationError, match="reason|motif"):
        services.reject(signature, actor=moderator, reason="   ")
    signature.refresh_from_db()
    assert signature.status == Status.CONFIRMED

    services.reject(signature, actor=moderator, reason="Pas élu de cette commune")
    signature.refresh_from_db()
    assert signature.status == Status.REJECTED
    assert signature.rejection_reason == "Pas élu de cette commune"
    assert ModerationEvent.objects.get().action == "reject"


def test_state_machine_is_enforced(campaign, moderator):
    withdrawn = SignatureFactory(campaign=campaign, official=True, status=Status.WITHDRAWN)
    with pytest.raises(ModerationError):
        services.verify(withdrawn, actor=moderator)
    with pytest.raises(ModerationError):
        services.reject(withdrawn, actor=moderator, reason="x")


def test_forged_signature_id_is_a_moderation_error(moderator):
    with pytest.raises(ModerationError):
        services.verify(999999, actor=moderator)
    with pytest.raises(ModerationError):
        services.verify("abc", actor=moderator)


def test_bulk_verify_and_reject_report_each_signature(official, campaign, moderator):
    first, second = official(), official()
    individual = SignatureFactory(campaign=campaign, confirmed=True)

    result = services.bulk_apply(
        "verify", [first.pk, second.pk, individual.pk, 424242], actor=moderator
    )

    assert len(result.done) == 2
    assert {failed[0] for failed in result.failed} == {individual.pk, 424242}
    assert set(Signature.objects.filter(status=Status.VERIFIED).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }

    third, fourth = official(), official()
    result = services.bulk_apply("reject", [third.pk, fourth.pk], actor=moderator, reason="Doublon")
    assert len(result.done) == 2
    assert Signature.objects.filter(status=Status.REJECTED).count() == 2
    assert ModerationEvent.objects.filter(action="reject", reason="Doublon").count() == 2


def test_bulk_reject_without_reason_is_refused_before_anything_changes(official, moderator):
    signature = official()
    with pytest.raises(ModerationError):
        services.bulk_apply("reject", [signature.pk], actor=moderator, reason="")
    signature.refresh_from_db()
    assert signature.status == Status.CONFIRMED


def test_clear_flag_goes_back_to_confirmed_or_pending(campaign, moderator):
    confirmed_before = SignatureFactory(
        campaign=campaign, flagged=True, confirmed_at=timezone.now()
    )
    never_confirmed = SignatureFactory(campaign=campaign, flagged=True)

    services.clear_flag(confirmed_before, actor=moderator)
    services.clear_flag(never_confirmed, actor=moderator)

    confirmed_before.refresh_from_db()
    never_confirmed.refresh_from_db()
    assert confirmed_before.status == Status.CONFIRMED
    assert never_confirmed.status == Status.PENDING
    assert ModerationEvent.objects.filter(action="unflag").count() == 2
    with pytest.raises(ModerationError):
        services.clear_flag(confirmed_before, actor=moderator)


def test_clear_flag_of_an_official_with_an_official_domain_verifies_it(campaign, moderator):
    organisation = OrganisationFactory(email_domains="mairie-lyon.fr", insee_code="69123")
    signature = SignatureFactory(
        campaign=campaign,
        official=True,
        flagged=True,
        confirmed_at=timezone.now(),
        insee_code="69123",
        signatory=SignatoryFactory(email="maire@mairie-lyon.fr"),
    )
    assert signature.email_domain == "mairie-lyon.fr"

    services.clear_flag(signature, actor=moderator)

    signature.refresh_from_db()
    assert signature.status == Status.VERIFIED
    assert signature.organisation == organisation


def _signature(campaign, *, domain="example.org", ip_hash="", created_at=None, **kwargs):
    signatory = SignatoryFactory(email=f"{uuid4().hex[:10]}@{domain}")
    return SignatureFactory(
        campaign=campaign,
        signatory=signatory,
        ip_hash=ip_hash,
        created_at=created_at or timezone.now(),
        **kwargs,
    )


def test_bulk_invalidate_by_domain_keeps_previous_statuses_and_undo_restores_them(
    campaign, moderator, signal_log
):
    pending = _signature(campaign, domain="spam.test")
    confirmed = _signature(campaign, domain="spam.test", confirmed=True)
    verified = _signature(campaign, domain="spam.test", official=True, verified=True)
    flagged = _signature(campaign, domain="spam.test", flagged=True)
    withdrawn = _signature(campaign, domain="spam.test", status=Status.WITHDRAWN)
    other = _signature(campaign, domain="honest.test", confirmed=True)
    verified_at = verified.verified_at

    preview = services.preview_bulk_invalidation(Criteria(email_domain="spam.test"))
    assert preview["total"] == 4

    bulk = services.bulk_invalidate(
        Criteria(campaign=campaign, email_domain="@Spam.test"),
        actor=moderator,
        reason="Vague de spam",
    )

    assert bulk.affected == 4 and bulk.email_domain == "spam.test"
    for signature in (pending, confirmed, verified, flagged):
        signature.refresh_from_db()
        assert signature.status == Status.INVALIDATED
    withdrawn.refresh_from_db()
    other.refresh_from_db()
    assert withdrawn.status == Status.WITHDRAWN and other.status == Status.CONFIRMED
    assert bulk.events.count() == 4
    assert len(signal_log) == 4

    services.undo_bulk_invalidation(bulk, actor=moderator)

    expected = {
        pending: "pending",
        confirmed: "confirmed",
        verified: "verified",
        flagged: "flagged",
    }
    for signature, status in expected.items():
        signature.refresh_from_db()
        assert signature.status == status
    assert verified.verified_at == verified_at
    bulk.refresh_from_db()
    assert bulk.undone_by == moderator and bulk.restored == 4 and bulk.undone_at
    assert ModerationEvent.objects.filter(action="restore", bulk=bulk).count() == 4
    assert len(signal_log) == 8
    with pytest.raises(ModerationError):
        services.undo_bulk_invalidation(bulk, actor=moderator)


def test_bulk_invalidate_by_ip_hash_within_one_campaign(campaign, moderator):
    from tests.factories import CampaignFactory

    elsewhere = CampaignFactory()
    target = _signature(campaign, ip_hash="ab" * 32, confirmed=True)
    other_campaign = _signature(elsewhere, ip_hash="ab" * 32, confirmed=True)
    other_ip = _signature(campaign, ip_hash="cd" * 32, confirmed=True)

    bulk = services.bulk_invalidate(
        Criteria(campaign=campaign, ip_hash="ab" * 32), actor=moderator, reason="Robot"
    )

    assert bulk.affected == 1
    assert Signature.objects.get(pk=target.pk).status == Status.INVALIDATED
    assert Signature.objects.get(pk=other_campaign.pk).status == Status.CONFIRMED
    assert Signature.objects.get(pk=other_ip.pk).status == Status.CONFIRMED


def test_bulk_invalidate_by_time_window(campaign, moderator):
    now = timezone.now()
    before = _signature(campaign, created_at=now - timedelta(hours=3), confirmed=True)
    inside = _signature(campaign, created_at=now - timedelta(hours=1), confirmed=True)
    after = _signature(campaign, created_at=now, confirmed=True)

    bulk = services.bulk_invalidate(
        Criteria(signed_from=now - timedelta(hours=2), signed_until=now - timedelta(minutes=30)),
        actor=moderator,
        reason="Attaque de 14 h",
    )

    assert bulk.affected == 1
    statuses = dict(Signature.objects.values_list("pk", "status"))
    assert statuses == {before.pk: "confirmed", inside.pk: "invalidated", after.pk: "confirmed"}


def test_undo_leaves_signatures_changed_since_alone(campaign, moderator):
    first = _signature(campaign, domain="spam.test", confirmed=True)
    second = _signature(campaign, domain="spam.test", confirmed=True)
    bulk = services.bulk_invalidate(Criteria(email_domain="spam.test"), actor=moderator, reason="x")
    # Restored by hand then withdrawn by its signer before the undo.
    services.change_status(Signature.objects.get(pk=second.pk), Status.PENDING)
    services.change_status(Signature.objects.get(pk=second.pk), Status.WITHDRAWN)

    bulk = services.undo_bulk_invalidation(bulk.pk, actor=moderator)

    assert bulk.restored == 1
    assert Signature.objects.get(pk=first.pk).status == Status.CONFIRMED
    assert Signature.objects.get(pk=second.pk).status == Status.WITHDRAWN


@pytest.mark.parametrize(
    "criteria",
    [
        Criteria(),
        Criteria(campaign=None, signed_from=timezone.now()),
        Criteria(signed_from=timezone.now(), signed_until=timezone.now() - timedelta(hours=1)),
    ],
    ids=["nothing", "half-window", "end-before-start"],
)
def test_bad_criteria_are_refused(criteria, moderator):
    with pytest.raises(ModerationError):
        services.bulk_invalidate(criteria, actor=moderator, reason="x")
    assert not BulkInvalidation.objects.exists()


def test_bulk_invalidate_with_no_match_or_no_reason(campaign, moderator):
    with pytest.raises(ModerationError):
        services.bulk_invalidate(Criteria(email_domain="nobody.test"), actor=moderator, reason="x")
    _signature(campaign, domain="spam.test")
    with pytest.raises(ModerationError):
        services.bulk_invalidate(Criteria(email_domain="spam.test"), actor=moderator, reason=" ")
    assert not BulkInvalidation.objects.exists()


def test_trending_counts_recent_ip_hashes_and_domains(campaign):
    for _ in range(3):
        _signature(campaign, domain="burst.test", ip_hash="ee" * 32)
    _signature(campaign, domain="burst.test", ip_hash="ee" * 32, flagged=True)
    _signature(
        campaign,
        domain="old.test",
        ip_hash="ff" * 32,
        created_at=timezone.now() - timedelta(days=2),
    )
    _signature(
        campaign,
        domain="old.test",
        ip_hash="ff" * 32,
        created_at=timezone.now() - timedelta(days=2),
    )

    data = services.trending()

    assert data["hour"]["ip_hashes"] == [{"ip_hash": "ee" * 32, "total": 4, "flagged": 1}]
    assert data["day"]["domains"] == [{"email_domain": "burst.test", "total": 4, "flagged": 1}]


def test_signatures_per_day_fills_empty_days(campaign):
    _signature(campaign)
    _signature(campaign, created_at=timezone.now() - timedelta(days=2))
    series = services.signatures_per_day([campaign], days=7)
    assert len(series) == 7
    assert series[-1][1] == 1 and sum(count for _day, count in series) == 2


def test_permissions(moderator, viewer, superuser):
    assert services.can_moderate(moderator) and services.can_bulk_invalidate(moderator)
    assert not services.can_moderate(viewer) and not services.can_bulk_invalidate(viewer)
    assert services.can_moderate(superuser)
