"""RSS and Atom feeds of the news, one per language (under /fr/ and /en/)."""

import copy
from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from wagtail.models import Locale, Site

from content.caching import apply_public_cache
from content.models import NewsIndexPage, NewsPage, SiteSettings

FEED_SIZE = 20


class NewsRssFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        # The URLconf holds one instance for all requests: work on a per-request copy.
        feed = copy.copy(self)
        feed.request = request
        response = Feed.__call__(feed, request, *args, **kwargs)
        return apply_public_cache(request, response)

    def get_object(self, request, *args, **kwargs):
        return Locale.get_active()

    def title(self, locale):
        settings = SiteSettings.for_request(self.request)
        name = settings.organisation_name or Site.find_for_request(self.request).site_name or ""
        return f"{name} · {gettext('News')}" if name else gettext("News")

    def link(self, locale):
        index = NewsIndexPage.objects.live().public().filter(locale=locale).first()
        return index.get_url(self.request) if index else f"/{locale.language_code}/"

    def description(self, locale):
        return gettext("The latest news of the campaign.")

    def feed_url(self, locale):
        return self.request.build_absolute_uri(self.request.path)

    def items(self, locale):
        return (
            NewsPage.objects.live()
            .public()
            .filter(locale=locale)
            .order_by("-date", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.combine(item.date, time(9, 0)))

    def item_updateddate(self, item):
        return item.last_published_at


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, locale):
        return self.description(locale)
