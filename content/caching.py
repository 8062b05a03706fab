"""HTTP caching for public pages.

Public content is cacheable by browsers and shared caches (max-age from settings, with
stale-while-revalidate and stale-if-error so a slow or failing origin still serves readers).
Previews, editors and anything that set a cookie are private and never stored.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PRIVATE = {"private": True, "no_store": True}


def public_directives():
    max_age = settings.PUBLIC_CACHE_MAX_AGE
    return {
        "public": True,
        "max_age": max_age,
        "stale_while_revalidate": getattr(
            settings, "PUBLIC_CACHE_STALE_WHILE_REVALIDATE", max_age * 5
        ),
        "stale_if_error": getattr(settings, "PUBLIC_CACHE_STALE_IF_ERROR", 86400),
    }


def mark_private(response):
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, **PRIVATE)
    return response


def _finalise(request, response):
    # Runs after the template rendered: a template tag that asked for a CSRF token or touched
    # the session makes the response personal, so it must not be shared.
    if (
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or response.cookies
        or response.status_code != 200
    ):
        return mark_private(response)
    if "Cache-Control" in response:
        del response["Cache-Control"]
    patch_cache_control(response, **public_directives())
    return response


def apply_public_cache(request, response, *, private=False):
    """Set Cache-Control on a response served to the public (or private for editors/previews)."""
    user = getattr(request, "user", None)
    if private or (user is not None and user.is_authenticated):
        patch_vary_headers(response, ("Cookie",))
        return mark_private(response)
    if hasattr(response, "add_post_render_callback") and not response.is_rendered:
        response.add_post_render_callback(lambda r: _finalise(request, r))
        return response
    return _finalise(request, response)


class PublicCacheMixin:
    """Page mixin: public Cache-Control on live pages, private on previews and restricted pages."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        restricted = self.get_view_restrictions().exists()
        if not restricted:
            mark_page_cacheable(response)
        return apply_public_cache(request, response, private=restricted)

    def serve_preview(self, request, mode_name):
        response = super().serve_preview(request, mode_name)
        return mark_private(response)


# --- Server-side page cache ---------------------------------------------------------------------
#
# Rendering the letter page is costly (bench/README.md); while signatures pour in, the page must
# not compete with them. Live public pages (PublicCacheMixin) are kept rendered in the
# cache for PAGE_CACHE_SECONDS and served to visitors without cookies (people with a session,
# editors, or a pending message get a fresh render). Publishing, unpublishing or saving anything
# a page shows moves the cache to a new generation, so editors' changes show at once; the counter
# follows the periodic count refresh (signatories.counts).

PAGE_CACHE_PREFIX = "pagecache"
GENERATION_KEY = f"{PAGE_CACHE_PREFIX}:generation"


def mark_page_cacheable(response):
    response.page_cacheable = True
    return response


def invalidate_pages():
    """Start a new generation: every page kept so far is rendered again on its next view."""
    from django.core.cache import cache

    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def _storable(response):
    if not getattr(response, "page_cacheable", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    if "public" not in cache_control or "private" in cache_control:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= {"cookie"}  # only cookie-less visitors are served from the cache


def page_key(request):
    """The cache key of a page: its host and path, and the static files' manifest, so that a
    deploy with new hashed CSS or JS never serves pages that point at the old files."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest = getattr(staticfiles_storage, "manifest_hash", "") or ""
    url = f"{request.get_host()}{request.path}".encode("utf-8", "replace")
    return f"{PAGE_CACHE_PREFIX}:page:{manifest}:{hashlib.sha256(url).hexdigest()}"


class PageCacheMiddleware:
    """Serve anonymous GET and HEAD requests for live public pages from the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.cache import cache

        seconds = settings.PAGE_CACHE_SECONDS
        if (
            seconds <= 0
            or request.method not in ("GET", "HEAD")
            or request.META.get("QUERY_STRING")
            or request.COOKIES
        ):
            return self.get_response(request)

        key = page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            _generation, status, headers, content = entry
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["Content-Length"] = str(len(response.content))
            return response

        response = self.get_response(request)
        if _storable(response):
            headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
            cache.set(key, (generation, response.status_code, headers, response.content), seconds)
        return response
