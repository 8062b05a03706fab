import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from signatories import abuse, emails, intake, lifecycle, tasks
from signatories.models import Signatory, Signature, Submission
from signatories.tasks import retry_delay
from tests.signatories.submitting import process, submit

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
    submit(
        campaign,
        {"email": "a@example.org", "category": "individual", "first_name": "A", "last_name": "B"},
    )
    run_tasks()
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert mail.outbox == []


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
    result = submit(
        campaign,
        {"email": "a@example.org", "category": "individual", "first_name": "A", "last_name": "B"},
    )
    assert result.emails == [(result.signature.pk, "confirm")]  # queued, not sent yet
    lifecycle.withdraw(result.signature, erase=True)
    run_tasks()
    assert mail.outbox == []


def sign_url(campaign):
    return reverse("signatories:sign", args=[campaign.slug])


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


def path_of(link):
    return link.replace("http://testserver", "")


def confirm_link(message):
    [link] = [link for link in links_in(message) if "/confirmer/" in link]
    return path_of(link)


def person(n):
    return {
        "email": f"person{n}@example.org",
        "category": "individual",
        "first_name": "A",
        "last_name": f"B{n}",
    }


def test_each_signature_posted_gets_one_confirmation_email_of_its_own(
    client, campaign, sign_data, run_tasks
):
    for n in range(5):
        response = client.post(
            sign_url(campaign), sign_data(email=f"person{n}@example.org", last_name=f"B{n}")
        )
        assert response.status_code == 303
    assert mail.outbox == [] and not Signature.objects.exists()  # the worker has not run yet
    run_tasks()
    assert sorted(m.to for m in mail.outbox) == [[f"person{n}@example.org"] for n in range(5)]
    # Decided in one batch, whose emails went in one task.
    assert DBTaskResult.objects.filter(task_path__endswith="send_signature_emails").count() == 1
    confirmed = set()
    for message in mail.outbox:
        (address,) = message.to
        n = address.removeprefix("person").split("@")[0]
        assert f"Camille B{n}" in message.body  # greeted by the name signed with
        assert client.post(confirm_link(message)).status_code == 200
        confirmed.add(address)
        assert (
            set(
                Signature.objects.filter(status="confirmed").values_list(
                    "signatory__email", flat=True
                )
            )
            == confirmed
        )  # each link confirms its own signer's signature, nobody else's
    run_tasks()  # nothing left to send
    assert len(mail.outbox) == 5


def test_signatures_after_a_run_get_their_email_in_the_next(client, campaign, sign_data, run_tasks):
    client.post(sign_url(campaign), sign_data(email="person1@example.org"))
    run_tasks()
    client.post(sign_url(campaign), sign_data(email="person2@example.org"))
    run_tasks()
    run_tasks()
    assert [m.to for m in mail.outbox] == [["person1@example.org"], ["person2@example.org"]]


def test_a_bot_is_accepted_silently_and_gets_no_email(client, campaign, sign_data, run_tasks):
    response = client.post(
        sign_url(campaign), sign_data(email="bot@example.org", website="http://spam.example")
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("signatories:check_inbox", args=[campaign.slug])
    run_tasks()
    signature = Signature.objects.get()
    assert signature.status == "flagged" and signature.flag_reason.startswith("honeypot")
    assert signature.emails_sent == 0
    assert mail.outbox == []


def test_known_signer_and_bots_get_no_new_confirmation(campaign, run_tasks):
    submit(campaign, person(1))
    run_tasks()
    again = submit(campaign, person(1))  # the same person, within the reminder interval
    assert not again.created and again.emails == []
    bot = submit(
        campaign,
        {"email": "bot@example.org", "category": "individual", "first_name": "B", "last_name": "C"},
        verdict=abuse.Verdict(flags=["honeypot"], bot=True),
    )
    assert bot.created and bot.emails == []
    run_tasks()
    assert [m.to for m in mail.outbox] == [["person1@example.org"]]


def refuse_emails_of(patch, address):
    """Make queueing the email task (signatories.tasks.send_signature_emails.enqueue) raise
    whenever the emails queued include the signature of `address`. The task is a frozen
    dataclass, checked on enqueue to be the module's own: its class's method is patched."""
    task = tasks.send_signature_emails
    real_enqueue = type(task).enqueue

    def enqueue(self, *args, **kwargs):
        if self.func is task.func:
            ids = [signature_id for signature_id, _kind in args[0]]
            if Signature.objects.filter(pk__in=ids, signatory__canonical_email=address).exists():
                raise ConnectionError("task queue down")
        return real_enqueue(self, *args, **kwargs)

    patch.setattr(type(task), "enqueue", enqueue)


def test_decisions_roll_back_with_their_emails_and_a_retry_sends_them(
    client, campaign, sign_data, run_tasks, monkeypatch
):
    for name in ("alice", "bob", "carol"):
        response = client.post(sign_url(campaign), sign_data(email=f"{name}@example.org"))
        assert response.status_code == 303  # the signer's answer never waits for the worker
    with monkeypatch.context() as patch:
        refuse_emails_of(patch, "bob@example.org")
        process()  # the batch fails, then is taken row by row: only Bob's fails
    bob = Submission.objects.get(canonical_email="bob@example.org")
    assert (bob.status, bob.outcome, bob.attempts) == ("failed", "", 1)
    assert bob.failure == "ConnectionError: task queue down"
    assert bob.email == "bob@example.org" and bob.fields["first_name"] == "Camille"  # for a retry
    others = Submission.objects.exclude(pk=bob.pk)
    assert sorted(others.values_list("status", "outcome", "attempts")) == [
        ("processed", "new", 1),
        ("processed", "new", 1),
    ]
    # Nothing of Bob's signature was kept, nor of the batch's first attempt.
    assert sorted(Signatory.objects.values_list("email", flat=True)) == [
        "alice@example.org",
        "carol@example.org",
    ]
    assert Signature.objects.count() == 2
    assert not Signature.objects.filter(signatory__canonical_email="bob@example.org").exists()

    run_tasks()  # a failed submission waits for staff
    assert sorted(m.to for m in mail.outbox) == [["alice@example.org"], ["carol@example.org"]]
    assert Submission.objects.get(pk=bob.pk).status == "failed"

    assert intake.retry(Submission.objects.all()) == 1
    run_tasks()
    assert [m.to for m in mail.outbox[2:]] == [["bob@example.org"]]
    bob.refresh_from_db()
    assert (bob.status, bob.outcome, bob.failure, bob.attempts) == ("processed", "new", "", 2)
    signature = Signature.objects.get(signatory__canonical_email="bob@example.org")
    assert signature.status == "pending" and signature.emails_sent == 1
    run_tasks()
    assert len(mail.outbox) == 3


def test_a_lone_submission_fails_whole_when_its_email_cannot_be_queued(
    campaign, run_tasks, monkeypatch
):
    submission = intake.record_signature(
        campaign, person(1), verdict=abuse.Verdict(), challenge=None, ip_hash="", language="fr"
    )
    with monkeypatch.context() as patch:
        refuse_emails_of(patch, "person1@example.org")
        process()
    submission.refresh_from_db()
    assert submission.status == "failed" and submission.failure.startswith("ConnectionError")
    assert not Signatory.objects.exists() and not Signature.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__endswith="send_signature_emails").exists()
    assert intake.retry(Submission.objects.all()) == 1
    run_tasks()
    assert [m.to for m in mail.outbox] == [["person1@example.org"]]


def snapshot():
    return (
        list(Signature.objects.order_by("pk").values()),
        list(Signatory.objects.order_by("pk").values()),
        Submission.objects.count(),
        DBTaskResult.objects.count(),
    )


def test_the_confirm_link_opens_a_page_whose_button_confirms(
    client, campaign, sign_data, run_tasks
):
    client.post(sign_url(campaign), sign_data())
    run_tasks()
    path = confirm_link(mail.outbox[0])
    before = snapshot()
    page = client.get(path)  # a link scanner, or the signer opening the link
    assert page.status_code == 200
    forms = re.findall(r"<form\b[^>]*>.*?</form>", page.content.decode(), re.S)
    [form] = [form for form in forms if 'method="post"' in form]
    assert "action=" not in form.split(">")[0]  # posts to the link itself
    assert 'type="submit"' in form
    assert snapshot() == before
    assert Signature.objects.get().status == "pending"
    response = client.post(path)
    assert response.status_code == 200
    signature = Signature.objects.get()
    assert signature.status == "confirmed" and signature.confirmed_at


def test_opening_every_link_of_every_email_changes_nothing(client, campaign, sign_data, run_tasks):
    client.post(sign_url(campaign), sign_data())
    run_tasks()  # the confirmation email
    client.post(reverse("signatories:data_request"), {"email": "camille.durand@example.org"})
    run_tasks()  # the data copy email
    signature = Signature.objects.get()
    for kind in ("reminder", "withdrawn"):
        emails.build_message(kind, signature).send()
    assert len(mail.outbox) == 4
    links = {path_of(link) for message in mail.outbox for link in links_in(message)}
    for part in ("/confirmer/", "/retirer/", "/mes-donnees/"):
        assert any(part in link for link in links), part
    before = snapshot()
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
        assert client.get(link).status_code == 200, link  # twice, as scanners often do
    assert snapshot() == before
    assert Signature.objects.get().status == "pending"


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_decide_each_submission_once(campaign):
    """On PostgreSQL, workers at once never take the same submission (SKIP LOCKED)."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    for n in range(120):
        intake.record_signature(
            campaign, person(n), verdict=abuse.Verdict(), challenge=None, ip_hash="", language="fr"
        )
    queued, errors, barrier = [], [], threading.Barrier(3)

    def run():
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            while intake.process_batch(queued.extend, limit=7):
                pass
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(queued) == len(set(queued)) == 120
    assert {kind for _id, kind in queued} == {"confirm"}
    assert Signature.objects.count() == 120
    assert set(Submission.objects.values_list("status", "outcome")) == {("processed", "new")}
