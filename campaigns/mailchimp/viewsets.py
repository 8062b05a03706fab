"""Wagtail admin: Mailchimp audiences (per-campaign connection), sync status per supporter with
the dead-letter list, and the per-audience summary with its actions. Grouped under "Mailchimp"."""

import django_filters
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import HeaderButton
from wagtail.permissions import register_permission_policy

from campaigns.permissions import ReadOnlyPermissionPolicy

from . import admin_views, services
from .models import AudienceConnection, OutboxEntry


class ConnectionCreateView(ModelViewSet.add_view_class):
    def save_instance(self):
        instance = super().save_instance()
        services.connect(instance)
        return instance


class ConnectionIndexView(ModelViewSet.index_view_class):
    def get_queryset(self):
        return super().get_queryset().select_related("campaign")


class SummaryColumn(Column):
    def get_value(self, instance):
        url = reverse("mailchimp_audience:summary", args=[instance.pk])
        label = _("Paused") if instance.is_paused else _("Sync status")
        return format_html('<a href="{}">{}</a>', url, label)


class AudienceConnectionViewSet(ModelViewSet):
    model = AudienceConnection
    name = "mailchimp_audience"
    icon = "mail"
    menu_label = _("Audiences")
    add_view_class = ConnectionCreateView
    index_view_class = ConnectionIndexView
    list_display = [
        "campaign",
        "list_id",
        "opt_in",
        DateColumn("last_reconciled_at", label=_("Last reconcile")),
        SummaryColumn("summary", label=_("Sync")),
    ]
    search_fields = ["list_id", "campaign__title"]
    search_backend_name = None
    panels = [
        FieldRowPanel([FieldPanel("campaign"), FieldPanel("list_id")]),
        FieldRowPanel([FieldPanel("opt_in"), FieldPanel("on_withdrawal")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("tag_campaign"), FieldPanel("tag_verified")]),
                FieldRowPanel(
                    [
                        FieldPanel("tag_authority"),
                        FieldPanel("tag_elected"),
                        FieldPanel("tag_professional"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("tag_organisation"),
                        FieldPanel("tag_individual"),
                        FieldPanel("tag_departement_prefix"),
                    ]
                ),
            ],
            heading=_("Tags"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("merge_first_name"),
                        FieldPanel("merge_last_name"),
                        FieldPanel("merge_organisation"),
                    ]
                ),
                FieldRowPanel([FieldPanel("merge_title"), FieldPanel("merge_departement")]),
            ],
            heading=_("Merge fields"),
            help_text=_(
                "The Mailchimp merge tag that receives each value; leave empty to not send it."
            ),
        ),
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/summary/", admin_views.summary, name="summary"),
            path("<int:pk>/action/", admin_views.audience_action, name="action"),
        ]


# Sync rows are written by the sync only; staff view them and retry them (a "change").
register_permission_policy(
    OutboxEntry, ReadOnlyPermissionPolicy(OutboxEntry, refused={"add", "delete"})
)


class OutboxFilterSet(WagtailFilterSet):
    connection = django_filters.ModelChoiceFilter(
        label=_("Audience"), queryset=AudienceConnection.objects.select_related("campaign")
    )
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=OutboxEntry.State.choices)
    member_status = django_filters.ChoiceFilter(
        label=_("Status in Mailchimp"), choices=OutboxEntry.MemberStatus.choices
    )

    class Meta:
        model = OutboxEntry
        fields = ["connection", "state", "member_status"]


class SupporterColumn(Column):
    def get_value(self, instance):
        if instance.signatory_id is None:
            return _("Erased supporter")
        return instance.mailchimp_email or instance.signatory.email


class RetryColumn(Column):
    cell_template_name = "mailchimp/admin/retry_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["can_retry"] = instance.state in (OutboxEntry.State.FAILED, OutboxEntry.State.DEAD)
        context["retry_url"] = reverse("mailchimp_outbox:retry", args=[instance.pk])
        return context


class OutboxIndexView(ModelViewSet.index_view_class):
    def get_queryset(self):
        return super().get_queryset().select_related("signatory", "connection__campaign")

    @property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Failed and dead-letter"),
                url=reverse("mailchimp_outbox:index") + "?state=failed&state=dead",
                icon_name="warning",
            )
        ]


class OutboxEntryViewSet(ModelViewSet):
    model = OutboxEntry
    name = "mailchimp_outbox"
    icon = "list-ul"
    menu_label = _("Sync status")
    index_view_class = OutboxIndexView
    filterset_class = OutboxFilterSet
    list_display = [
        SupporterColumn("supporter", label=_("Supporter")),
        "connection",
        "state",
        "member_status",
        "attempts",
        Column("last_error", label=_("Last error")),
        DateColumn("updated_at", label=_("Updated")),
        RetryColumn("retry", label=_("Retry")),
    ]
    search_fields = ["signatory__email", "mailchimp_email", "subscriber_hash"]
    search_backend_name = None
    form_fields = []
    ordering = ["-updated_at"]

    def get_urlpatterns(self):
        # Read-only listing; the only write is "retry".
        keep = {"index", "index_results"}
        patterns = [p for p in super().get_urlpatterns() if p.name in keep]
        return patterns + [path("<int:pk>/retry/", admin_views.retry_entry, name="retry")]


class MailchimpGroup(ModelViewSetGroup):
    menu_label = _("Mailchimp")
    menu_icon = "mail"
    menu_order = 310
    items = (AudienceConnectionViewSet, OutboxEntryViewSet)
