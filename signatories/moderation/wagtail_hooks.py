"""Wagtail admin hooks: the "Signatures" menu and its screens, the dashboard panel, permissions."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from .intake_viewsets import SubmissionViewSet
from .panels import SignaturesPanel, SubmissionsPanel
from .viewsets import SignaturesGroup


@hooks.register("register_admin_viewset")
def register_signatures_viewsets():
    return SignaturesGroup()


@hooks.register("register_admin_viewset")
def register_submissions_viewset():
    # Its menu entry joins the "Signatures" submenu through SignaturesGroup.submenu_hook.
    return SubmissionViewSet("submissions")


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


@hooks.register("construct_homepage_panels")
def add_submissions_panel(request, panels):
    if SubmissionsPanel.is_shown_to(request.user):
        panels.append(SubmissionsPanel(request))
