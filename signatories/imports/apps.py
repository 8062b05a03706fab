"""The imports app; it registers the signatories app's resources with the import engine."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "signatories.imports"
    label = "imports"
    verbose_name = _("Imports and exports")

    def ready(self):
        from . import registry
        from .resources import OrganisationResource, SignatoryResource, SignatureResource

        registry.register("signatures", SignatureResource)
        registry.register("signatories", SignatoryResource)
        registry.register("organisations", OrganisationResource)
