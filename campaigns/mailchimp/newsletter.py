"""Campaign newsletters: the wagtail-newsletter Mailchimp backend, on our client and tags.

wagtail-newsletter (0.2.x) runs on Wagtail 8; its backend builds its own client from
WAGTAIL_NEWSLETTER_MAILCHIMP_API_KEY and only offers "saved" segments. This subclass uses the
product's client (same key, server prefix, fake host in tests, connection limit) and offers the
audience's tags ("élus", "Département 69"...) as segments too: a tag is a static segment in
Mailchimp, and a campaign targets it with `segment_opts.saved_segment_id`.
"""

import logging

from django.utils.functional import cached_property
from wagtail_newsletter.audiences import Audience, AudienceSegment
from wagtail_newsletter.campaign_backends import CampaignBackendError
from wagtail_newsletter.campaign_backends.mailchimp import MailchimpCampaignBackend

from . import client as mc

logger = logging.getLogger(__name__)


class _LimitedApi:
    """Wraps a client API group so every call goes through the connection limit."""

    def __init__(self, api):
        self._api = api

    def __getattr__(self, name):
        attr = getattr(self._api, name)
        if not callable(attr):
            return attr

        def limited(*args, **kwargs):
            with mc.connection_slots():
                return attr(*args, **kwargs)

        return limited


class _LimitedClient:
    def __init__(self, client):
        self.api_client = client.api_client
        self._client = client

    def __getattr__(self, name):
        return _LimitedApi(getattr(self._client, name))


class CampaignBackend(MailchimpCampaignBackend):
    name = "Mailchimp"

    @cached_property
    def client(self):
        if not mc.is_configured():
            raise CampaignBackendError("Mailchimp is not configured (MAILCHIMP_API_KEY).")
        return _LimitedClient(mc.get_client())

    # The audience and segment choosers list these through the API: when Mailchimp is off or
    # unreachable they show an empty list (and the log says why) rather than an error page.

    def get_audiences(self):
        try:
            return super().get_audiences()
        except Exception:
            logger.exception("Could not list the Mailchimp audiences")
            return []

    def get_audience_segments(self, audience_id, type=None, count=1000):  # noqa: A002
        segments = []
        try:
            for kind in ("saved", "static"):  # static segments are the tags
                segments += super().get_audience_segments(audience_id, type=kind, count=count)
        except Audience.DoesNotExist:
            raise
        except Exception:
            logger.exception("Could not list the segments of Mailchimp audience %s", audience_id)
        return segments


__all__ = ["Audience", "AudienceSegment", "CampaignBackend"]
