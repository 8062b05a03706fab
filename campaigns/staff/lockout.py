"""Admin sign-in protection with django-axes: lockout after repeated failures."""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for sign-ins made through a web request (the Wagtail login form).

    Calls without a request (management commands, the test client's ``login()``) are not web
    sign-ins: there is no client to lock out, so they pass through to the next backend rather than
    raising, as AxesStandaloneBackend would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page shown once locked out: in the admin's look, in the user's language."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "staff/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
