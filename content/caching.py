"""HTTP caching for public pages.

Public content is cacheable by browsers and shared caches (max-age from settings, with
stale-while-revalidate and stale-if-error so a slow or failing origin still serves readers).
Previews, editors and anything that set a cookie are private and never stored.
"""

from django.conf import settings
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
        return apply_public_cache(request, response, private=restricted)

    def serve_preview(self, request, mode_name):
        response = super().serve_preview(request, mode_name)
        return mark_private(response)
