"""Every page type renders in French and in English with its key content and metadata."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    # (url, page type, text that must be in the page)
    ("/fr/", "home", "Le numérique en bibliothèque est un service public"),
    ("/en/", "home", "Digital services in libraries are a public service"),
    ("/fr/lettre-ouverte/", "letter", "Davantage de coopération entre collectivités territoriales"),
    ("/en/open-letter/", "letter", "More cooperation between local authorities"),
    ("/fr/modele-economique-ressources-numeriques/", "paper", "Commission numérique de l’ABF"),
    ("/en/economic-model-digital-resources/", "paper", "ABF digital committee"),
    ("/fr/actualites/", "news index", "La lettre ouverte est publiée"),
    ("/en/news/", "news index", "The open letter is out"),
    ("/fr/actualites/lancement-lettre-ouverte/", "news", "Prochaines étapes"),
    ("/en/news/launch-open-letter/", "news", "Next steps"),
    ("/fr/mentions-legales/", "standard", "Propriété intellectuelle"),
    ("/en/legal-notice/", "standard", "Intellectual property"),
    ("/fr/confidentialite/", "standard", "consentement explicite"),
    ("/en/privacy-policy/", "standard", "explicit consent"),
]


def test_every_page_type_renders_in_both_languages(client, demo):
    # One demo site for all pages (building it is the slow part): each check names its URL.
    for url, kind, text in PAGES:
        check_page(client, url, kind, text)


def check_page(client, url, kind, text):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    language = url.split("/")[1]
    assert f'<html lang="{language}"' in html, url
    assert text in html, f"{kind} page {url} lacks {text!r}"
    # Discovery metadata: description, canonical, hreflang alternates, social cards.
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html), url
    assert f'<link rel="canonical" href="http://localhost{url}">' in html, url
    assert 'hreflang="fr"' in html and 'hreflang="en"' in html and 'hreflang="x-default"' in html, (
        url
    )
    assert '<meta property="og:title"' in html, url
    assert '<meta property="og:image" content="http://testserver/' in html, url
    assert 'name="twitter:card" content="summary_large_image"' in html, url
    # The demo flag shows the banner; no inline script or style anywhere.
    assert 'class="demo-banner"' in html, url
    assert "<script>" not in html and 'style="' not in html, url


def test_interface_strings_are_translated(client, demo):
    french = client.get("/fr/lettre-ouverte/").content.decode()
    english = client.get("/en/open-letter/").content.decode()
    assert "Aller au contenu" in french and "Skip to content" in english
    assert "Organisations cosignataires" in french and "Co-signing organisations" in english
    assert "Site de démonstration." in french


def test_language_switcher_links_to_the_translation(client, demo):
    html = client.get("/fr/lettre-ouverte/").content.decode()
    assert re.search(r'<a href="/en/open-letter/" hreflang="en"', html)
    html = client.get("/en/news/launch-open-letter/").content.decode()
    assert re.search(r'<a href="/fr/actualites/lancement-lettre-ouverte/" hreflang="fr"', html)


def test_language_switcher_falls_back_to_home_without_translation(client, demo):
    from content.models import StandardPage

    parent = StandardPage.objects.get(slug="mentions-legales")
    page = StandardPage(title="Seulement en français", slug="seulement-fr", body="[]")
    parent.add_child(instance=page)
    page.save_revision().publish()
    html = client.get("/fr/mentions-legales/seulement-fr/").content.decode()
    assert re.search(r'<a href="/en/" hreflang="en"', html)
    assert 'hreflang="x-default"' not in html  # no alternates for a page without translation


def test_letter_page_calls_the_signature_tags_and_offers_print(client, demo):
    html = client.get("/fr/lettre-ouverte/").content.decode()
    assert 'id="signer"' in html  # the signing panel's anchor
    assert 'href="/fr/lettre-ouverte/print/"' in html
    assert "Madame la ministre de la Culture" in html
    assert "Association des Bibliothécaires Départementaux" in html
    assert 'media="print"' in html and "css/print.css" in html


def test_letter_print_view(client, demo):
    response = client.get("/fr/lettre-ouverte/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nous demandons" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "css/print.css" in html


def test_letter_without_campaign_renders_without_signing(client, demo):
    from content.models import OpenLetterPage

    letter = OpenLetterPage.objects.get(slug="lettre-ouverte")
    letter.campaign = None
    letter.save_revision().publish()
    response = client.get("/fr/lettre-ouverte/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="signer"' not in html
    assert "letter-layout--single" in html


def test_position_paper_links_its_letter_in_the_same_language(client, demo):
    html = client.get("/en/cooperation-pooling/").content.decode()
    assert 'href="/en/open-letter/"' in html
    assert "Association des Bibliothécaires Départementaux" in html


def test_home_features_the_letter_and_lists_content(client, demo):
    html = client.get("/en/").content.decode()
    assert 'href="/en/open-letter/#signer"' in html
    assert "An economic model for digital resources" in html
    assert "The open letter is out" in html
    assert '<nav class="main-nav" aria-label="Main menu">' in html
    assert ">The letter</a>" in html and ">Privacy policy</a>" in html


def test_unknown_page_is_a_translated_404(client, demo):
    response = client.get("/fr/page-inexistante/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
