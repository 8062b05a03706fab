"""Submitting to the door and letting the worker decide, in one call, for tests of the rules."""

from dataclasses import dataclass

from signatories import abuse, intake, tasks
from signatories.models import Signatory, Signature, Submission


@dataclass
class Decided:
    submission: Submission
    signature: Signature | None
    outcome: str
    emails: list  # [(signature_id, kind)] queued for sending

    @property
    def created(self):
        return self.outcome == Submission.Outcome.NEW

    @property
    def emailed(self):
        return bool(self.emails)


def process():
    """Process every waiting submission as the worker does; returns the emails queued."""
    queued = []

    def queue(items):
        queued.extend(items)
        tasks.queue_emails(items)

    while intake.process_batch(queue):
        pass
    return queued


def submit(campaign, data, *, ip="", language="fr", verdict=None, now=None, challenge=None):
    """Record a signing submission with these cleaned fields, then process the queue."""
    submission = intake.record_signature(
        campaign,
        data,
        verdict=verdict or abuse.Verdict(),
        challenge=challenge,
        ip_hash=abuse.hash_ip(ip),
        language=language,
        now=now,
    )
    emails = process()
    submission.refresh_from_db()
    signatory = Signatory.objects.filter(canonical_email=submission.canonical_email).first()
    signature = Signature.objects.filter(signatory=signatory, campaign=campaign).first()
    return Decided(submission, signature, submission.outcome, emails)
