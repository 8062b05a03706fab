"""Wagtail admin hooks: the Mailchimp menu, and an alert on the dashboard when a queue needs staff."""

from wagtail import hooks

from . import admin_views
from .viewsets import MailchimpGroup


@hooks.register("register_admin_viewset")
def register_mailchimp_viewsets():
    return MailchimpGroup()


@hooks.register("construct_homepage_panels")
def add_mailchimp_alert(request, panels):
    panel = admin_views.AlertPanel()
    if panel.is_shown(request):
        panels.insert(0, panel)
