"""Template tags the letter page uses to show the signing form and the counter.

Owned by the signatures work (issue 3); the letter page template only calls them:
``{% signature_panel campaign %}`` and ``{% signature_counter campaign %}``. Both are safe on a
publicly cached page: the form carries a signed form token, not a CSRF cookie, and the counter
reads cached aggregates.
"""

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from signatories import abuse
from signatories.counts import get_counts, progress
from signatories.forms import SignatureForm

register = template.Library()

PRIVACY_SLUGS = ("politique-de-confidentialite", "privacy-policy")


def privacy_url(request=None):
    """URL of the privacy policy page in the current language, or None if there is none yet."""
    language = get_language() or "fr"
    key = f"signatories:privacy-url:{language}"
    url = cache.get(key)
    if url is None:
        from wagtail.models import Locale, Page

        pages = Page.objects.live().filter(slug__in=PRIVACY_SLUGS)
        try:
            locale = Locale.get_active()
        except Locale.DoesNotExist:
            locale = None
        page = (pages.filter(locale=locale).first() if locale else None) or pages.first()
        url = (page.get_url(request=request) or "") if page else ""
        cache.set(key, url, 300)
    return url or None


def form_context(context, campaign, form=None):
    if form is None:
        form = SignatureForm(initial={"form_token": abuse.make_form_token(campaign)})
    return {
        "campaign": campaign,
        "campaign_open": campaign.is_open(),
        "form": form,
        "consent_fields": [
            form["consent_sign"],
            form["consent_public"],
            form["consent_newsletter"],
        ],
        "privacy_url": privacy_url(context.get("request")),
        "LANGUAGE_CODE": get_language(),
    }


@register.simple_tag(takes_context=True)
def signature_panel(context, campaign):
    """The signing form for `campaign` (or a closed notice), with a link to the public list.

    The blank form is the same for every visitor but its token: its HTML is cached for a minute per
    campaign and language, and each render only stamps a fresh form token into it.
    """
    if campaign is None:
        return ""
    key = f"signatories:panel:{campaign.pk}:{campaign.updated_at.timestamp()}:{get_language()}"
    html = cache.get(key)
    if html is None:
        form = SignatureForm()
        html = render_to_string(
            "signatories/_panel.html",
            form_context(context, campaign, form),
            request=context.get("request"),
        )
        cache.set(key, html, 60)
    return mark_safe(html)  # noqa: S308 - rendered by our own template


@register.simple_tag(takes_context=True)
def signature_form(context, campaign, form=None):
    """The bare form, e.g. re-displayed with its errors on the signing page."""
    return render_to_string(
        "signatories/_form.html",
        form_context(context, campaign, form),
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def signature_counter(context, campaign):
    """Total, progress bar towards the goal and milestones, from the cached aggregates."""
    if campaign is None:
        return ""
    return render_to_string(
        "signatories/_counter.html",
        {"campaign": campaign, "progress": progress(get_counts(campaign))},
    )
