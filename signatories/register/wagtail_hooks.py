"""Wagtail admin: the read-only register browser."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import RegisterEntry
from .viewsets import ReadOnlyPolicy, register_entry_viewset

register_permission_policy(RegisterEntry, ReadOnlyPolicy(RegisterEntry))


@hooks.register("register_admin_viewset")
def register_viewset():
    return register_entry_viewset
