"""sitemap.xml, robots.txt, news feeds and site search."""

import pytest

pytestmark = pytest.mark.django_db


def test_sitemap_lists_both_languages_with_alternates(client, demo):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "<loc>http://localhost/fr/lettre-ouverte/</loc>" in xml
    assert "<loc>http://localhost/en/open-letter/</loc>" in xml
    assert 'hreflang="en" href="http://localhost/en/open-letter/"' in xml
    assert xml.count("<url>") == 16


def test_robots_txt_points_to_the_sitemap(client, demo):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


FEEDS = [
    ("/fr/news/feed/rss/", "<rss", "La lettre ouverte est publiée", "The open letter is out"),
    ("/en/news/feed/rss/", "<rss", "The open letter is out", "La lettre ouverte est publiée"),
    ("/fr/news/feed/atom/", "<feed", "La lettre ouverte est publiée", "The open letter is out"),
    ("/en/news/feed/atom/", "<feed", "The open letter is out", "La lettre ouverte est publiée"),
]


def test_news_feeds_per_language(client, demo):
    for url, root, title, absent in FEEDS:
        response = client.get(url)
        assert response.status_code == 200, url
        xml = response.content.decode()
        assert root in xml, url
        assert title in xml and absent not in xml, url
        language = url.split("/")[1]
        assert f"http://testserver/{language}/" in xml, url


def test_search_finds_pages_in_the_active_language(client, demo):
    for url, expected, absent in [
        ("/fr/search/?q=mutualisation", "Coopérer et mutualiser", "Cooperate and pool"),
        ("/en/search/?q=pooling", "Cooperate and pool", "Coopérer et mutualiser"),
        ("/fr/search/?q=l'offre+numérique", "Pour un service public numérique", "Digital services"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert expected in html and absent not in html, url


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_index_follows_publishing(client, demo, run_tasks):
    """Pages published later are indexed by Wagtail's background task, through the real worker."""
    from content.models import NewsIndexPage, NewsPage

    index = NewsIndexPage.objects.get(locale__language_code="fr")
    news = NewsPage(
        title="Rencontre à Besançon", slug="rencontre", intro="Une réunion publique.", body="[]"
    )
    index.add_child(instance=news)
    news.save_revision().publish()
    run_tasks()
    assert "Rencontre à Besançon" in client.get("/fr/search/?q=Besançon").content.decode()


def test_search_without_results_and_with_odd_input(client, demo):
    html = client.get("/fr/search/?q=zzzxqj").content.decode()
    assert "Aucun résultat" in html
    for query in ["<script>alert(1)</script>", "a" * 5000, "%", "' OR 1=1 --", "\u202ex"]:
        response = client.get("/fr/search/", {"q": query, "page": "abc"})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
    # a NUL never reaches the search engine: refused at the door, in French
    refused = client.get("/fr/search/", {"q": "\u0000x"})
    assert refused.status_code == 400 and "caractères" in refused.content.decode()
    assert client.get("/fr/search/").status_code == 200
