"""`manage.py load_demo_content` builds the site on a fresh database and is idempotent."""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

pytestmark = pytest.mark.django_db

COUNTED = [
    "wagtailcore.Page",
    "wagtailcore.Revision",
    "wagtailcore.Locale",
    "wagtailcore.Site",
    "wagtailimages.Image",
    "wagtailredirects.Redirect",
    "campaigns.Campaign",
    "content.SiteSettings",
    "content.NavigationMenu",
    "content.NavigationMenuItem",
    "content.OpenLetterCosigner",
    "auth.User",
]


def counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def test_demo_content_replaces_the_welcome_page_and_is_idempotent():
    assert Page.objects.filter(depth=2, title__startswith="Welcome").exists()
    call_command("load_demo_content", verbosity=0)
    first = counts()
    latest_revision = Revision.objects.order_by("-pk").first().pk
    call_command("load_demo_content", verbosity=0)
    assert counts() == first
    assert Revision.objects.order_by("-pk").first().pk == latest_revision

    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific_class.__name__ == "HomePage"
    assert not Page.objects.filter(title__startswith="Welcome").exists()
    assert first["wagtailredirects.Redirect"] == 0
    assert first["wagtailcore.Locale"] == 2


def test_demo_content_builds_the_campaign_site(demo):
    from campaigns.models import Campaign
    from content.models import (
        NewsPage,
        OpenLetterPage,
        PositionPaperPage,
        SiteSettings,
        StandardPage,
    )

    campaign = Campaign.objects.get(slug="bibliotheques-numerique")
    assert campaign.status == Campaign.Status.OPEN and campaign.goal == 5000
    assert campaign.milestone_list() == [500, 1000, 2500, 5000]
    assert campaign.is_open()
    for language in ("fr", "en"):
        assert (
            OpenLetterPage.objects.live().get(locale__language_code=language).campaign == campaign
        )
        assert PositionPaperPage.objects.live().filter(locale__language_code=language).count() == 2
        assert NewsPage.objects.live().filter(locale__language_code=language).count() == 1
        assert StandardPage.objects.live().filter(locale__language_code=language).count() == 2
    letter = OpenLetterPage.objects.get(locale__language_code="fr")
    assert (
        len(" ".join(str(block.value) for block in letter.body).split()) > 500
    )  # substantial prose
    settings = SiteSettings.for_site(demo)
    assert settings.is_demo and settings.privacy_page and settings.default_sharing_image
    privacy = StandardPage.objects.get(slug="confidentialite")
    text = " ".join(str(block.value) for block in privacy.body)
    for needle in [
        "responsable du traitement",
        "consentement explicite",
        "article 9",
        "facultatifs",
        "six mois",
        "trois ans",
        "CNIL",
        "retirer votre signature",
    ]:
        assert needle in text, needle
    assert authenticate(username="admin", password="demo-admin-2026").is_superuser
