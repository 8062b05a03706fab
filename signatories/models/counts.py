from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["SignatureCount"]


class SignatureCount(models.Model):
    """Counted signatures per campaign, category and département, rebuilt by a periodic task.

    Pages and the JSON endpoint read these (through the cache), never the signatures table: no hot
    row is updated per signature.
    """

    wagtail_reference_index_ignore = True

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="signature_counts"
    )
    category = models.CharField(_("category"), max_length=16)
    departement = models.ForeignKey(
        "signatories.Departement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(_("count"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("signature count")
        verbose_name_plural = _("signature counts")
        indexes = [models.Index(fields=["campaign", "category"])]

    def __str__(self):
        return f"{self.campaign_id} {self.category} {self.departement_id}: {self.count}"
