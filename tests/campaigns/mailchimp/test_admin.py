"""Staff screens: connecting an audience, the summary with its progress, sync status and retries."""

from django.urls import reverse

from campaigns.mailchimp.models import AudienceConnection, OutboxEntry
from tests.factories import CampaignFactory, SignatureFactory

from .conftest import sign_and_confirm


def test_connecting_an_audience_in_the_admin_queues_supporters(
    admin_client, fake_mailchimp, on_commit, run_tasks, settings
):
    settings.MAILCHIMP_WEBHOOK_BASE_URL = "http://127.0.0.1:9"  # unreachable: registration fails
    campaign = CampaignFactory()
    SignatureFactory.create_batch(3, campaign=campaign, confirmed=True, consent_newsletter=True)
    data = {
        "campaign": campaign.pk,
        "list_id": "aud1",
        "opt_in": "pending",
        "on_withdrawal": "archive",
        "tag_campaign": "",
        "tag_verified": "vérifié",
        "tag_authority": "collectivités",
        "tag_elected": "élus",
        "tag_professional": "professionnels",
        "tag_organisation": "associations",
        "tag_individual": "citoyens",
        "tag_departement_prefix": "Dép.",
        "merge_first_name": "FNAME",
        "merge_last_name": "LNAME",
        "merge_organisation": "",
        "merge_title": "TITLE",
        "merge_departement": "DEPT",
    }
    with on_commit():
        response = admin_client.post(reverse("mailchimp_audience:add"), data)
    assert response.status_code == 302
    connection = AudienceConnection.objects.get()
    assert OutboxEntry.objects.filter(connection=connection).count() == 3
    run_tasks()
    assert fake_mailchimp.members_count("aud1", "pending") == 3
    member = next(iter(fake_mailchimp.lists["aud1"]["members"].values()))
    assert "ORG" not in member["merge_fields"] and "Dép. 69" in member["tags"]
    connection.refresh_from_db()
    assert "Invalid Resource" in connection.webhook_error

    summary = admin_client.get(reverse("mailchimp_audience:summary", args=[connection.pk]))
    assert summary.status_code == 200
    html = summary.content.decode()
    assert '<progress value="3" max="3"' in html
    assert "Invalid Resource" in html
    assert 'http-equiv="refresh"' not in html  # nothing waiting: no refresh


def test_invalid_connection_form_shows_errors(admin_client, connection):
    response = admin_client.post(
        reverse("mailchimp_audience:add"), {"campaign": "", "list_id": "aud1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["list_id"]


def test_summary_says_sync_is_off_and_refreshes(admin_client, connection, on_commit, settings):
    settings.MAILCHIMP_API_KEY = ""
    with on_commit():
        sign_and_confirm(connection.campaign)
    response = admin_client.get(reverse("mailchimp_audience:summary", args=[connection.pk]))
    html = response.content.decode()
    assert "MAILCHIMP_API_KEY" in html
    assert '<progress value="0" max="1"' in html
    dashboard = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "mailchimp-alert-heading" in dashboard


def test_dead_letter_list_and_retry(admin_client, fake_mailchimp, connection, on_commit, run_tasks):
    with on_commit():
        signature = sign_and_confirm(connection.campaign)
    entry = OutboxEntry.objects.get()
    OutboxEntry.objects.filter(pk=entry.pk).update(
        state="dead", attempts=12, last_error="503 Service Unavailable"
    )
    listing = admin_client.get(reverse("mailchimp_outbox:index") + "?state=failed&state=dead")
    html = listing.content.decode()
    assert signature.signatory.email in html and "503 Service Unavailable" in html
    assert (
        admin_client.get(reverse("mailchimp_outbox:index") + "?state=synced")
        .content.decode()
        .count(signature.signatory.email)
        == 0
    )
    with on_commit():
        response = admin_client.post(reverse("mailchimp_outbox:retry", args=[entry.pk]))
    assert response.status_code == 302
    run_tasks()
    entry.refresh_from_db()
    assert entry.state == "synced" and entry.attempts == 0


def test_summary_actions(admin_client, fake_mailchimp, connection, on_commit, run_tasks):
    with on_commit():
        sign_and_confirm(connection.campaign)
    run_tasks()
    fake_mailchimp.reset_log()
    url = reverse("mailchimp_audience:action", args=[connection.pk])
    with on_commit():
        admin_client.post(url, {"action": "full_resync"})
    run_tasks()
    assert len(fake_mailchimp.requests("PUT")) == 1  # forced: sent again although unchanged
    connection.pause("401 API Key Invalid")
    assert (
        "401 API Key Invalid"
        in admin_client.get(
            reverse("mailchimp_audience:summary", args=[connection.pk])
        ).content.decode()
    )
    with on_commit():
        admin_client.post(url, {"action": "resume"})
    connection.refresh_from_db()
    assert not connection.is_paused
    assert admin_client.post(url, {"action": "nonsense"}).status_code == 302
    assert admin_client.get(url).status_code == 405


def test_staff_without_permission_cannot_act(client, django_user_model, connection):
    user = django_user_model.objects.create_user("editor", password="x" * 12)
    client.force_login(user)
    assert client.get(reverse("mailchimp_audience:summary", args=[connection.pk])).status_code in (
        302,
        403,
    )
    assert client.post(
        reverse("mailchimp_audience:action", args=[connection.pk]), {"action": "sync"}
    ).status_code in (302, 403)
