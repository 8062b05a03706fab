"""The webhook endpoint (public, unprefixed). Staff screens live in viewsets.py and admin_views.py."""

import logging

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .models import AudienceConnection

logger = logging.getLogger(__name__)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def mailchimp_webhook(request, secret):
    connection = AudienceConnection.objects.filter(webhook_secret=secret).first()
    if connection is None or not constant_time_compare(connection.webhook_secret, secret):
        logger.warning("Mailchimp webhook with an unknown secret from a %s request", request.method)
        # 403, not 404: LocaleMiddleware would turn a 404 into a redirect to /fr/.
        return HttpResponseForbidden("Unknown webhook.", content_type="text/plain")
    if request.method in ("GET", "HEAD"):
        # Mailchimp's validator checks the URL answers 200 before creating the webhook.
        return HttpResponse("OK", content_type="text/plain")
    # Bounded, and without NUL characters (PostgreSQL's jsonb refuses them).
    payload = {
        key[:200].replace("\x00", ""): request.POST.get(key, "")[:1000].replace("\x00", "")
        for key in request.POST
    }
    event, problem = services.receive_webhook(connection, payload)
    if problem:
        return HttpResponseBadRequest(problem, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")
