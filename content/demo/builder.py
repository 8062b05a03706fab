"""Builds the demo site. Idempotent: every object is looked up by a stable key first and only
created when missing, so a second run creates and changes nothing."""

import hashlib
import io
import json
import uuid
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site
from wagtail.search import index as search_index

from campaigns.models import Campaign
from content.models import (
    HomePage,
    NavigationMenu,
    NavigationMenuItem,
    NewsIndexPage,
    NewsPage,
    OpenLetterCosigner,
    OpenLetterPage,
    PositionPaperDocument,
    PositionPaperPage,
    SiteSettings,
    StandardPage,
)

from . import legal, letter, pages
from .pdf import build_pdf

CAMPAIGN_SLUG = "bibliotheques-numerique"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "demo-admin-2026"  # noqa: S105 - documented local demo credentials
SHARING_IMAGE_TITLE = "Lettre ouverte – image de partage (démo)"
LETTER_DATE = date(2026, 11, 2)


def stream(blocks):
    """Raw StreamField JSON from (type, value) pairs, with stable ids for idempotent content."""
    return json.dumps(
        [
            {
                "type": kind,
                "value": value,
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{i}:{kind}:{json.dumps(value)}")),
            }
            for i, (kind, value) in enumerate(blocks)
        ]
    )


def plain_paragraphs(blocks):
    """The text of demo blocks as plain paragraphs, for the PDF versions."""
    paragraphs = []
    for kind, value in blocks:
        if kind == "heading":
            paragraphs.append(value["text"].upper())
        elif kind == "quote":
            paragraphs.append(f"« {value['text']} »")
        elif kind == "demands":
            paragraphs.append(value["heading"].upper())
            for number, demand in enumerate(value["demands"], start=1):
                paragraphs.append(f"{number}. {demand['title']} : {strip_tags(demand['text'])}")
        else:
            html = value.replace("</p>", "</p>\n").replace("</li>", "</li>\n")
            paragraphs.extend(
                ("- " if "<li>" in line else "") + strip_tags(line).strip()
                for line in html.split("\n")
                if strip_tags(line).strip()
            )
    return paragraphs


class DemoBuilder:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.created = []
        self.new_pages = []

    def log(self, message):
        self.created.append(message)
        if self.stdout is not None:
            self.stdout.write(f"  created {message}")

    @transaction.atomic
    def build(self):
        self.fr = Locale.objects.get_or_create(language_code="fr")[0]
        self.en = Locale.objects.get_or_create(language_code="en")[0]
        self.ensure_tree_roots()
        self.campaign = self.build_campaign()
        self.image = self.build_sharing_image()
        home_fr, home_en = self.build_home()
        letter_fr = self.add_page(
            home_fr, OpenLetterPage, letter.FR, self.letter_fields(letter.FR), cosigners=True
        )
        letter_en = self.translate(letter_fr, letter.EN, self.letter_fields(letter.EN))
        papers = []
        for paper in pages.PAPERS:
            fields_fr = self.paper_fields(paper["fr"], letter_fr)
            paper_fr = self.add_page(home_fr, PositionPaperPage, paper["fr"], fields_fr)
            paper_en = self.translate(
                paper_fr, paper["en"], self.paper_fields(paper["en"], letter_en)
            )
            papers.append((paper_fr, paper_en))
        news_fr = self.add_page(
            home_fr,
            NewsIndexPage,
            pages.NEWS_INDEX["fr"],
            {"intro": pages.NEWS_INDEX["fr"]["intro"]},
        )
        news_en = self.translate(
            news_fr, pages.NEWS_INDEX["en"], {"intro": pages.NEWS_INDEX["en"]["intro"]}
        )
        for item in pages.NEWS:
            item_fr = self.add_page(news_fr, NewsPage, item["fr"], self.news_fields(item["fr"]))
            self.translate(item_fr, item["en"], self.news_fields(item["en"]))
        legal_fr = self.add_page(
            home_fr, StandardPage, legal.LEGAL["fr"], self.standard_fields(legal.LEGAL["fr"])
        )
        legal_en = self.translate(
            legal_fr, legal.LEGAL["en"], self.standard_fields(legal.LEGAL["en"])
        )
        privacy_fr = self.add_page(
            home_fr, StandardPage, legal.PRIVACY["fr"], self.standard_fields(legal.PRIVACY["fr"])
        )
        privacy_en = self.translate(
            privacy_fr, legal.PRIVACY["en"], self.standard_fields(legal.PRIVACY["en"])
        )
        self.feature_letter(home_fr, letter_fr)
        self.feature_letter(home_en, letter_en)
        self.build_settings(legal_fr, privacy_fr)
        self.build_menu(
            NavigationMenu.Location.HEADER,
            {
                self.fr: [
                    (letter_fr, "La lettre"),
                    (papers[0][0], "Modèle économique"),
                    (papers[1][0], "Coopération"),
                    (news_fr, ""),
                ],
                self.en: [
                    (letter_en, "The letter"),
                    (papers[0][1], "Economic model"),
                    (papers[1][1], "Cooperation"),
                    (news_en, ""),
                ],
            },
        )
        self.build_menu(
            NavigationMenu.Location.FOOTER,
            {
                self.fr: [(legal_fr, ""), (privacy_fr, "")],
                self.en: [(legal_en, ""), (privacy_en, "")],
            },
        )
        self.build_admin()
        # Wagtail indexes pages for search in background tasks; index the demo pages now so
        # search works before the worker has run (the queued tasks are harmless repeats).
        for page in self.new_pages:
            search_index.insert_or_update_object(page)
        return self.created

    def ensure_tree_roots(self):
        """Wagtail's migrations create the root page and root collection; a flushed database
        (e.g. after a transactional test) has neither, so recreate them."""
        if Page.get_first_root_node() is None:
            # The flushed content type table no longer holds the ids Django has cached.
            ContentType.objects.clear_cache()
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        if Page.get_first_root_node() is None:
            Page.add_root(instance=Page(title="Root", slug="root", locale=self.fr, live=True))

    # --- Campaign, image, settings, menus, user ---------------------------------------------

    def build_campaign(self):
        campaign, created = Campaign.objects.get_or_create(
            slug=CAMPAIGN_SLUG,
            defaults={
                "title": "Pour un service public numérique des bibliothèques",
                "status": Campaign.Status.OPEN,
                "goal": 5000,
                "milestones": "500, 1000, 2500, 5000",
                "opens_at": timezone.now(),
            },
        )
        if created:
            self.log(f"campaign {campaign.slug}")
        return campaign

    def build_sharing_image(self):
        Image = get_image_model()
        image = Image.objects.filter(title=SHARING_IMAGE_TITLE).first()
        if image is not None:
            return image
        from PIL import Image as PILImage
        from PIL import ImageDraw

        canvas = PILImage.new("RGB", (1200, 630), "#14233c")
        draw = ImageDraw.Draw(canvas)
        draw.rectangle((0, 560, 1200, 630), fill="#c0392b")
        # An open book: two pages and a spine, drawn without any font.
        draw.polygon([(420, 170), (600, 210), (600, 450), (420, 410)], fill="#f6f1e7")
        draw.polygon([(780, 170), (600, 210), (600, 450), (780, 410)], fill="#fbf8f2")
        for offset in range(0, 160, 30):
            draw.line([(445, 215 + offset), (580, 245 + offset)], fill="#b9b1a2", width=4)
            draw.line([(620, 245 + offset), (755, 215 + offset)], fill="#b9b1a2", width=4)
        buffer = io.BytesIO()
        canvas.save(buffer, format="PNG")
        image = Image(title=SHARING_IMAGE_TITLE)
        image.file = ImageFile(buffer, name="lettre-ouverte-partage.png")
        image.save()
        self.log("sharing image")
        return image

    def build_document(self, title, slug, blocks, preface=""):
        """A PDF of a demo text, created once (looked up by title)."""
        Document = get_document_model()
        document = Document.objects.filter(title=title).first()
        if document is None:
            paragraphs = [line for line in preface.splitlines() if line.strip()] + plain_paragraphs(
                blocks
            )
            data = build_pdf(title, paragraphs)
            document = Document(
                title=title,
                file_size=len(data),
                file_hash=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
            )
            document.file = ContentFile(data, name=f"{slug}.pdf")
            document.save()
            self.log(f"document {slug}.pdf")
        return document

    def build_settings(self, legal_page, privacy_page):
        site = Site.objects.get(is_default_site=True)
        settings, _ = SiteSettings.objects.get_or_create(site=site)
        wanted = {
            "organisation_name": "Lettre ouverte des bibliothèques",
            "tagline": "Pour un service public numérique des bibliothèques",
            "contact_email": "contact@example.org",
            "mastodon_url": "https://mastodon.example.org/@bibliotheques",
            "default_sharing_image": self.image,
            "privacy_page": privacy_page,
            "legal_page": legal_page,
            "is_demo": True,
        }
        changed = [name for name, value in wanted.items() if not getattr(settings, name)]
        for name in changed:
            setattr(settings, name, wanted[name])
        if changed:
            settings.save()
            self.log("site settings")

    def build_menu(self, location, items_by_locale):
        source = None
        for locale, items in items_by_locale.items():
            menu = NavigationMenu.objects.filter(location=location, locale=locale).first()
            if menu is None:
                menu = NavigationMenu(location=location, locale=locale)
                if source is not None:
                    menu.translation_key = source.translation_key
                menu.items = [
                    NavigationMenuItem(link_page=page, label=label, sort_order=i)
                    for i, (page, label) in enumerate(items)
                ]
                menu.save()
                self.log(f"{location} menu ({locale.language_code})")
            source = source or menu

    def build_admin(self):
        User = get_user_model()
        if not User.objects.filter(username=ADMIN_USERNAME).exists():
            User.objects.create_superuser(ADMIN_USERNAME, "admin@example.org", ADMIN_PASSWORD)
            self.log(f"superuser {ADMIN_USERNAME}")

    # --- Pages ------------------------------------------------------------------------------

    def build_home(self):
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        root = Page.get_first_root_node()
        home_fr = HomePage.objects.filter(locale=self.fr, depth=2).first()
        data = pages.HOME["fr"]
        if home_fr is None:
            home_fr = HomePage(locale=self.fr, **self.base_fields(data), **self.home_fields(data))
            root.add_child(instance=home_fr)
            home_fr.save_revision().publish()
            self.new_pages.append(home_fr)
            self.log("home page (fr)")
        if site is None:
            site = Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home_fr,
                is_default_site=True,
                site_name="Lettre ouverte des bibliothèques",
            )
            self.log("site")
        elif site.root_page_id != home_fr.pk:
            previous = site.root_page
            site.root_page = home_fr
            site.site_name = site.site_name or "Lettre ouverte des bibliothèques"
            site.save()
            # Wagtail's "Welcome to your new Wagtail site!" page is replaced by the home page.
            if type(previous.specific) is Page and previous.is_leaf():
                previous.delete()
            self.log("site root")
        home_en = self.translate(home_fr, pages.HOME["en"], self.home_fields(pages.HOME["en"]))
        return home_fr, home_en

    def base_fields(self, data):
        return {
            "title": data["title"],
            "slug": data["slug"],
            "search_description": data.get("seo_description", ""),
        }

    def home_fields(self, data):
        return {
            "hero_kicker": data["hero_kicker"],
            "intro": data["intro"],
            "call_to_action": data["call_to_action"],
        }

    def letter_fields(self, data):
        return {
            "campaign": self.campaign,
            "letter_date": LETTER_DATE,
            "intro": data["intro"],
            "addressees": data["addressees"],
            "closing": data["closing"],
            "body": stream(data["body"]),
            "social_image": self.image,
            "document": self.build_document(
                data["title"], data["slug"], data["body"], data["addressees"]
            ),
        }

    def paper_fields(self, data, related_letter):
        document = self.build_document(data["title"], data["slug"], data["body"], data["summary"])
        return {
            "attachments": [PositionPaperDocument(document=document, sort_order=0)],
            "date": date(2026, 10, 20),
            "authors": data["authors"],
            "summary": data["summary"],
            "body": stream(data["body"]),
            "related_letter": related_letter,
        }

    def news_fields(self, data):
        return {"date": LETTER_DATE, "intro": data["intro"], "body": stream(data["body"])}

    def standard_fields(self, data):
        return {"intro": data["intro"], "body": stream(data["body"])}

    def add_page(self, parent, model, data, fields, cosigners=False):
        existing = parent.get_children().filter(slug=data["slug"]).first()
        if existing is not None:
            return existing.specific
        page = model(locale=parent.locale, **self.base_fields(data), **fields)
        if cosigners:
            page.cosigners = [
                OpenLetterCosigner(sort_order=i, **c) for i, c in enumerate(letter.COSIGNERS)
            ]
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.new_pages.append(page)
        self.log(f"{model._meta.model_name} {data['slug']} ({parent.locale.language_code})")
        return page

    def translate(self, source, data, fields):
        """The English translation of `source`: same translation key, under the translated parent.

        Built directly rather than with copy_for_translation() so the English slug is right from
        the start (renaming a copied page would leave redirects behind).
        """
        existing = source.get_translation_or_none(self.en)
        if existing is not None:
            return existing.specific
        parent = source.get_parent()
        parent = parent if parent.is_root() else parent.get_translation(self.en)
        model = type(source)
        page = model(
            locale=self.en,
            translation_key=source.translation_key,
            **self.base_fields(data),
            **fields,
        )
        if isinstance(source, OpenLetterPage):
            page.cosigners = [
                OpenLetterCosigner(
                    sort_order=c.sort_order, name=c.name, acronym=c.acronym, url=c.url
                )
                for c in source.cosigners.all()
            ]
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.new_pages.append(page)
        self.log(f"{model._meta.model_name} {data['slug']} (en)")
        return page

    def feature_letter(self, home, letter_page):
        home.refresh_from_db()  # children were added since: keep the tree's child count right
        if home.featured_letter_id is None:
            home.featured_letter = letter_page
            home.save_revision().publish()
