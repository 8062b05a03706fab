"""URLs under the language prefix (/fr/, /en/): search and news feeds."""

from django.urls import path

from content import views
from content.feeds import NewsAtomFeed, NewsRssFeed

urlpatterns = [
    path("search/", views.search, name="search"),
    path("news/feed/rss/", NewsRssFeed(), name="news_feed_rss"),
    path("news/feed/atom/", NewsAtomFeed(), name="news_feed_atom"),
]
