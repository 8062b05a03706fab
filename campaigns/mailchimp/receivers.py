"""Signal receivers: outbox rows are written in the same transaction as the change."""

from django.dispatch import receiver

from signatories import signals

from . import services


@receiver(signals.signature_status_changed, dispatch_uid="mailchimp_status_changed")
def on_status_changed(sender, signature, previous_status=None, **kwargs):
    services.signature_changed(signature)


@receiver(signals.signature_consent_changed, dispatch_uid="mailchimp_consent_changed")
def on_consent_changed(sender, signature, **kwargs):
    services.signature_changed(signature)


@receiver(signals.signatory_erased, dispatch_uid="mailchimp_signatory_erased")
def on_signatory_erased(sender, signatory, email, erase=False, **kwargs):
    services.signatory_erased(signatory, email, erase)
