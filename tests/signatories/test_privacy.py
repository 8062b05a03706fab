import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from signatories import services, signals, tokens
from signatories.models import Signatory, Signature
from tests.factories import CampaignFactory, SignatureFactory

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
    services.withdraw(signature, erase=True)
    assert Signatory.objects.filter(pk=other.signatory_id).exists()
    other.refresh_from_db()
    assert other.status == S.CONFIRMED


def test_old_links_stop_working_after_erasure(client):
    signature = SignatureFactory(confirmed=True)
    url = withdraw_url(signature)
    services.withdraw(signature, erase=True)
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
    signature = SignatureFactory(campaign=campaign, emails_sent=1)
    url = reverse("signatories:resend")
    known = client.post(url, {"email": signature.signatory.email, "campaign": campaign.slug})
    unknown = client.post(url, {"email": "nobody@example.org", "campaign": campaign.slug})
    assert known.status_code == unknown.status_code == 303
    assert known["Location"] == unknown["Location"]
    for _ in range(5):
        client.post(url, {"email": signature.signatory.email, "campaign": campaign.slug})
    run_tasks()
    assert len(mail.outbox) == settings.SIGNATURES_MAX_REMINDERS
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
