"""Page types of the public site: home, open letter, position paper, news, standard pages."""

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail_newsletter.models import NewsletterPageMixin

from content.blocks import BaseStreamBlock, LetterStreamBlock
from content.caching import PublicCacheMixin

NEWS_PAGE_SIZE = 10


class BasePage(Page):
    """Fields and helpers every public page shares (sharing image, description, translations)."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("sharing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the page is shared on social networks (1200×630 works best)."),
    )

    promote_panels = [
        *Page.promote_panels,
        FieldPanel("social_image"),
    ]

    class Meta:
        abstract = True

    #: Name of the plain-text field used as a fallback meta description.
    description_field = "intro"

    def get_meta_description(self):
        if self.search_description:
            return self.search_description
        value = getattr(self, self.description_field, "") or ""
        return Truncator(strip_tags(str(value)).strip()).chars(200)

    def get_sharing_image(self):
        return self.social_image

    def live_translations(self):
        """Live translations of this page in other locales, for hreflang links and the switcher."""
        return self.get_translations().live().public().select_related("locale")

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        alternates = [
            {"location": page.get_full_url(request), "lang_code": page.locale.language_code}
            for page in self.get_translations(inclusive=True)
            .live()
            .public()
            .select_related("locale")
        ]
        if len(alternates) > 1:
            for url in urls:
                url["alternates"] = alternates
        return urls


class HomePage(PublicCacheMixin, BasePage):
    hero_kicker = models.CharField(_("kicker"), max_length=120, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    featured_letter = models.ForeignKey(
        "content.OpenLetterPage",
        verbose_name=_("featured open letter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    call_to_action = models.CharField(
        _("call to action label"), max_length=80, blank=True, help_text=_("e.g. “Sign the letter”")
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_kicker"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("featured_letter"), FieldPanel("call_to_action")],
            heading=_("Featured letter"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "content.OpenLetterPage",
        "content.PositionPaperPage",
        "content.NewsIndexPage",
        "content.StandardPage",
    ]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_featured_letter(self):
        letter = self.featured_letter
        if letter is None:
            letter = OpenLetterPage.objects.live().public().descendant_of(self).first()
        if letter is None:
            return None
        letter = letter.localized
        return letter if letter.live else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["letter"] = self.get_featured_letter()
        context["position_papers"] = (
            PositionPaperPage.objects.live().public().descendant_of(self).order_by("-date")[:6]
        )
        context["latest_news"] = (
            NewsPage.objects.live().public().descendant_of(self).order_by("-date")[:3]
        )
        return context


class OpenLetterCosigner(Orderable):
    page = ParentalKey("content.OpenLetterPage", on_delete=models.CASCADE, related_name="cosigners")
    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    url = models.URLField(_("website"), blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("acronym")]), FieldPanel("url")]

    class Meta(Orderable.Meta):
        verbose_name = _("co-signing organisation")
        verbose_name_plural = _("co-signing organisations")

    def __str__(self):
        return self.name


class OpenLetterPage(PublicCacheMixin, RoutablePageMixin, BasePage):
    """The open letter: its text, addressees, co-signers and the campaign collecting signatures."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letter_pages",
        help_text=_("The signature campaign attached to this letter."),
    )
    letter_date = models.DateField(_("date of the letter"), default=timezone.localdate)
    intro = models.TextField(
        _("summary"), blank=True, help_text=_("A short standfirst above the letter.")
    )
    addressees = models.TextField(
        _("addressees"),
        help_text=_("One addressee per line, e.g. “Madame la ministre de la Culture”."),
    )
    body = StreamField(LetterStreamBlock(), verbose_name=_("letter"))
    closing = models.TextField(
        _("signature line"), blank=True, help_text=_("e.g. the signing associations.")
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("PDF version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("campaign"),
        FieldRowPanel([FieldPanel("letter_date"), FieldPanel("document")]),
        FieldPanel("intro"),
        FieldPanel("addressees"),
        FieldPanel("body"),
        FieldPanel("closing"),
        InlinePanel("cosigners", heading=_("Co-signing organisations"), label=_("Organisation")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("addressees"),
        index.SearchField("body"),
        index.SearchField("closing"),
        index.FilterField("letter_date"),
    ]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.PositionPaperPage"]

    class Meta:
        verbose_name = _("open letter")
        verbose_name_plural = _("open letters")

    def addressee_list(self):
        return [line.strip() for line in self.addressees.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        papers = PositionPaperPage.objects.none()
        if self.pk:  # a preview of a letter not saved yet has none
            papers = (
                PositionPaperPage.objects.live()
                .public()
                .filter(related_letter=self)
                .order_by("-date")
            )
        context["position_papers"] = papers
        return context

    @path("")
    def letter(self, request):
        return self.render(request)

    @path("print/")
    def print_view(self, request):
        return self.render(request, template="content/open_letter_page_print.html")


class PositionPaperDocument(Orderable):
    page = ParentalKey(
        "content.PositionPaperPage", on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Defaults to the document title.")
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")

    @property
    def display_title(self):
        return self.title or self.document.title


class PositionPaperPage(PublicCacheMixin, BasePage):
    date = models.DateField(_("date"), default=timezone.localdate)
    authors = models.CharField(_("authors"), max_length=255, blank=True)
    summary = models.TextField(_("summary"))
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))
    related_letter = models.ForeignKey(
        "content.OpenLetterPage",
        verbose_name=_("related open letter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("authors")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("related_letter"),
        InlinePanel("attachments", heading=_("Attached documents"), label=_("Document")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("authors"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["content.HomePage", "content.OpenLetterPage"]
    subpage_types = []
    description_field = "summary"

    class Meta:
        verbose_name = _("position paper")
        verbose_name_plural = _("position papers")

    def get_related_letter(self):
        letter = self.related_letter
        if letter is None:
            return None
        letter = letter.localized
        return letter if letter.live else None


class NewsIndexPage(PublicCacheMixin, BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def get_news(self):
        return NewsPage.objects.live().public().child_of(self).order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = Paginator(self.get_news(), NEWS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return context


class NewsPage(NewsletterPageMixin, PublicCacheMixin, BasePage):
    """A news item. Kept a plain Page subclass: the newsletter integration extends it."""

    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("image")]),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["content.NewsIndexPage"]
    subpage_types = []
    # Sent as a Mailchimp campaign from the "Newsletter" tab (campaigns.mailchimp.newsletter).
    newsletter_template = "mailchimp/newsletter/news_page.html"

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    def get_sharing_image(self):
        return self.social_image or self.image


class StandardPage(PublicCacheMixin, BasePage):
    """Plain pages: legal notice, privacy policy, about."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")
