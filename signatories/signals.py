"""Signals sent inside the transaction that changes a signature, so that receivers (the Mailchimp
outbox) write their rows atomically with it."""

from django.dispatch import Signal

# sender=Signature class; kwargs: signature, previous_status
signature_status_changed = Signal()
# sender=Signature class; kwargs: signature (consent_newsletter or consent_public changed)
signature_consent_changed = Signal()
# sender=Signatory class; kwargs: signatory, email, erase (bool: permanent erasure asked)
signatory_erased = Signal()
# sender=Campaign class; kwargs: campaign (its cached counts changed after a refresh)
counts_changed = Signal()
