"""Campaigns in the Wagtail admin: listed with filters and search, created and edited by staff."""

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from tests.factories.campaigns import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "staff", "staff@example.org", "motdepasse-solide-2026"
    )
    client.force_login(user)
    return user


def test_campaign_list_filters_and_search(client, staff):
    CampaignFactory(title="Bibliothèques et numérique", slug="biblio")
    CampaignFactory(title="Lecture publique rurale", slug="rurale", closed=True)
    url = reverse("wagtailsnippets_campaigns_campaign:list")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bibliothèques et numérique" in html and "Lecture publique rurale" in html

    html = client.get(url, {"status": "closed"}).content.decode()
    assert "Lecture publique rurale" in html and "Bibliothèques et numérique" not in html

    html = client.get(url, {"q": "rurale"}).content.decode()
    assert "Lecture publique rurale" in html and "Bibliothèques et numérique" not in html


def test_staff_create_and_edit_a_campaign(client, staff):
    add_url = reverse("wagtailsnippets_campaigns_campaign:add")
    data = {
        "title": "Nouvelle campagne",
        "slug": "nouvelle-campagne",
        "status": "open",
        "goal": "2500",
        "milestones": "100, 1000",
        "opens_at": "2026-11-01 09:00",
        "closes_at": "2026-12-31 18:00",
    }
    response = client.post(add_url, data)
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="nouvelle-campagne")
    assert campaign.goal == 2500 and campaign.milestone_list() == [100, 1000]

    edit_url = reverse("wagtailsnippets_campaigns_campaign:edit", args=(campaign.pk,))
    response = client.post(edit_url, {**data, "closes_at": "2026-10-01 09:00"})
    assert response.status_code == 200  # closing before opening is refused, not a 500
    campaign.refresh_from_db()
    assert campaign.closes_at.month == 12

    inspect_url = reverse("wagtailsnippets_campaigns_campaign:inspect", args=(campaign.pk,))
    assert client.get(inspect_url).status_code == 200


def test_campaign_admin_needs_permission(client, django_user_model):
    user = django_user_model.objects.create_user(
        "visitor", "v@example.org", "motdepasse-solide-2026"
    )
    client.force_login(user)
    response = client.get(reverse("wagtailsnippets_campaigns_campaign:list"))
    assert response.status_code in (302, 403)
