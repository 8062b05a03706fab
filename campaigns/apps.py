from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models.campaign import Campaign, CampaignManager

        def forget_campaigns(**kwargs):
            CampaignManager.forget()

        post_save.connect(
            forget_campaigns, sender=Campaign, weak=False, dispatch_uid="campaign_memo_save"
        )
        post_delete.connect(
            forget_campaigns, sender=Campaign, weak=False, dispatch_uid="campaign_memo_delete"
        )
