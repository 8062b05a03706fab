from django.db import models


class BaselineRow(models.Model):
    """One row per baseline request: the cheapest insert Django can do through a view."""

    email = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "benchapp"

    def __str__(self):
        return self.email
