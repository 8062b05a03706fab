"""Non-page views of the public site: search results and robots.txt."""

import logging

from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from wagtail.models import Locale, Page

from content.caching import apply_public_cache

logger = logging.getLogger(__name__)

SEARCH_PAGE_SIZE = 10
SEARCH_MAX_QUERY_LENGTH = 200


def search_terms(raw):
    """What we pass to the search backend: printable words only. Quotes and operators would be
    read as query syntax by the full-text engines (an unbalanced quote is an SQL error on SQLite)."""
    text = "".join(
        ch if ch.isalnum() or ch in "-_." else " " for ch in raw[:SEARCH_MAX_QUERY_LENGTH]
    )
    return " ".join(text.split())


@require_GET
def search(request):
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_QUERY_LENGTH]
    terms = search_terms(query)
    results = None
    if terms:
        pages = Page.objects.live().public().filter(locale=Locale.get_active())
        paginator = Paginator(pages.search(terms), SEARCH_PAGE_SIZE)
        try:
            results = paginator.get_page(request.GET.get("page"))
            results.object_list = list(results.object_list)
        except DatabaseError:
            # A query the engine cannot parse is answered as "no results", never a 500.
            logger.warning("Search backend rejected a query", exc_info=True)
            results = None
    response = TemplateResponse(
        request, "content/search_results.html", {"search_query": query, "results": results}
    )
    return apply_public_cache(request, response)


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /documents/",
        "Allow: /",
        "",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    return apply_public_cache(request, response)
