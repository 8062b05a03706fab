"""Confirming a signature from its email link (a POST from the page the link opens, never the GET
a link scanner makes), then verifying officials and authorities at once where it can be done."""

from django.db import transaction
from django.utils import timezone

from .lifecycle import change_status
from .models import Signature
from .verification import verify_after_confirmation

Status = Signature.Status

CONFIRMED, ALREADY, UNAVAILABLE = "confirmed", "already", "unavailable"


def confirm(signature, now=None):
    """Returns CONFIRMED, ALREADY or UNAVAILABLE."""
    now = now or timezone.now()
    with transaction.atomic():
        signature = Signature.objects.select_for_update().get(pk=signature.pk)
        if signature.status == Status.PENDING:
            change_status(signature, Status.CONFIRMED, confirmed_at=now)
            verify_after_confirmation(signature)
            return CONFIRMED
        if signature.status == Status.FLAGGED:
            if signature.confirmed_at:
                return ALREADY
            signature.confirmed_at = now
            signature.save(update_fields=["confirmed_at", "updated_at"])
            return CONFIRMED
        if signature.status in Signature.COUNTED_STATUSES:
            return ALREADY
        return UNAVAILABLE
