"""Wagtail admin hooks: the "Signatures" menu and its screens, the dashboard panel, permissions."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from .panels import SignaturesPanel
from .viewsets import SignaturesGroup


@hooks.register("register_admin_viewset")
def register_signatures_viewsets():
    return SignaturesGroup()


@hooks.register("register_permissions")
def moderation_permissions():
    return Permission.objects.filter(
        content_type__app_label="moderation",
        codename__in=["moderate_signature", "bulk_invalidate_signature"],
    )


@hooks.register("construct_homepage_panels")
def add_signatures_panel(request, panels):
    if SignaturesPanel.is_shown_to(request.user):
        panels.append(SignaturesPanel(request))


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return {
        "url": reverse("two_factor:index"),
        "label": _("Two-factor authentication"),
        "help_text": _("Your authenticator app and backup codes for signing in."),
    }
