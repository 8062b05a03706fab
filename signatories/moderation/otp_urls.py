"""Two-factor authentication pages, mounted at admin/2fa/ (before the Wagtail admin URLs)."""

from django.urls import path

from . import otp_views

app_name = "two_factor"

urlpatterns = [
    path("", otp_views.manage, name="index"),
    path("verify/", otp_views.verify, name="verify"),
    path("setup/", otp_views.setup, name="setup"),
    path("backup-codes/", otp_views.backup_codes, name="backup_codes"),
]
