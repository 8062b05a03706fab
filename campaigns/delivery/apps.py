"""The delivery app; it registers the targets' resource with the import engine."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "campaigns.delivery"
    label = "delivery"
    verbose_name = _("Delivery to decision makers")

    def ready(self):
        from signatories.imports import registry

        from .resources import TargetResource

        registry.register("targets", TargetResource)
