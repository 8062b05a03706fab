"""Where a request comes from, for every part that needs it: the signing form's rate limits and
the staff sign-in lockout (django-axes, AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the Nth address from the right of X-Forwarded-For when
    the site runs behind N trusted proxies (SIGNATURES_TRUSTED_PROXY_COUNT)."""
    proxies = settings.SIGNATURES_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
