"""Unprefixed endpoints: JSON counts (publicly cacheable) and ALTCHA challenges (never cached)."""

from django.urls import path

from . import views

app_name = "signatories_api"

urlpatterns = [
    path("api/campaigns/<slug:slug>/counts.json", views.counts_json, name="counts"),
    path("api/altcha/challenge/", views.altcha_challenge, name="altcha_challenge"),
]
