import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from signatories import services
from signatories.models import Signature
from signatories.tasks import retry_delay

pytestmark = pytest.mark.django_db


class DownBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "mail server down")


def test_signing_works_when_the_mail_server_is_down_and_the_email_goes_later(
    client, campaign, sign_data, run_tasks, settings
):
    settings.EMAIL_BACKEND = "tests.signatories.test_emails.DownBackend"
    response = client.post(f"/fr/signer/{campaign.slug}/", sign_data())
    assert response.status_code == 303
    run_tasks()  # first attempt fails and is re-enqueued for later
    assert Signature.objects.count() == 1 and mail.outbox == []
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["args"][-1] == 2 and retry.run_after is not None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(
        run_after=timezone.now() - timezone.timedelta(seconds=1)
    )  # time passes
    run_tasks()
    assert len(mail.outbox) == 1


def test_gives_up_after_max_attempts(campaign, run_tasks, settings):
    settings.EMAIL_BACKEND = "tests.signatories.test_emails.DownBackend"
    settings.SIGNATURES_EMAIL_MAX_ATTEMPTS = 1
    services.sign(
        campaign,
        {"email": "a@example.org", "category": "individual", "first_name": "A", "last_name": "B"},
    )
    run_tasks()
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_backoff_grows_and_is_capped():
    assert [retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(30) == 3600


def test_email_in_the_signers_language(client, campaign, sign_data, run_tasks):
    client.post(f"/en/signer/{campaign.slug}/", sign_data())
    run_tasks()
    message = mail.outbox[0]
    assert message.subject.startswith("Confirm your signature")
    assert "/en/signature/confirmer/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_email_to_an_erased_signatory_is_dropped(campaign, run_tasks):
    result = services.sign(
        campaign,
        {"email": "a@example.org", "category": "individual", "first_name": "A", "last_name": "B"},
    )
    services.withdraw(result.signature, erase=True)
    run_tasks()
    assert mail.outbox == []
