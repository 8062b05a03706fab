"""Newsletters: a news page sent as a Mailchimp campaign to an audience or a tag segment.

wagtail-newsletter drives it; these tests run its actions (the ones the page editor's
"Newsletter" tab posts) against the fake, through the product's backend.
"""

from datetime import timedelta

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page
from wagtail_newsletter import actions
from wagtail_newsletter.models import NewsletterRecipients

from content.models import NewsIndexPage, NewsPage
from signatories.models import Signature
from tests.factories import SignatureFactory

from .conftest import sign_and_confirm


@pytest.fixture
def news_page(db):
    home = Page.objects.get(depth=2)
    index = home.add_child(instance=NewsIndexPage(title="Actualités", slug="actualites"))
    page = index.add_child(
        instance=NewsPage(
            title="La lettre remise au ministère",
            slug="lettre-remise",
            intro="Nous avons remis la lettre et ses 12 000 signatures.",
            body=[("paragraph", "<p>Merci à toutes et à tous.</p>")],
        )
    )
    page.save_revision().publish()
    return page


@pytest.fixture
def audience(fake_mailchimp, connection, on_commit, run_tasks):
    with on_commit():
        sign_and_confirm(connection.campaign, category=Signature.Category.ELECTED)
        sign_and_confirm(connection.campaign, category=Signature.Category.ELECTED)
        sign_and_confirm(connection.campaign, category=Signature.Category.INDIVIDUAL)
        SignatureFactory(campaign=connection.campaign, consent_newsletter=True)  # pending: not sent
    run_tasks()
    return fake_mailchimp.lists["aud1"]


def staff_request(admin_user, data=None):
    request = RequestFactory().post("/", data or {})
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def messages_of(request):
    return [str(m) for m in request._messages]


def test_test_send_then_real_send_to_a_tag_segment(news_page, audience, fake_mailchimp, admin_user):
    elected_tag = audience["tags"]["élus"]
    recipients = NewsletterRecipients(name="Élus", audience="aud1", segment=f"aud1/{elected_tag}")
    recipients.full_clean()  # the segment is checked against the audience's segments (the tags)
    recipients.save()
    news_page.newsletter_recipients = recipients
    news_page.save_revision()

    request = staff_request(admin_user, {"newsletter-test-email": "equipe@example.org"})
    actions.send_test_email(request, news_page)
    assert any(
        "Test message sent to &#x27;equipe@example.org&#x27;" in m for m in messages_of(request)
    )
    news_page.refresh_from_db()
    campaign = fake_mailchimp.campaigns[news_page.newsletter_campaign]
    assert fake_mailchimp.sent_tests[0]["emails"] == ["equipe@example.org"]
    assert "La lettre remise au ministère" in fake_mailchimp.sent_tests[0]["html"]
    assert "*|UNSUB|*" in campaign["html"]
    assert campaign["recipients"] == {
        "list_id": "aud1",
        "segment_opts": {"saved_segment_id": elected_tag},
    }
    assert campaign["settings"]["subject_line"] == "La lettre remise au ministère"
    assert campaign["status"] == "save"

    request = staff_request(admin_user)
    actions.send_campaign(request, news_page)
    assert any("Newsletter campaign is now sending" in m for m in messages_of(request))
    assert campaign["status"] == "sent"
    assert len(campaign["sent_to"]) == 2  # the two elected officials, not the citizen

    # The send status shown in the page's Newsletter tab.
    from campaigns.mailchimp.newsletter import CampaignBackend

    sent = CampaignBackend().get_campaign(news_page.newsletter_campaign)
    assert sent.is_sent and sent.get_report()["emails_sent"] == 2


def test_schedule_to_whole_audience(news_page, audience, fake_mailchimp, admin_user):
    recipients = NewsletterRecipients.objects.create(name="Tous", audience="aud1")
    news_page.newsletter_recipients = recipients
    news_page.save_revision()
    when = (timezone.now() + timedelta(days=1)).replace(minute=15, second=0, microsecond=0)
    request = staff_request(
        admin_user,
        {"newsletter-schedule-schedule_time": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")},
    )
    actions.schedule_campaign(request, news_page)
    news_page.refresh_from_db()
    campaign = fake_mailchimp.campaigns[news_page.newsletter_campaign]
    assert campaign["status"] == "schedule", messages_of(request)
    assert campaign["recipients"] == {"list_id": "aud1"}


def test_mailchimp_down_gives_a_message_not_a_500(news_page, audience, fake_mailchimp, admin_user):
    news_page.newsletter_recipients = NewsletterRecipients.objects.create(
        name="Tous", audience="aud1"
    )
    news_page.save_revision()
    fake_mailchimp.outage = "5xx"
    request = staff_request(admin_user)
    actions.save_campaign(request, news_page)
    assert [m.strip() for m in messages_of(request)] == ["Error while creating campaign"]


def test_news_page_editor_has_the_newsletter_tab(admin_client, news_page, audience):
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[news_page.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="newsletter-action"' in html
    assert "newsletter_recipients" in html


def test_audience_chooser_when_mailchimp_is_off(admin_client, settings, db):
    settings.MAILCHIMP_API_KEY = ""
    response = admin_client.get(reverse("audience_chooser:choose"))
    assert response.status_code == 200


def test_audience_chooser_lists_audiences(admin_client, fake_mailchimp, db):
    response = admin_client.get(reverse("audience_chooser:choose"))
    assert response.status_code == 200
    assert "Lettre ouverte" in response.content.decode()
