"""Staff actions on signatures: verify, reject, clear a flag, invalidate (one, many, or in bulk by
criteria) and undo a bulk invalidation.

Every change goes through ``signatories.lifecycle.change_status`` (the state machine, the save and the
``signature_status_changed`` signal inside the transaction, so Mailchimp and counts follow) and
writes a ModerationEvent in the same transaction. Errors meant for staff are ModerationError with a
translated message; callers show it rather than fail.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from signatories.lifecycle import change_status
from signatories.models import Signature

from .models import BulkInvalidation, ModerationEvent

Status = Signature.Status
Action = ModerationEvent.Action

# Statuses a bulk invalidation may move to INVALIDATED (rejected and withdrawn stay as they are).
INVALIDATABLE = (Status.PENDING, Status.CONFIRMED, Status.VERIFIED, Status.FLAGGED)
# A bulk invalidation changes at most this many signatures at once; wider criteria are refused.
BULK_INVALIDATION_LIMIT = 20_000


class ModerationError(Exception):
    """A staff action that cannot be done, with a message to show."""


def can_moderate(user):
    return user.is_active and user.has_perm("moderation.moderate_signature")


def can_bulk_invalidate(user):
    return user.is_active and user.has_perm("moderation.bulk_invalidate_signature")


def moderation_queue():
    """Confirmed signatures of officials and authorities waiting for a staff decision."""
    return Signature.objects.filter(
        status=Status.CONFIRMED, category__in=Signature.VERIFIED_CATEGORIES
    )


def flagged_queue():
    return Signature.objects.filter(status=Status.FLAGGED)


def _locked(signature):
    """Re-read the signature under a row lock so two staff members cannot act on stale state."""
    pk = signature.pk if isinstance(signature, Signature) else signature
    try:
        return Signature.objects.select_for_update().get(pk=pk)
    except (Signature.DoesNotExist, ValueError, TypeError):
        raise ModerationError(_("This signature does not exist.")) from None


def _apply(signature, new_status, *, actor, action, reason="", bulk=None, **fields):
    previous = signature.status
    if not signature.can_transition(new_status):
        raise ModerationError(
            _("A signature that is “%(from)s” cannot become “%(to)s”.")
            % {"from": signature.get_status_display(), "to": Status(new_status).label}
        )
    change_status(signature, new_status, **fields)
    return ModerationEvent.objects.create(
        signature=signature,
        actor=actor,
        action=action,
        from_status=previous,
        to_status=new_status,
        reason=reason,
        bulk=bulk,
    )


def _clean_reason(reason, required):
    reason = (reason or "").strip()
    if required and not reason:
        raise ModerationError(_("Give a reason: it is kept in the audit trail."))
    return reason


def verify(signature, *, actor, reason=""):
    """Staff confirm that an official or authority is who they say they are."""
    with transaction.atomic():
        signature = _locked(signature)
        if signature.category not in Signature.VERIFIED_CATEGORIES:
            raise ModerationError(_("Only officials and local authorities are verified."))
        return _apply(
            signature,
            Status.VERIFIED,
            actor=actor,
            action=Action.VERIFY,
            reason=_clean_reason(reason, required=False),
            verification_method=Signature.VerificationMethod.STAFF,
            verified_by=actor,
            rejection_reason="",
        )


def reject(signature, *, actor, reason):
    """Staff refuse a signature's claim (an official who is not one); the reason is required."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        signature = _locked(signature)
        return _apply(
            signature,
            Status.REJECTED,
            actor=actor,
            action=Action.REJECT,
            reason=reason,
            rejection_reason=reason,
        )


def clear_flag(signature, *, actor, reason=""):
    """A flagged signature was legitimate: back to CONFIRMED if its email was confirmed, else
    PENDING; a confirmed official then gets the usual automatic verification."""
    from signatories.verification import verify_after_confirmation

    with transaction.atomic():
        signature = _locked(signature)
        if signature.status != Status.FLAGGED:
            raise ModerationError(_("This signature is not flagged."))
        target = Status.CONFIRMED if signature.confirmed_at else Status.PENDING
        event = _apply(
            signature,
            target,
            actor=actor,
            action=Action.UNFLAG,
            reason=_clean_reason(reason, required=False),
        )
        if target == Status.CONFIRMED:
            verify_after_confirmation(signature)
        return event


def invalidate(signature, *, actor, reason):
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        signature = _locked(signature)
        return _apply(
            signature, Status.INVALIDATED, actor=actor, action=Action.INVALIDATE, reason=reason
        )


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (signature id, message)


BULK_ACTIONS = {
    "verify": verify,
    "reject": reject,
    "unflag": clear_flag,
    "invalidate": invalidate,
}
REASON_REQUIRED = {"reject", "invalidate"}


def bulk_apply(action, signature_ids, *, actor, reason=""):
    """Apply one action to many signatures, each in its own transaction: one that cannot move
    (changed meanwhile, wrong category) is reported and the others go through."""
    if action not in BULK_ACTIONS:
        raise ModerationError(_("Unknown action."))
    if action in REASON_REQUIRED:
        reason = _clean_reason(reason, required=True)
    if not signature_ids:
        raise ModerationError(_("Select at least one signature."))
    service = BULK_ACTIONS[action]
    result = BulkResult()
    for signature_id in signature_ids:
        try:
            result.done.append(service(signature_id, actor=actor, reason=reason))
        except ModerationError as error:
            result.failed.append((signature_id, str(error)))
    return result


# --- Bulk invalidation by criteria -------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    campaign: object = None
    email_domain: str = ""
    ip_hash: str = ""
    signed_from: object = None
    signed_until: object = None

    def validate(self):
        if self.signed_from and self.signed_until and self.signed_until <= self.signed_from:
            raise ModerationError(_("The end of the time window must be after its start."))
        has_window = bool(self.signed_from and self.signed_until)
        if not (self.email_domain or self.ip_hash or has_window):
            raise ModerationError(
                _("Give an email domain, an IP hash or a complete time window (start and end).")
            )

    def queryset(self):
        self.validate()
        query = Q(status__in=INVALIDATABLE)
        if self.campaign is not None:
            query &= Q(campaign=self.campaign)
        if self.email_domain:
            query &= Q(email_domain=self.email_domain.strip().lower().lstrip("@"))
        if self.ip_hash:
            query &= Q(ip_hash=self.ip_hash.strip())
        if self.signed_from:
            query &= Q(created_at__gte=self.signed_from)
        if self.signed_until:
            query &= Q(created_at__lt=self.signed_until)
        return Signature.objects.filter(query)


def preview_bulk_invalidation(criteria):
    """How many signatures the criteria would invalidate, by status, with a few examples."""
    queryset = criteria.queryset()
    by_status = dict(
        queryset.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "total": sum(by_status.values()),
        "by_status": [(Status(status).label, count) for status, count in sorted(by_status.items())],
        "sample": list(queryset.select_related("campaign").order_by("-created_at")[:10]),
    }


def bulk_invalidate(criteria, *, actor, reason):
    """Invalidate every signature matching the criteria, logged as one BulkInvalidation whose
    events keep each signature's previous status for the undo."""
    reason = _clean_reason(reason, required=True)
    queryset = criteria.queryset()
    with transaction.atomic():
        ids = list(
            queryset.select_for_update().values_list("pk", flat=True)[: BULK_INVALIDATION_LIMIT + 1]
        )
        if len(ids) > BULK_INVALIDATION_LIMIT:
            raise ModerationError(
                _("These criteria match more than %(limit)s signatures: narrow them down.")
                % {"limit": BULK_INVALIDATION_LIMIT}
            )
        if not ids:
            raise ModerationError(_("No signature matches these criteria."))
        bulk = BulkInvalidation.objects.create(
            campaign=criteria.campaign,
            email_domain=criteria.email_domain.strip().lower().lstrip("@"),
            ip_hash=criteria.ip_hash.strip(),
            signed_from=criteria.signed_from,
            signed_until=criteria.signed_until,
            reason=reason,
            actor=actor,
        )
        for signature in Signature.objects.filter(pk__in=ids).iterator(chunk_size=500):
            _apply(
                signature,
                Status.INVALIDATED,
                actor=actor,
                action=Action.INVALIDATE,
                reason=reason,
                bulk=bulk,
            )
        bulk.affected = len(ids)
        bulk.save(update_fields=["affected"])
    return bulk


def undo_bulk_invalidation(bulk, *, actor):
    """Give back each signature of a bulk invalidation its previous status. A signature whose
    status changed since (restored by hand, withdrawn) is left alone."""
    with transaction.atomic():
        try:
            bulk = BulkInvalidation.objects.select_for_update().get(
                pk=bulk.pk if isinstance(bulk, BulkInvalidation) else bulk
            )
        except (BulkInvalidation.DoesNotExist, ValueError, TypeError):
            raise ModerationError(_("This bulk invalidation does not exist.")) from None
        if bulk.undone_at:
            raise ModerationError(_("This bulk invalidation was already undone."))
        restored = 0
        events = bulk.events.filter(action=Action.INVALIDATE).order_by("pk")
        for event in events.iterator(chunk_size=500):
            signature = Signature.objects.select_for_update().get(pk=event.signature_id)
            if signature.status != Status.INVALIDATED or not signature.can_transition(
                event.from_status
            ):
                continue
            fields = {}
            if event.from_status == Status.VERIFIED:
                fields["verified_at"] = signature.verified_at  # keep the original date
            _apply(
                signature,
                event.from_status,
                actor=actor,
                action=Action.RESTORE,
                reason=_("Undo of bulk invalidation #%(pk)s") % {"pk": bulk.pk},
                bulk=bulk,
                **fields,
            )
            restored += 1
        bulk.undone_at = timezone.now()
        bulk.undone_by = actor
        bulk.restored = restored
        bulk.save(update_fields=["undone_at", "undone_by", "restored"])
    return bulk


# --- Figures for staff ------------------------------------------------------------------------


def trending(now=None, limit=10):
    """IP hashes and email domains with the most signatures in the last hour and day."""
    now = now or timezone.now()
    result = {}
    for key, delta in (("hour", timedelta(hours=1)), ("day", timedelta(days=1))):
        recent = Signature.objects.filter(created_at__gte=now - delta).order_by()
        result[key] = {
            "ip_hashes": list(
                recent.exclude(ip_hash="")
                .values("ip_hash")
                .annotate(total=Count("id"), flagged=Count("id", filter=Q(status=Status.FLAGGED)))
                .filter(total__gte=2)
                .order_by("-total", "ip_hash")[:limit]
            ),
            "domains": list(
                recent.exclude(email_domain="")
                .values("email_domain")
                .annotate(total=Count("id"), flagged=Count("id", filter=Q(status=Status.FLAGGED)))
                .filter(total__gte=2)
                .order_by("-total", "email_domain")[:limit]
            ),
        }
    return result


def signatures_per_day(campaigns, days=30, now=None):
    """[(date, count)] of signatures made on each of the last `days` days (every status)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - timedelta(days=days - 1)
    rows = dict(
        Signature.objects.filter(campaign__in=campaigns, created_at__date__gte=start)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [
        (start + timedelta(days=i), rows.get(start + timedelta(days=i), 0)) for i in range(days)
    ]


def status_category_counts(campaign):
    """{category: {status: count}} for one campaign, live (staff only; public pages use the cache)."""
    table = {category: dict.fromkeys(Status.values, 0) for category in Signature.Category.values}
    rows = (
        Signature.objects.filter(campaign=campaign)
        .order_by()
        .values_list("category", "status")
        .annotate(n=Count("id"))
    )
    for category, status, count in rows:
        table.setdefault(category, dict.fromkeys(Status.values, 0))[status] = count
    return table
