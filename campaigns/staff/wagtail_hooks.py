"""Wagtail admin hooks: the two-factor settings on the person's account page."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    return {
        "url": reverse("two_factor:index"),
        "label": _("Two-factor authentication"),
        "help_text": _("Your authenticator app and backup codes for signing in."),
    }
