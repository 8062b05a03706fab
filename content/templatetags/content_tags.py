"""Template tags for the public site: navigation, language switcher, sharing metadata."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Locale, Page, Site

from content.models import NavigationMenu, SiteSettings

register = template.Library()


def _site_settings(request):
    if request is None or Site.find_for_request(request) is None:
        return None
    return SiteSettings.for_request(request)


@register.simple_tag(takes_context=True)
def navigation(context, location):
    """Menu items for `location` in the active language: dicts with label, url, current."""
    request = context.get("request")
    menu = NavigationMenu.for_location(location)
    if menu is None:
        return []
    current = context.get("page")
    if not isinstance(current, Page):
        current = None  # a view's own "page" (e.g. a paginator's) is not a place in the menu
    items = []
    for item in menu.items.select_related("link_page").all():
        label, url, page = item.resolve(request)
        is_current = bool(page and current and (page.pk == current.pk))
        in_section = bool(
            page
            and current
            and not is_current
            and page.depth > 2
            and current.path.startswith(page.path)
        )
        items.append({"label": label, "url": url, "current": is_current, "in_section": in_section})
    return items


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per site language: the page's translation when live, else that language's home."""
    request = context.get("request")
    page = context.get("page")
    active = translation.get_language()
    translations = {}
    if isinstance(page, Page) and page.pk:
        for other in page.get_translations(inclusive=True).live().public().select_related("locale"):
            translations[other.locale.language_code] = other
    site = Site.find_for_request(request) if request is not None else None
    links = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            local_name = translation.gettext(name)
        target = translations.get(code)
        exact = target is not None
        if target is not None:
            url = target.get_url(request)
        elif page is None and request is not None:
            url = translate_url(request.get_full_path(), code)
            exact = True
        else:
            url = _home_url(site, code, request)
        links.append(
            {
                "code": code,
                "name": local_name,
                "url": url,
                "current": code == active,
                "exact": exact,
            }
        )
    return links


def _home_url(site, code, request):
    if site is None:
        return f"/{code}/"
    try:
        locale = Locale.objects.get(language_code=code)
    except Locale.DoesNotExist:
        return f"/{code}/"
    home = site.root_page.get_translation_or_none(locale)
    if home is not None and home.live:
        return home.get_url(request)
    return f"/{code}/"


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """hreflang alternates for a page: each live translation, plus x-default (French)."""
    request = context.get("request")
    page = context.get("page")
    if not isinstance(page, Page) or not page.pk:
        return []
    links = [
        {"hreflang": other.locale.language_code, "url": other.get_full_url(request)}
        for other in page.get_translations(inclusive=True).live().public().select_related("locale")
    ]
    if len(links) < 2:
        return []
    default = next((link for link in links if link["hreflang"] == settings.LANGUAGE_CODE), None)
    if default:
        links.append({"hreflang": "x-default", "url": default["url"]})
    return links


@register.simple_tag(takes_context=True)
def sharing_image(context):
    """The image for OpenGraph/Twitter cards: the page's own, else the site's default."""
    page = context.get("page")
    image = None
    if page is not None and hasattr(page, "get_sharing_image"):
        image = page.get_sharing_image()
    if image is None:
        site_settings = _site_settings(context.get("request"))
        image = site_settings.default_sharing_image if site_settings else None
    return image


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    request = context.get("request")
    if not url or url.startswith(("http://", "https://")):
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    return settings.SITE_URL + url


@register.simple_tag(takes_context=True)
def home_url(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    return _home_url(site, translation.get_language(), request)


@register.simple_tag
def localized_page(page):
    """The page in the active language when a live translation exists."""
    if page is None:
        return None
    localized = page.specific.localized
    return localized if localized.live else page


@register.filter
def og_locale(language_code):
    return {"fr": "fr_FR", "en": "en_GB"}.get(language_code, language_code)


@register.simple_tag(takes_context=True)
def site_display_name(context):
    """The organisation's name from site settings, else the Wagtail site's name; "" without a site."""
    request = context.get("request")
    site_settings = _site_settings(request) if request else None
    name = getattr(site_settings, "organisation_name", "") if site_settings else ""
    if not name and request is not None:
        site = Site.find_for_request(request)
        name = site.site_name if site else ""
    return name or settings.WAGTAIL_SITE_NAME
