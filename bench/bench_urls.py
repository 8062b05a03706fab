"""The site's URLs plus the baseline view; only used by the benchmark."""

from benchapp import views
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/baseline/", views.baseline),
    *site_urlpatterns,
]
