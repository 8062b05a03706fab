"""Wagtail admin: browse the imported register (read-only; files are imported, not edited)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from campaigns.permissions import ReadOnlyPermissionPolicy

from .models import RegisterEntry


class ReadOnlyPolicy(ReadOnlyPermissionPolicy):
    """Staff who import may look the register up; only an import changes it."""

    def user_has_permission(self, user, action):
        if action in self.refused:
            return False
        return super().user_has_permission(user, action) or user.has_perm("imports.add_importjob")


class RegisterEntryViewSet(ModelViewSet):
    model = RegisterEntry
    icon = "group"
    menu_label = _("Register of elected officials")
    menu_order = 660
    add_to_admin_menu = True
    list_display = [
        "last_name",
        "first_name",
        "function",
        "commune_name",
        "departement_code",
        "mandate",
        "active",
    ]
    list_filter = ["mandate", "active"]
    search_fields = ["last_name", "first_name", "commune_name", "commune_code", "territory_name"]
    search_backend_name = None
    inspect_view_enabled = True
    ordering = ["normalised_last_name", "normalised_first_name"]
    form_fields = ["last_name"]  # never used: the policy allows no add or change


register_entry_viewset = RegisterEntryViewSet("register_entries")
