"""Background tasks of the signing flow (run by `manage.py db_worker`)."""

import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import counts, emails, intake, privacy
from .models import Signature

logger = logging.getLogger(__name__)


def retry_delay(attempt):
    """Exponential backoff: 30 s, 1 min, 2 min... capped at one hour."""
    return min(3600, 30 * 2 ** (attempt - 1))


@task(queue_name="emails")
def send_signature_email(signature_id, kind, attempt=1):
    """Send one email. If the mail server fails, try again later with backoff; signing never waits."""
    signature = (
        Signature.objects.select_related("campaign", "signatory").filter(pk=signature_id).first()
    )
    if signature is None or signature.signatory is None:
        return "gone"  # erased or anonymised meanwhile: nothing to send, nobody to send it to
    try:
        emails.build_message(kind, signature).send()
    except Exception as error:  # SMTP errors, refused connections, timeouts
        if attempt >= settings.SIGNATURES_EMAIL_MAX_ATTEMPTS:
            logger.error(
                "Giving up %s email for signature %s after %s attempts: %s",
                kind,
                signature_id,
                attempt,
                type(error).__name__,
            )
            return "failed"
        delay = retry_delay(attempt)
        logger.warning(
            "Could not send %s email for signature %s (%s); retrying in %ss",
            kind,
            signature_id,
            type(error).__name__,
            delay,
        )
        send_signature_email.using(
            run_after=timezone.now() + timezone.timedelta(seconds=delay)
        ).enqueue(signature_id, kind, attempt + 1)
        return "retry"
    return "sent"


@task(queue_name="emails")
def send_signature_emails(items):
    """The emails one batch of submissions decided: [(signature_id, kind), ...]."""
    return [send_signature_email.call(signature_id, kind) for signature_id, kind in items]


def queue_emails(items):
    """Queue one batch's emails, [(signature_id, kind), ...], as one task."""
    send_signature_emails.enqueue([list(item) for item in items])


@task(queue_name="intake")
def process_submissions():
    """Decide what waiting submissions mean (queued every second by the scheduler)."""
    return intake.drain(queue_emails)


@task()
def purge_submissions():
    """Delete processed submissions that no rate limit needs any more (periodic)."""
    return intake.purge_processed()


@task()
def refresh_counts():
    """Rebuild the aggregated counts and their cache (periodic)."""
    return counts.refresh_counts()


@task()
def anonymise_closed_campaigns():
    """Blank personal data a configurable time after campaigns close (periodic)."""
    return privacy.anonymise_closed_campaigns()
