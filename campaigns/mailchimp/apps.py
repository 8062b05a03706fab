from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailchimpConfig(AppConfig):
    name = "campaigns.mailchimp"
    label = "mailchimp"
    verbose_name = _("Mailchimp sync")

    def ready(self):
        from . import receivers  # noqa: F401  (connects to signatories.signals)
