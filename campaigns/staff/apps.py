from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """How staff sign in to the admin: two-factor authentication and lockout after failures."""

    name = "campaigns.staff"
    label = "staff"
    verbose_name = _("Staff sign-in")
