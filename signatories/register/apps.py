"""The register app; it registers the register's resource with the import engine."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "signatories.register"
    label = "register"
    verbose_name = _("Register of elected officials")

    def ready(self):
        from signatories.imports import registry

        from .resources import RegisterEntryResource

        registry.register("register", RegisterEntryResource)
