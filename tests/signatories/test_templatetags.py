import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

PANEL = Template("{% load signatures %}{% signature_panel campaign %}")


def render(campaign, language="fr"):
    with translation.override(language):
        request = RequestFactory().get(f"/{language}/lettre/")
        return PANEL.render(Context({"campaign": campaign, "request": request}))


def test_panel_renders_the_same_form_for_everyone_its_token_comes_with_the_challenge(campaign):
    first, second = render(campaign), render(campaign)
    assert first == second
    assert re.search(r'name="form_token"(?! value)', first)
    assert f"/api/altcha/challenge/?campaign={campaign.pk}" in first
    assert 'action="/fr/signer/lettre-ouverte/"' in first
    assert "csrfmiddlewaretoken" not in first
    # three separate consents, none ticked
    assert first.count('type="checkbox"') == 3 and "checked" not in first
    assert "<altcha-widget" in first and "/api/altcha/challenge/" in first


def test_panel_follows_the_language(campaign):
    assert "Sign the letter" in render(campaign, "en")
    assert "Signer la lettre" in render(campaign, "fr")


def test_closed_campaign_shows_a_notice(db):
    closed = CampaignFactory(closed=True)
    html = render(closed)
    assert "<form" not in html and "signature-panel__closed" in html


def test_privacy_policy_link_when_the_page_exists(campaign):
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).first()
    root = site.root_page if site else Page.get_first_root_node()
    root.add_child(
        instance=Page(title="Politique de confidentialité", slug="politique-de-confidentialite")
    )
    html = render(campaign)
    assert "politique-de-confidentialite" in html


def test_missing_campaign_renders_nothing():
    assert PANEL.render(Context({"campaign": None})) == ""
