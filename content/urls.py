"""Language-neutral URLs: sitemap.xml and robots.txt."""

from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from content import views
from content.sitemaps import MultilingualSitemap

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": MultilingualSitemap}}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
