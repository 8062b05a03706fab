"""Navigation menus: one per location and locale, with orderable items, edited as snippets."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Locale, Orderable, TranslatableMixin


class NavigationMenu(TranslatableMixin, ClusterableModel):
    class Location(models.TextChoices):
        HEADER = "header", _("Header")
        FOOTER = "footer", _("Footer")

    location = models.CharField(_("location"), max_length=16, choices=Location.choices)

    panels = [
        FieldPanel("location"),
        InlinePanel("items", heading=_("Menu items"), label=_("Item")),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("navigation menu")
        verbose_name_plural = _("navigation menus")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "locale"], name="navigation_menu_location_locale"
            ),
        ]

    def __str__(self):
        return f"{self.get_location_display()} ({self.locale})"

    @classmethod
    def for_location(cls, location, locale=None):
        """The menu for `location` in `locale` (active locale by default), else the default locale's."""
        locale = locale or Locale.get_active()
        menus = {menu.locale_id: menu for menu in cls.objects.filter(location=location)}
        if locale.pk in menus:
            return menus[locale.pk]
        default = Locale.get_default()
        return menus.get(default.pk)


class NavigationMenuItem(Orderable):
    menu = ParentalKey(NavigationMenu, on_delete=models.CASCADE, related_name="items")
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.URLField(_("or external address"), blank=True)
    label = models.CharField(
        _("label"), max_length=80, blank=True, help_text=_("Defaults to the page title.")
    )

    panels = [FieldPanel("link_page"), FieldPanel("link_url"), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(link_page__isnull=True, link_url=""),
                name="navigation_item_has_target",
            ),
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if not self.link_page_id and not self.link_url:
            raise ValidationError(_("Choose a page or enter an external address."))

    def resolve(self, request=None):
        """(label, url, page) with the page in the active language when a translation is live."""
        if self.link_page_id:
            page = self.link_page.localized
            if not page.live:
                page = self.link_page
            return self.label or page.title, page.get_url(request), page
        return self.label or self.link_url, self.link_url, None
