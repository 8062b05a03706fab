"""Two-factor authentication pages, mounted at admin/2fa/ (before the Wagtail admin URLs)."""

from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("", views.manage, name="index"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
]
