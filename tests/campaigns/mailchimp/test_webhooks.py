"""Webhooks from Mailchimp, webhook registration and the nightly reconcile."""

import logging

import pytest
from django.urls import reverse

from campaigns.mailchimp import inbound, reconcile, services, sync
from campaigns.mailchimp.models import AudienceConnection, OutboxEntry, WebhookEvent, member_hash
from signatories.lifecycle import change_status
from signatories.models import Signature
from tests.factories import CampaignFactory, SignatureFactory

from .conftest import sign_and_confirm


def url(connection):
    return reverse("mailchimp_webhook", args=[connection.webhook_secret])


def unsubscribe_event(email, list_id="aud1", fired_at="2026-11-24 21:00:00"):
    return {
        "type": "unsubscribe",
        "fired_at": fired_at,
        "data[action]": "unsub",
        "data[reason]": "manual",
        "data[id]": "8a25ff1d98",
        "data[list_id]": list_id,
        "data[email]": email,
        "data[email_type]": "html",
        "data[merges][EMAIL]": email,
        "data[merges][FNAME]": "Zoé",
    }


def test_validation_get_answers_200(client, connection):
    response = client.get(url(connection), HTTP_USER_AGENT="MailChimp.com WebHook Validator")
    assert response.status_code == 200


def test_unsubscribe_updates_consent_and_cancels_pending_sends(
    client, fake_mailchimp, connection, on_commit, run_tasks
):
    with on_commit():
        signature = sign_and_confirm(connection.campaign)
    run_tasks()
    # A change is waiting to be sent when the unsubscribe arrives.
    fake_mailchimp.outage = "5xx"
    with on_commit():
        change_status(signature, Signature.Status.VERIFIED)
    run_tasks()
    assert OutboxEntry.objects.get().state == OutboxEntry.State.PENDING
    fake_mailchimp.outage = None

    with on_commit():
        response = client.post(url(connection), unsubscribe_event(signature.signatory.email))
    assert response.status_code == 200
    run_tasks()
    signature.refresh_from_db()
    assert signature.consent_newsletter is False
    entry = OutboxEntry.objects.get()
    assert entry.state == OutboxEntry.State.CANCELLED
    assert entry.member_status == "unsubscribed"
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.PROCESSED

    # Nothing more is sent to them, even on a full resync.
    fake_mailchimp.reset_log()
    services.queue_all_supporters(connection, force=True)
    sync.drain()
    assert fake_mailchimp.requests("PUT") == []


def test_same_event_twice_changes_nothing(client, connection, on_commit, run_tasks):
    signature = SignatureFactory(
        campaign=connection.campaign, confirmed=True, consent_newsletter=True
    )
    OutboxEntry.objects.create(
        connection=connection,
        signatory=signature.signatory,
        subscriber_hash=member_hash(signature.signatory.email),
        state="synced",
    )
    payload = unsubscribe_event(signature.signatory.email)
    with on_commit():
        assert client.post(url(connection), payload).status_code == 200
        assert client.post(url(connection), payload).status_code == 200
    run_tasks()
    assert WebhookEvent.objects.count() == 1
    signature.refresh_from_db()
    assert signature.consent_newsletter is False


def test_cleaned_and_upemail(client, fake_mailchimp, connection, on_commit, run_tasks):
    with on_commit():
        a = sign_and_confirm(connection.campaign)
        b = sign_and_confirm(connection.campaign)
    run_tasks()
    with on_commit():
        client.post(
            url(connection),
            {
                "type": "cleaned",
                "fired_at": "2026-11-24 21:00:00",
                "data[list_id]": "aud1",
                "data[email]": a.signatory.email,
                "data[reason]": "hard",
            },
        )
        client.post(
            url(connection),
            {
                "type": "upemail",
                "fired_at": "2026-11-24 21:01:00",
                "data[list_id]": "aud1",
                "data[old_email]": b.signatory.email,
                "data[new_email]": "nouvelle@example.net",
            },
        )
    run_tasks()
    assert OutboxEntry.objects.get(signatory=a.signatory).member_status == "cleaned"
    moved = OutboxEntry.objects.get(signatory=b.signatory)
    assert moved.subscriber_hash == member_hash("nouvelle@example.net")
    assert moved.mailchimp_email == "nouvelle@example.net"


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({}, "Missing or unknown event type."),
        ({"type": "<script>", "data[list_id]": "aud1"}, "Missing or unknown event type."),
        (
            {"type": "unsubscribe", "data[list_id]": "other", "data[email]": "a@b.fr"},
            "The list id does not match this audience.",
        ),
        ({"type": "unsubscribe", "data[list_id]": "aud1"}, "The event has no member email."),
        (
            {"type": "upemail", "data[list_id]": "aud1", "data[old_email]": "x"},
            "The email change has no old or new address.",
        ),
    ],
)
def test_bad_input_is_logged_and_never_a_500(client, connection, caplog, payload, problem):
    with caplog.at_level(logging.WARNING, logger="campaigns.mailchimp.inbound"):
        response = client.post(url(connection), payload)
    assert response.status_code == 400
    assert response.content.decode() == problem
    assert problem in caplog.text
    event = WebhookEvent.objects.get()  # kept for staff, nothing lost
    assert event.state == WebhookEvent.State.REJECTED and event.note == problem


def test_wrong_secret_and_odd_requests(client, connection, caplog):
    with caplog.at_level(logging.WARNING):
        assert (
            client.post("/webhooks/mailchimp/not-the-secret/", {"type": "unsubscribe"}).status_code
            == 403
        )
    assert "unknown secret" in caplog.text
    assert client.put(url(connection)).status_code == 405
    odd = client.post(url(connection), data=b"\xff\xfe{not form", content_type="application/json")
    assert odd.status_code == 400
    huge = client.post(
        url(connection),
        {
            "type": "profile",
            "data[list_id]": "aud1",
            "data[email]": "a@x.fr",
            "data[merges][FNAME]": "é" * 5000,
        },
    )
    assert huge.status_code == 200
    assert (
        len(WebhookEvent.objects.get(event_type="profile").payload["data[merges][FNAME]"]) == 1000
    )  # cut to 1000 characters
    # A NUL is refused at the door (400, nothing stored); the nightly reconcile reads statuses
    # from Mailchimp again, so an unsubscribe cannot be lost this way.
    nul = client.post(url(connection), {"type": "unsubscribe", "data[email]": "a\u0000@x.fr"})
    assert nul.status_code == 400
    assert not WebhookEvent.objects.filter(event_type="unsubscribe").exists()
    assert not WebhookEvent.objects.filter(
        state=WebhookEvent.State.RECEIVED, event_type=""
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_connecting_an_audience_registers_the_webhook(
    live_server, fake_mailchimp, settings, run_tasks
):
    settings.MAILCHIMP_WEBHOOK_BASE_URL = live_server.url
    campaign = CampaignFactory()
    connection = AudienceConnection.objects.create(campaign=campaign, list_id="aud1")
    assert inbound.register(connection)
    connection.refresh_from_db()
    hook = fake_mailchimp.lists["aud1"]["webhooks"][connection.webhook_id]
    assert hook["url"] == live_server.url + url(connection)
    assert hook["sources"]["api"] is False
    # Mailchimp checked the URL first.
    validation = [r for r in fake_mailchimp.log if r["path"].endswith("/webhooks")]
    assert validation and validation[0]["status"] == 200
    # The fake posts an event the way Mailchimp does; the product answers at once.
    answer = fake_mailchimp.post_webhook(hook["url"], unsubscribe_event("nobody@example.org"))
    assert answer.status_code == 200


def test_registration_fails_when_url_does_not_answer(fake_mailchimp, connection, settings):
    settings.MAILCHIMP_WEBHOOK_BASE_URL = "http://127.0.0.1:9"
    assert inbound.register(connection) is False
    connection.refresh_from_db()
    assert "Invalid Resource" in connection.webhook_error and not connection.webhook_id


def test_nightly_reconcile_applies_unsubscribes(fake_mailchimp, connection, on_commit, run_tasks):
    with on_commit():
        signatures = [sign_and_confirm(connection.campaign) for _ in range(3)]
    run_tasks()
    fake_mailchimp.set_status("aud1", signatures[0].signatory.email, "unsubscribed")
    fake_mailchimp.set_status("aud1", signatures[1].signatory.email, "cleaned")
    assert reconcile.reconcile(connection) == 2
    statuses = dict(OutboxEntry.objects.values_list("signatory_id", "member_status"))
    assert statuses[signatures[0].signatory_id] == "unsubscribed"
    assert statuses[signatures[1].signatory_id] == "cleaned"
    assert statuses[signatures[2].signatory_id] == "subscribed"
    connection.refresh_from_db()
    assert connection.last_reconciled_at is not None
    since = list(fake_mailchimp.requests("GET", r"/members$"))
    assert all("since_last_changed" not in r["query"] for r in since)
    reconcile.reconcile(connection)
    assert "since_last_changed" in fake_mailchimp.requests("GET", r"/members$")[-1]["query"]


def test_after_an_email_change_the_member_keeps_one_row(
    client, fake_mailchimp, connection, on_commit, run_tasks
):
    with on_commit():
        signature = sign_and_confirm(connection.campaign)
    run_tasks()
    old = signature.signatory.email
    members = fake_mailchimp.lists["aud1"]["members"]
    members[member_hash("neuf@example.net")] = members.pop(member_hash(old)) | {
        "email_address": "neuf@example.net"
    }
    with on_commit():
        client.post(
            url(connection),
            {
                "type": "upemail",
                "fired_at": "2026-11-24 21:01:00",
                "data[list_id]": "aud1",
                "data[old_email]": old,
                "data[new_email]": "neuf@example.net",
            },
        )
    run_tasks()
    fake_mailchimp.reset_log()
    with on_commit():
        change_status(signature, Signature.Status.VERIFIED)
    services.queue_all_supporters(connection)
    run_tasks()
    assert OutboxEntry.objects.count() == 1
    h = member_hash("neuf@example.net")
    # The address Mailchimp now knows is the one sent, to its new member id; the old one is left alone.
    paths = [r["path"] for r in fake_mailchimp.api_calls()]
    assert paths == [f"/3.0/lists/aud1/members/{h}", f"/3.0/lists/aud1/members/{h}/tags"]
    assert fake_mailchimp.api_calls()[0]["body"]["email_address"] == "neuf@example.net"
    assert "vérifié" in fake_mailchimp.member("aud1", h)["tags"]
    assert fake_mailchimp.member("aud1", old) is None
