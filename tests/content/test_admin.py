"""An editor creates, previews and publishes an open letter through the Wagtail admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from content.models import HomePage, OpenLetterPage
from tests.factories.campaigns import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, demo, django_user_model):
    user = django_user_model.objects.create_user(
        "editrice", "editrice@example.org", "motdepasse-solide-2026"
    )
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return user


def letter_form(campaign, **overrides):
    data = {
        "title": "Lettre aux parlementaires",
        "slug": "lettre-aux-parlementaires",
        "campaign": campaign.pk,
        "letter_date": "2026-11-20",
        "intro": "Une seconde lettre pour les parlementaires.",
        "addressees": "Mesdames et Messieurs les députés\nMesdames et Messieurs les sénateurs",
        "body": streamfield(
            [
                ("heading", {"text": "Le constat", "level": "h2"}),
                ("paragraph", rich_text("<p>Les bibliothèques manquent de moyens numériques.</p>")),
                (
                    "demands",
                    {
                        "heading": "Nous demandons",
                        "demands": streamfield(
                            [
                                (
                                    "item",
                                    {
                                        "title": "Une loi de programmation",
                                        "text": rich_text("<p>Pluriannuelle.</p>"),
                                    },
                                )
                            ]
                        ),
                    },
                ),
            ]
        ),
        "closing": "Les associations signataires",
        "cosigners": inline_formset(
            [{"name": "Réseau Carel", "acronym": "", "url": "https://example.org/carel"}]
        ),
        "comments": inline_formset([]),
        "seo_title": "",
        "search_description": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def test_editor_creates_previews_and_publishes_a_letter(client, editor):
    home = HomePage.objects.get(locale__language_code="fr")
    campaign = CampaignFactory(slug="lettre-parlementaires")
    add_url = reverse("wagtailadmin_pages:add", args=("content", "openletterpage", home.pk))
    assert client.get(add_url).status_code == 200

    # Preview before saving: the preview is valid, renders the letter and is never cached.
    preview_url = reverse(
        "wagtailadmin_pages:preview_on_add", args=("content", "openletterpage", home.pk)
    )
    response = client.post(preview_url, letter_form(campaign))
    assert response.status_code == 200
    assert response.json()["is_valid"] is True
    response = client.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lettre aux parlementaires" in html and "Une loi de programmation" in html
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]

    # Publish.
    response = client.post(add_url, {**letter_form(campaign), "action-publish": "action-publish"})
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = OpenLetterPage.objects.get(slug="lettre-aux-parlementaires")
    assert letter.live and letter.campaign == campaign
    assert [c.name for c in letter.cosigners.all()] == ["Réseau Carel"]
    assert letter.owner == editor

    client.logout()
    public = client.get("/fr/lettre-aux-parlementaires/")
    assert public.status_code == 200
    html = public.content.decode()
    assert "Mesdames et Messieurs les sénateurs" in html
    assert "Pluriannuelle." in html
    assert "public" in public["Cache-Control"]


def test_invalid_letter_is_refused_with_errors_and_keeps_input(client, editor):
    home = HomePage.objects.get(locale__language_code="fr")
    campaign = CampaignFactory(slug="lettre-invalide")
    add_url = reverse("wagtailadmin_pages:add", args=("content", "openletterpage", home.pk))
    data = letter_form(campaign, addressees="", letter_date="31/02/2026")
    response = client.post(add_url, {**data, "action-publish": "action-publish"})
    assert response.status_code == 200
    assert not OpenLetterPage.objects.filter(slug="lettre-aux-parlementaires").exists()
    assert "Lettre aux parlementaires" in response.content.decode()  # nothing typed is lost
    assert response.context["form"].errors.keys() >= {"addressees", "letter_date"}


def test_page_type_rules(demo):
    from content.models import NewsIndexPage, NewsPage, PositionPaperPage, StandardPage

    assert OpenLetterPage.allowed_parent_page_models() == [HomePage]
    assert NewsPage.allowed_parent_page_models() == [NewsIndexPage]
    assert set(PositionPaperPage.allowed_parent_page_models()) == {HomePage, OpenLetterPage}
    assert NewsIndexPage.allowed_subpage_models() == [NewsPage]
    home = HomePage.objects.get(locale__language_code="fr")
    assert not NewsIndexPage.can_create_at(home)  # one news index per home page
    assert StandardPage.can_create_at(home)


def test_admin_translates_a_page_with_simple_translation(client, editor, django_user_model):
    from wagtail.models import Locale

    admin = django_user_model.objects.get(username="admin")
    client.force_login(admin)
    paper = OpenLetterPage.objects.get(slug="lettre-ouverte")
    url = reverse("simple_translation:submit_page_translation", args=(paper.pk,))
    assert client.get(url).status_code == 200
    assert paper.get_translation_or_none(Locale.objects.get(language_code="en")) is not None


def test_site_settings_and_navigation_are_editable(client, editor, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    assert (
        client.get(
            reverse("wagtailsettings:edit", args=("content", "sitesettings", site.pk))
        ).status_code
        == 200
    )
    assert client.get(reverse("wagtailsnippets_content_navigationmenu:list")).status_code == 200


def test_every_page_type_opens_in_the_editor(client, demo, django_user_model):
    from wagtail.models import Page

    client.force_login(django_user_model.objects.get(username="admin"))
    pages = Page.objects.filter(depth__gt=1, locale__language_code="fr").specific()
    kinds = set()
    for page in pages:
        response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200, page
        kinds.add(type(page).__name__)
    assert kinds == {
        "HomePage",
        "OpenLetterPage",
        "PositionPaperPage",
        "NewsIndexPage",
        "NewsPage",
        "StandardPage",
    }
