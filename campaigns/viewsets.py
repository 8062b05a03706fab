"""Wagtail admin screens for campaigns: a snippet viewset with filters and search."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from campaigns.models import Campaign


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "tasks"
    menu_label = _("Campaigns")
    menu_name = "campaigns"
    menu_order = 200
    add_to_admin_menu = True
    list_display = [
        "title",
        "status",
        "goal",
        Column("letter_count", label=_("Letters"), accessor="letter_count"),
        "opens_at",
        "closes_at",
    ]
    list_filter = {"status": ["exact"], "opens_at": ["gte"], "closes_at": ["lte"]}
    search_fields = ["title", "slug"]
    ordering = ["-created_at"]
    copy_view_enabled = False
    inspect_view_enabled = True

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("status"),
        MultiFieldPanel(
            [FieldPanel("goal"), FieldPanel("milestones")],
            heading=_("Goal"),
        ),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("Calendar")),
    ]

    def get_queryset(self, request):
        return Campaign.objects.annotate(letter_count=Count("letter_pages"))


register_snippet(CampaignViewSet)
