"""Public pages are cacheable and set no cookie; previews and editors are private."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/fr/",
    "/en/",
    "/fr/lettre-ouverte/",
    "/fr/lettre-ouverte/print/",
    "/en/economic-model-digital-resources/",
    "/fr/actualites/",
    "/fr/confidentialite/",
    "/fr/search/?q=lettre",
    "/fr/news/feed/rss/",
    "/robots.txt",
]


def test_public_pages_are_cacheable_without_cookies(client, demo):
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert "public" in directives, url
        assert f"max-age={settings.PUBLIC_CACHE_MAX_AGE}" in directives, url
        assert any(d.startswith("stale-while-revalidate=") for d in directives), url
        assert any(d.startswith("stale-if-error=") for d in directives), url
        assert not response.cookies, f"{url} set cookies: {list(response.cookies)}"


def test_logged_in_editors_get_private_pages(client, demo, django_user_model):
    user = django_user_model.objects.get(username="admin")
    client.force_login(user)
    response = client.get("/fr/lettre-ouverte/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_not_found_is_not_cached_publicly(client, demo):
    response = client.get("/fr/nulle-part/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_page_that_asks_for_a_csrf_token_becomes_private(rf, demo):
    """Safety net: if a template tag ever calls get_token(), the response must not be shared."""
    from django.contrib.auth.models import AnonymousUser
    from django.middleware.csrf import get_token
    from django.template.response import TemplateResponse

    from content.caching import apply_public_cache

    request = rf.get("/fr/")
    request.user = AnonymousUser()
    response = TemplateResponse(request, "404.html", {})
    response = apply_public_cache(request, response)
    get_token(request)
    response.render()
    assert "private" in response["Cache-Control"]
