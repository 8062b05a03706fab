import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from signatories import intake, lifecycle, signals, tokens
from signatories.models import Signatory, Signature, Submission
from tests.factories import CampaignFactory, SignatureFactory
from tests.signatories.submitting import process, submit

S = Signature.Status
pytestmark = pytest.mark.django_db


def withdraw_url(signature):
    return reverse("signatories:withdraw", args=[tokens.make_token(signature, "withdraw")])


def test_withdraw_link_asks_before_acting(client):
    signature = SignatureFactory(confirmed=True)
    response = client.get(withdraw_url(signature))
    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.status == S.CONFIRMED


def test_withdraw_keeps_data_and_emails_the_erase_link(client, run_tasks):
    signature = SignatureFactory(confirmed=True)
    response = client.post(withdraw_url(signature), {"action": "withdraw"})
    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.status == S.WITHDRAWN and signature.withdrawn_at and signature.first_name
    run_tasks()
    assert len(mail.outbox) == 1 and "/retirer/" in mail.outbox[0].body


def test_erase_blanks_personal_data_and_deletes_the_signatory(client):
    signature = SignatureFactory(verified=True, official=True, consent_newsletter=True)
    email = signature.signatory.email
    erased = []

    def receiver(sender, signatory, email, erase, **kwargs):
        erased.append((email, erase, Signatory.objects.filter(pk=signatory.pk).exists()))

    signals.signatory_erased.connect(receiver)
    try:
        response = client.post(withdraw_url(signature), {"action": "erase"})
    finally:
        signals.signatory_erased.disconnect(receiver)
    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.status == S.WITHDRAWN
    assert signature.signatory is None
    assert (signature.first_name, signature.last_name, signature.title, signature.commune) == (
        "",
        "",
        "",
        "",
    )
    assert not signature.consent_public and not signature.consent_newsletter
    assert not Signatory.objects.filter(email=email).exists()
    assert erased == [(email, True, True)]  # sent while the signatory still existed
    # links sent before stop working
    assert client.get(withdraw_url(signature)).status_code in (200, 400)


def test_erase_keeps_a_signatory_with_other_signatures():
    signature = SignatureFactory(confirmed=True)
    other = SignatureFactory(signatory=signature.signatory, confirmed=True)
    lifecycle.withdraw(signature, erase=True)
    assert Signatory.objects.filter(pk=other.signatory_id).exists()
    other.refresh_from_db()
    assert other.status == S.CONFIRMED


def test_old_links_stop_working_after_erasure(client):
    signature = SignatureFactory(confirmed=True)
    url = withdraw_url(signature)
    lifecycle.withdraw(signature, erase=True)
    assert client.get(url).status_code == 400


def test_forged_and_expired_links_get_a_friendly_page(client, settings):
    signature = SignatureFactory()
    response = client.get(reverse("signatories:confirm", args=["not-a-token"]))
    assert response.status_code == 400 and b"signature-resend" in response.content
    wrong_purpose = reverse("signatories:confirm", args=[tokens.make_token(signature, "withdraw")])
    assert client.get(wrong_purpose).status_code == 400
    settings.SIGNATURES_CONFIRM_LINK_MAX_AGE = -1
    expired = client.get(
        reverse("signatories:confirm", args=[tokens.make_token(signature, "confirm")])
    )
    assert expired.status_code == 400 and expired.context["expired"]
    signature.refresh_from_db()
    assert signature.status == S.PENDING


def test_resend_is_neutral_and_limited(client, campaign, run_tasks, settings):
    settings.SIGNATURES_REMINDER_INTERVAL = 0
    settings.SIGNATURES_MAX_REMINDERS = 3
    signature = SignatureFactory(campaign=campaign, emails_sent=1)
    url = reverse("signatories:resend")
    known = client.post(url, {"email": signature.signatory.email, "campaign": campaign.slug})
    unknown = client.post(url, {"email": "nobody@example.org", "campaign": campaign.slug})
    assert known.status_code == unknown.status_code == 303
    assert known["Location"] == unknown["Location"]
    for _ in range(5):
        client.post(url, {"email": signature.signatory.email, "campaign": campaign.slug})
    run_tasks()
    assert len(mail.outbox) == 3  # the first email, then three more at most
    assert all("/confirmer/" in m.body for m in mail.outbox)


def test_data_copy_by_email_link(client, run_tasks):
    signature = SignatureFactory(confirmed=True, first_name="Zoé", title="<b>Maire</b>")
    response = client.post(
        reverse("signatories:data_request"), {"email": signature.signatory.email.upper()}
    )
    unknown = client.post(reverse("signatories:data_request"), {"email": "nobody@example.org"})
    assert response.status_code == unknown.status_code == 200
    assert response.content.replace(b"nobody@example.org", b"") == unknown.content.replace(
        b"nobody@example.org", b""
    )
    run_tasks()
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/mes-donnees/" in w)
    page = client.get(link.replace("http://testserver", ""))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zoé" in html and "&lt;b&gt;Maire&lt;/b&gt;" in html
    download = client.get(link.replace("http://testserver", "") + "?format=json")
    data = json.loads(download.content)
    assert data["email"] == signature.signatory.email
    assert data["signatures"][0]["first_name"] == "Zoé"
    assert "attachment" in download["Content-Disposition"]


def confirm_links(message):
    return re.findall(r"https?://\S+/confirmer/\S+", message.body)


@pytest.mark.parametrize("from_campaign", [True, False])
def test_resend_sends_the_confirmation_link_to_a_pending_signature_only(
    client, campaign, run_tasks, from_campaign
):
    pending = SignatureFactory(campaign=campaign, emails_sent=1)
    confirmed = SignatureFactory(campaign=campaign, confirmed=True, emails_sent=1)
    url = reverse("signatories:resend")
    post = {"campaign": campaign.slug} if from_campaign else {}
    answers = [
        client.post(url, {"email": email, **post})
        for email in (pending.signatory.email, confirmed.signatory.email, "nobody@example.org")
    ]
    expected = reverse("signatories:check_inbox", args=[campaign.slug]) if from_campaign else url
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {(303, expected)}
    # The request only recorded what was asked; the worker decides.
    assert Submission.objects.filter(kind="resend", status="waiting").count() == 3
    run_tasks()
    assert [message.to for message in mail.outbox] == [[pending.signatory.email]]
    [link] = confirm_links(mail.outbox[0])
    assert client.post(link.replace("http://testserver", "")).status_code == 200
    pending.refresh_from_db()
    assert pending.status == S.CONFIRMED
    run_tasks()
    assert len(mail.outbox) == 1


def test_data_request_is_answered_by_the_worker_once_per_ten_minutes(client, run_tasks):
    signature = SignatureFactory(confirmed=True)
    email = signature.signatory.email
    url = reverse("signatories:data_request")
    known = client.post(url, {"email": email.upper()})
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert Submission.objects.filter(kind="data", status="waiting").count() == 2
    assert mail.outbox == []
    run_tasks()
    assert [message.to for message in mail.outbox] == [[email]]
    assert "/mes-donnees/" in mail.outbox[0].body

    again = client.post(url, {"email": email})  # within ten minutes: the same answer, no email
    assert again.content == known.content
    run_tasks()
    assert len(mail.outbox) == 1

    sent = Signatory.objects.filter(pk=signature.signatory.pk)  # when the last link was sent
    sent.update(data_emailed_at=timezone.now() - timezone.timedelta(minutes=9))
    client.post(url, {"email": email})
    run_tasks()
    assert len(mail.outbox) == 1  # nine minutes later: still too soon

    sent.update(data_emailed_at=timezone.now() - timezone.timedelta(minutes=10, seconds=5))
    client.post(url, {"email": email})
    run_tasks()
    assert [message.to for message in mail.outbox] == [[email], [email]]


def test_two_data_requests_at_once_send_one_email(client, run_tasks):
    """A double click, or the same request sent twice before the worker runs: both are decided
    in one batch, and the second still comes within ten minutes of the first."""
    signature = SignatureFactory(confirmed=True)
    url = reverse("signatories:data_request")
    client.post(url, {"email": signature.signatory.email})
    client.post(url, {"email": signature.signatory.email.upper()})
    run_tasks()
    assert [message.to for message in mail.outbox] == [[signature.signatory.email]]


PERSON = {
    "email": "Zoe.Martin@example.org",
    "category": "individual",
    "first_name": "Zoé",
    "last_name": "Martin",
    "postcode": "69001",
}


def test_erasing_a_person_deletes_their_submissions(client, campaign):
    signature = submit(campaign, PERSON).signature  # processed
    submit(campaign, {**PERSON, "email": "other@example.org"})
    failed = intake.record_data_request("Zoe.Martin@example.org", ip_hash="", language="fr")
    Submission.objects.filter(pk=failed.pk).update(status="failed", failure="RuntimeError: x")
    intake.record_resend(campaign, "zoe.martin@EXAMPLE.org", ip_hash="", language="fr")  # waiting
    assert sorted(
        Submission.objects.filter(canonical_email="zoe.martin@example.org").values_list(
            "status", flat=True
        )
    ) == ["failed", "processed", "waiting"]
    response = client.post(withdraw_url(signature), {"action": "erase"})
    assert response.status_code == 200
    assert not Submission.objects.filter(canonical_email="zoe.martin@example.org").exists()
    assert Submission.objects.filter(canonical_email="other@example.org").count() == 1


def test_a_processed_submission_keeps_neither_name_nor_email(campaign):
    result = submit(campaign, PERSON)
    assert result.created
    submission = result.submission
    assert submission.status == "processed"
    assert submission.fields == {} and submission.email == ""
    intake.record_resend(campaign, "Zoe.Martin@example.org", ip_hash="", language="fr")
    intake.record_data_request("Zoe.Martin@example.org", ip_hash="", language="fr")
    process()
    rows = list(Submission.objects.values())
    assert [(row["kind"], row["status"], row["fields"], row["email"]) for row in rows] == [
        ("data", "processed", {}, ""),
        ("resend", "processed", {}, ""),
        ("sign", "processed", {}, ""),
    ]
    assert "Zoé" not in str(rows) and "Zoe.Martin" not in str(rows)


def test_anonymise_after_campaign_closes(settings):
    settings.SIGNATURES_ANONYMISE_AFTER_DAYS = 30
    old = CampaignFactory(
        status="closed",
        opens_at=timezone.now() - timezone.timedelta(days=200),
        closes_at=timezone.now() - timezone.timedelta(days=60),
    )
    recent = CampaignFactory(closed=True)
    recent.closes_at = timezone.now() - timezone.timedelta(days=10)
    recent.save()
    gone = SignatureFactory(campaign=old, confirmed=True)
    kept_person = SignatureFactory(campaign=old, confirmed=True)
    SignatureFactory(campaign=recent, signatory=kept_person.signatory, confirmed=True)
    untouched = SignatureFactory(campaign=recent, confirmed=True)
    from signatories.counts import refresh_campaign

    before = refresh_campaign(old)["total"]
    call_command("anonymise_signatures", verbosity=0)
    gone.refresh_from_db()
    assert gone.signatory is None and gone.first_name == "" and gone.anonymised_at
    assert Signatory.objects.filter(pk=kept_person.signatory_id).exists()
    untouched.refresh_from_db()
    assert untouched.first_name and untouched.signatory_id
    assert refresh_campaign(old)["total"] == before == 2
    # idempotent
    call_command("anonymise_signatures", verbosity=0)
    assert Signature.objects.filter(anonymised_at__isnull=False).count() == 2
