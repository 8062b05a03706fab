"""The signature's state machine in use: every status change goes through change_status().

``change_status(signature, new_status, **fields)`` applies one transition of
``Signature.TRANSITIONS``, sets the given fields, saves, and sends
``signals.signature_status_changed(signature=, previous_status=)`` inside the transaction, so that
receivers (the Mailchimp outbox) commit or roll back with the change. Moderation, verification and
the worker's decisions all use it.

A FLAGGED signature whose email was confirmed keeps ``confirmed_at``; staff who clear the flag move
it to CONFIRMED (or PENDING when ``confirmed_at`` is empty).
"""

from django.db import transaction
from django.utils import timezone

from . import privacy, signals
from .models import Signature

Status = Signature.Status


def change_status(signature, new_status, **fields):
    """Apply one transition of the state machine, save, and tell receivers in the transaction."""
    now = timezone.now()
    with transaction.atomic():
        previous = signature.status
        signature.transition(new_status)
        if new_status == Status.CONFIRMED and not signature.confirmed_at:
            fields.setdefault("confirmed_at", now)
        elif new_status == Status.VERIFIED:
            fields.setdefault("verified_at", now)
        elif new_status == Status.WITHDRAWN:
            fields.setdefault("withdrawn_at", now)
        for name, value in fields.items():
            setattr(signature, name, value)
        update_fields = {"status", "updated_at", *(name for name in fields)}
        update_fields = {
            Signature._meta.get_field(name).name for name in update_fields
        }  # accepts "organisation" as well as "organisation_id"
        signature.save(update_fields=sorted(update_fields))
        signals.signature_status_changed.send(
            sender=Signature, signature=signature, previous_status=previous
        )
    return signature


def withdraw(signature, erase=False):
    """Withdraw a signature (the signer's link); with erase, also blank and delete personal data."""
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("signatory")
            .get(pk=signature.pk)
        )
        if signature.status != Status.WITHDRAWN and signature.can_transition(Status.WITHDRAWN):
            change_status(signature, Status.WITHDRAWN)
        if erase:
            privacy.erase_signature(signature)
    return signature
