"""Wagtail admin viewsets: signatures (read-mostly), organisations, and the moderation screens,
grouped under a "Signatures" menu."""

import django_filters
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from campaigns.models import Campaign
from campaigns.permissions import ReadOnlyPermissionPolicy
from signatories.models import Departement, Organisation, Signature

from . import views


def menu_item_requiring(permission):
    """A menu item class shown only to users holding `permission`."""

    class PermissionMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(permission)

    return PermissionMenuItem


# Staff may view signatures; nobody edits, creates or deletes them in the admin. What a signer
# declared is theirs; status changes go through the moderation services and the state machine.
register_permission_policy(Signature, ReadOnlyPermissionPolicy(Signature))


class SignatureFilterSet(WagtailFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.order_by("-created_at")
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Signature.Category.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Signature.Status.choices)
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"), queryset=Departement.objects.all()
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Signature.Source.choices)
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Signed between"), widget=DateRangePickerWidget
    )
    email_domain = django_filters.CharFilter(
        label=capfirst(_("Email domain")), lookup_expr="iexact"
    )
    ip_hash = django_filters.CharFilter(label=capfirst(_("IP hash")), lookup_expr="exact")

    class Meta:
        model = Signature
        fields = [
            "campaign",
            "category",
            "status",
            "departement",
            "source",
            "created_at",
            "email_domain",
            "ip_hash",
        ]


class SignatureIndexView(ModelViewSet.index_view_class):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("campaign", "departement")


class SignatureInspectView(ModelViewSet.inspect_view_class):
    template_name = "moderation/signature_inspect.html"

    def get_object(self, queryset=None):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(
            Signature.objects.select_related(
                "campaign", "signatory", "departement", "organisation", "verified_by"
            ),
            pk=self.pk,
        )

    def get_context_data(self, **kwargs):
        from .services import can_bulk_invalidate, can_moderate

        context = super().get_context_data(**kwargs)
        signature = self.object
        user = self.request.user
        context.update(views.signature_action_context(signature, user))
        context["events"] = signature.moderation_events.select_related("actor", "bulk")
        context["can_moderate"] = can_moderate(user)
        context["can_bulk_invalidate"] = can_bulk_invalidate(user)
        return context


class SignatureViewSet(ModelViewSet):
    model = Signature
    icon = "form"
    menu_label = _("All signatures")
    menu_order = 100
    add_to_admin_menu = False
    inspect_view_enabled = True
    inspect_view_class = SignatureInspectView
    index_view_class = SignatureIndexView
    copy_view_enabled = False
    filterset_class = SignatureFilterSet
    search_fields = [
        "first_name",
        "last_name",
        "organisation_name",
        "title",
        "commune",
        "signatory__email",
    ]
    search_backend_name = None
    list_per_page = 50
    ordering = ["-created_at"]
    list_display = [
        TitleColumn(
            "__str__",
            label=_("Name"),
            get_url=lambda obj: views.inspect_url(obj),
        ),
        Column("organisation_name", label=_("Organisation")),
        Column("category", label=_("Category"), accessor="get_category_display"),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        Column("departement", label=_("Département"), accessor="departement"),
        Column("campaign", label=_("Campaign")),
        DateColumn("created_at", label=_("Signed at"), sort_key="created_at"),
    ]

    def get_urlpatterns(self):
        # Listing and detail only: what a signer declared is not edited in the admin.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.filter(
            content_type__app_label="signatories", codename="view_signature"
        )


class OrganisationFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Organisation.Kind.choices)
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"), queryset=Departement.objects.all()
    )
    has_domains = django_filters.BooleanFilter(
        label=_("Has official email domains"), method="filter_has_domains"
    )

    class Meta:
        model = Organisation
        fields = ["kind", "departement"]

    def filter_has_domains(self, queryset, name, value):
        if value is None:
            return queryset
        empty = Q(email_domains="")
        return queryset.exclude(empty) if value else queryset.filter(empty)


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 500
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = OrganisationFilterSet
    search_fields = ["name", "insee_code", "siren", "email_domains"]
    search_backend_name = None
    form_fields = ["name", "kind", "insee_code", "siren", "departement", "email_domains"]
    list_display = [
        "name",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        "insee_code",
        "siren",
        "departement",
        Column(
            "email_domains",
            label=_("Official email domains"),
            accessor=lambda org: ", ".join(sorted(org.official_domains())),
        ),
    ]

    def get_form_class(self, for_update=False):
        from .forms import OrganisationForm

        return OrganisationForm


class ModerationViewSet(ViewSet):
    """The moderation screens: queue of officials, flagged queue, bulk invalidations."""

    name = "moderation"
    icon = "tasks"
    menu_label = _("Moderation queue")
    menu_order = 200
    url_prefix = "signatures/moderation"

    def get_urlpatterns(self):
        return [
            path("", views.ModerationQueueView.as_view(), name="queue"),
            path("flagged/", views.FlaggedQueueView.as_view(), name="flagged"),
            path("signature/<int:pk>/act/", views.SignatureActionView.as_view(), name="act_one"),
            path("invalidations/", views.BulkInvalidationListView.as_view(), name="invalidations"),
            path(
                "invalidations/new/",
                views.BulkInvalidationCreateView.as_view(),
                name="invalidate",
            ),
            path(
                "invalidations/<int:pk>/undo/",
                views.BulkInvalidationUndoView.as_view(),
                name="undo",
            ),
            path("events/", views.ModerationEventListView.as_view(), name="events"),
        ]

    @property
    def menu_url(self):
        from django.urls import reverse

        return reverse(self.get_url_name("queue"))

    menu_item_class = menu_item_requiring("moderation.moderate_signature")


class FlaggedViewSet(ViewSet):
    """Only a menu entry: the flagged queue lives in ModerationViewSet's URLs."""

    name = "moderation_flagged"
    icon = "warning"
    menu_label = _("Flagged signatures")
    menu_order = 300

    @property
    def menu_url(self):
        from django.urls import reverse

        return reverse("moderation:flagged")

    menu_item_class = menu_item_requiring("moderation.moderate_signature")


class InvalidationsViewSet(ViewSet):
    name = "moderation_invalidations"
    icon = "cross"
    menu_label = _("Bulk invalidations")
    menu_order = 400

    @property
    def menu_url(self):
        from django.urls import reverse

        return reverse("moderation:invalidations")

    menu_item_class = menu_item_requiring("moderation.bulk_invalidate_signature")


class AuditTrailViewSet(ViewSet):
    name = "moderation_events"
    icon = "history"
    menu_label = _("Audit trail")
    menu_order = 450
    menu_item_class = menu_item_requiring("moderation.moderate_signature")

    @property
    def menu_url(self):
        from django.urls import reverse

        return reverse("moderation:events")


class SignaturesGroup(ViewSetGroup):
    menu_label = _("Signatures")
    menu_icon = "form"
    menu_order = 250
    # Other apps can add entries to this submenu with @hooks.register(submenu_hook).
    submenu_hook = "register_signatures_menu_item"
    items = (
        SignatureViewSet("signatures"),
        ModerationViewSet(),
        FlaggedViewSet(),
        InvalidationsViewSet(),
        AuditTrailViewSet(),
        OrganisationViewSet("organisations"),
    )
