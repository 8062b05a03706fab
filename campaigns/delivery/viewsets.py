"""Wagtail admin screens for targets, deliveries and answers."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Delivery, Target, TargetAnswer


class TargetViewSet(SnippetViewSet):
    model = Target
    icon = "user"
    menu_label = _("Targets")
    list_display = ["name", "title", "institution", "kind", "territory", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "title", "institution", "territory", "email"]
    search_backend_name = None
    ordering = ["kind", "name"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("title")]),
        FieldRowPanel([FieldPanel("institution"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("territory")]),
        FieldPanel("postal_address"),
        FieldPanel("active"),
    ]


class DeliveryViewSet(SnippetViewSet):
    model = Delivery
    icon = "mail"
    menu_label = _("Deliveries")
    list_display = ["title", "campaign", "status", "signature_count", "sent_at"]
    list_filter = ["campaign", "status"]
    search_fields = ["title"]
    search_backend_name = None
    panels = [
        FieldPanel("campaign"),
        FieldPanel("title"),
        FieldPanel("targets", widget=forms.CheckboxSelectMultiple),
        FieldPanel("message"),
    ]


class TargetAnswerViewSet(SnippetViewSet):
    model = TargetAnswer
    icon = "openquote"
    menu_label = _("Answers")
    list_display = ["target", "campaign", "position", "answered_on", "published"]
    list_filter = ["campaign", "position", "published"]
    search_fields = ["text", "target__name"]
    search_backend_name = None
    panels = [
        FieldRowPanel([FieldPanel("target"), FieldPanel("campaign")]),
        FieldRowPanel([FieldPanel("position"), FieldPanel("answered_on")]),
        FieldPanel("text"),
        FieldPanel("published"),
    ]


class DeliveryGroup(SnippetViewSetGroup):
    menu_label = _("Delivery")
    menu_icon = "mail"
    menu_order = 640
    items = (TargetViewSet, DeliveryViewSet, TargetAnswerViewSet)
