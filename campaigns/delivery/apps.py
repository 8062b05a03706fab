from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "campaigns.delivery"
    label = "delivery"
    verbose_name = _("Delivery to decision makers")
