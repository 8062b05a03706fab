"""Wagtail admin: imports and exports menu, URLs and permissions."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import urls


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("imports/", include((urls.urlpatterns, "imports_admin"), namespace="imports_admin"))
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def _menu():
    return Menu(
        items=[
            PermissionMenuItem(
                _("Imports"),
                reverse("imports_admin:index"),
                icon_name="upload",
                order=100,
                permission="imports.add_importjob",
            ),
            PermissionMenuItem(
                _("Export"),
                reverse("imports_admin:export"),
                icon_name="download",
                order=200,
                permission="imports.export_personal_data",
            ),
            PermissionMenuItem(
                _("Export log"),
                reverse("imports_admin:export_log"),
                icon_name="list-ul",
                order=300,
                permission="imports.export_personal_data",
            ),
        ]
    )


class ImportsSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return any(item.is_shown(request) for item in self.menu.menu_items_for_request(request))


@hooks.register("register_admin_menu_item")
def register_imports_menu():
    return ImportsSubmenu(_("Imports and exports"), _menu(), icon_name="table", order=650)


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(
        content_type__app_label="imports",
        codename__in=["add_importjob", "view_importjob", "export_personal_data"],
    )
