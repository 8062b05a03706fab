"""Home, letter and a position paper in a phone and a desktop window: screenshots and axe-core."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe_violations, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo_site(live_server):
    call_command("load_demo_content", verbosity=0)
    from wagtail.models import Site

    # Page URLs are built from the default site: point it at the live server.
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "localhost", int(live_server.url.rsplit(":", 1)[1])
    site.save()
    return live_server.url


PAGES = [
    ("home-fr", "/fr/", "Le numérique en bibliothèque est un service public"),
    ("letter-fr", "/fr/lettre-ouverte/", "Pour un service public numérique des bibliothèques"),
    ("paper-fr", "/fr/modele-economique-ressources-numeriques/", "Un modèle économique"),
    ("letter-en", "/en/open-letter/", "For a digital public service in libraries"),
]


def test_pages_render_accessibly(page, demo_site):
    """Each page in this window size: content, landmarks, no overflow, screenshot, axe clean."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for name, path, heading in PAGES:
        response = page.goto(demo_site + path)
        assert response.status == 200, path
        assert heading in page.locator("h1").first.inner_text(), path
        # Landmarks, skip link and language are in place.
        assert page.locator("header.site-header").count() == 1, path
        assert page.locator("main#main").count() == 1, path
        assert page.locator("footer.site-footer").count() == 1, path
        assert page.locator("a.skip-link").get_attribute("href") == "#main", path
        assert page.locator("html").get_attribute("lang") == path.split("/")[1], path
        # No horizontal scrolling, on a phone either.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the window"
        screenshot(page, name)
        assert axe_violations(page) == [], path
    assert errors == []


DESKTOP_ONLY = pytest.mark.parametrize("viewport", ["desktop"], indirect=True)


@DESKTOP_ONLY
def test_skip_link_and_focus(page, demo_site):
    page.goto(demo_site + "/fr/lettre-ouverte/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@DESKTOP_ONLY
def test_language_switcher_goes_to_the_translation(page, demo_site):
    page.goto(demo_site + "/fr/lettre-ouverte/")
    page.locator(".language-switcher a[hreflang='en']").click()
    page.wait_for_url("**/en/open-letter/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "For a digital public service" in page.locator("h1").inner_text()


@DESKTOP_ONLY
def test_print_view(page, demo_site):
    page.goto(demo_site + "/fr/lettre-ouverte/print/")
    assert page.locator(".js-print").is_visible()  # the print button appears with JavaScript
    page.emulate_media(media="print")
    screenshot(page, "letter-print")
    assert page.locator(".print-toolbar").is_hidden()
    assert axe_violations(page) == []
