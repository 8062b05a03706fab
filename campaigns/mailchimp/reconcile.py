"""Nightly reconcile: members changed since the last pass; unsubscribes and cleaned are applied here."""

import logging
from datetime import timedelta

from django.utils import timezone

from . import client as mc
from .inbound import apply_unsubscribe
from .models import AudienceConnection, OutboxEntry, member_hash

logger = logging.getLogger(__name__)
PAGE = 1000
# Overlap between passes, for clock differences between Mailchimp and us.
OVERLAP = timedelta(minutes=10)


def reconcile(connection):
    started = timezone.now()
    client = mc.get_client()
    applied = 0
    for status in (OutboxEntry.MemberStatus.UNSUBSCRIBED, OutboxEntry.MemberStatus.CLEANED):
        offset = 0
        while True:
            params = {
                "status": status.value,
                "count": PAGE,
                "offset": offset,
                "fields": ["members.id", "members.email_address", "members.status", "total_items"],
            }
            if connection.last_reconciled_at:
                params["since_last_changed"] = connection.last_reconciled_at.isoformat()
            try:
                data = mc.call(
                    client.lists.get_list_members_info,
                    connection.list_id,
                    member_call=False,
                    **params,
                )
            except mc.MailchimpError as err:
                logger.error("Mailchimp reconcile of %s stopped: %s", connection.list_id, err)
                if err.kind == mc.Kind.AUDIENCE:
                    connection.pause(str(err))
                return None
            members = data.get("members") or []
            for member in members:
                hash_ = member.get("id") or member_hash(member.get("email_address", ""))
                applied += int(apply_unsubscribe(connection, hash_, status, reason="reconcile"))
            offset += len(members)
            if not members or offset >= int(data.get("total_items") or 0):
                break
    AudienceConnection.objects.filter(pk=connection.pk).update(last_reconciled_at=started - OVERLAP)
    return applied
