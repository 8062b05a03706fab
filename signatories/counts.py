"""Aggregated signature counts: rebuilt by a periodic task, read from the cache.

`refresh_counts()` groups counted signatures (confirmed or verified, online and offline) by
campaign, category and département into SignatureCount rows and caches a summary per campaign.
`get_counts(campaign)` reads the cache, falling back to the table: never a COUNT(*) over
signatures on a public request.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from campaigns.models import Campaign
from signatories import signals

CACHE_TIMEOUT = 24 * 3600


def cache_key(campaign_slug):
    return f"signatories:counts:{campaign_slug}"


def summarise(campaign, rows, refreshed_at):
    """rows: iterable of (category, departement_code or None, count)."""
    from signatories.models import Signature

    by_category = dict.fromkeys(Signature.Category.values, 0)
    by_departement = {}
    total = 0
    for category, departement, count in rows:
        total += count
        by_category[category] = by_category.get(category, 0) + count
        if departement:
            by_departement[departement] = by_departement.get(departement, 0) + count
    return {
        "campaign": campaign.slug,
        "goal": campaign.goal,
        "milestones": campaign.milestone_list(),
        "total": total,
        "by_category": by_category,
        "by_departement": dict(sorted(by_departement.items())),
        "refreshed_at": refreshed_at.isoformat() if refreshed_at else None,
    }


def refresh_campaign(campaign, now=None):
    from signatories.models import Signature, SignatureCount

    now = now or timezone.now()
    with transaction.atomic():
        # One refresh per campaign at a time (the row lock serialises concurrent workers). NO KEY
        # UPDATE: new signatures' foreign-key checks (KEY SHARE) on this row go on meanwhile.
        Campaign.objects.select_for_update(no_key=True).filter(pk=campaign.pk).first()
        grouped = (
            Signature.objects.counted()
            .filter(campaign=campaign)
            .values("category", "departement_id", "departement__code")
            .annotate(n=Count("id"))
            .order_by()
        )
        rows = [
            (g["category"], g["departement_id"], g["departement__code"], g["n"]) for g in grouped
        ]
        SignatureCount.objects.filter(campaign=campaign).delete()
        SignatureCount.objects.bulk_create(
            SignatureCount(
                campaign=campaign, category=cat, departement_id=dep_id, count=n, refreshed_at=now
            )
            for cat, dep_id, _code, n in rows
        )
    summary = summarise(campaign, [(cat, code, n) for cat, _id, code, n in rows], now)
    previous = cache.get(cache_key(campaign.slug))
    cache.set(cache_key(campaign.slug), summary, CACHE_TIMEOUT)
    if not previous or _figures(previous) != _figures(summary):
        signals.counts_changed.send(sender=Campaign, campaign=campaign)
    return summary


def _figures(summary):
    return {k: v for k, v in summary.items() if k != "refreshed_at"}


def refresh_counts(now=None):
    """Refresh every campaign that can still change (not archived)."""
    campaigns = Campaign.objects.exclude(status=Campaign.Status.ARCHIVED)
    return {campaign.slug: refresh_campaign(campaign, now)["total"] for campaign in campaigns}


def get_counts(campaign):
    summary = cache.get(cache_key(campaign.slug))
    if summary is None:
        from signatories.models import SignatureCount

        rows = list(
            SignatureCount.objects.filter(campaign=campaign).values_list(
                "category", "departement__code", "count", "refreshed_at"
            )
        )
        refreshed_at = max((row[3] for row in rows), default=None)
        summary = summarise(campaign, [row[:3] for row in rows], refreshed_at)
        cache.set(cache_key(campaign.slug), summary, CACHE_TIMEOUT)
    return summary


def progress(summary):
    """Figures for the counter: total, goal, percentage, milestones reached and next."""
    total, goal = summary["total"], summary["goal"] or 0
    milestones = summary.get("milestones") or []
    return {
        "total": total,
        "goal": goal,
        "percent": min(100, round(100 * total / goal)) if goal else 0,
        "milestones": [{"value": m, "reached": total >= m} for m in milestones],
        "next_milestone": next((m for m in milestones if m > total), None),
    }
