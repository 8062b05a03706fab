"""The dashboard panel: counts per status and category for open campaigns, a chart of signatures
per day (server-rendered SVG, no script), and the queues with their sizes."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from campaigns.models import Campaign
from signatories.models import Signature

from . import services
from .intake_viewsets import queue_summary

CHART_DAYS = 30
CHART_WIDTH, CHART_HEIGHT = 600, 120


def chart_bars(series, width=CHART_WIDTH, height=CHART_HEIGHT):
    """Turn [(date, count)] into SVG bar geometry scaled to the highest day."""
    peak = max((count for _day, count in series), default=0) or 1
    slot = width / max(len(series), 1)
    bars = []
    for index, (day, count) in enumerate(series):
        bar_height = round(count / peak * (height - 4), 1) if count else 0
        bars.append(
            {
                "day": day,
                "count": count,
                "x": round(index * slot + 1, 1),
                "y": round(height - bar_height, 1),
                "width": round(max(slot - 2, 1), 1),
                "height": bar_height,
            }
        )
    return bars


class SignaturesPanel(Component):
    name = "signatures"
    order = 90
    template_name = "moderation/panels/signatures.html"

    def __init__(self, request):
        self.request = request

    @staticmethod
    def is_shown_to(user):
        return user.has_perm("signatories.view_signature") or services.can_moderate(user)

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        user = self.request.user
        campaigns = list(Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("title"))
        statuses = Signature.Status.choices
        tables = []
        for campaign in campaigns:
            counts = services.status_category_counts(campaign)
            rows = [
                {
                    "label": label,
                    "cells": [counts[category][status] for status, _label in statuses],
                    "counted": sum(counts[category][s] for s in Signature.COUNTED_STATUSES),
                }
                for category, label in Signature.Category.choices
            ]
            counted = sum(row["counted"] for row in rows)
            tables.append(
                {
                    "campaign": campaign,
                    "rows": rows,
                    "counted": counted,
                    "percent": min(100, round(counted * 100 / campaign.goal))
                    if campaign.goal
                    else 0,
                    "list_url": f"{reverse('signatures:index')}?campaign={campaign.pk}",
                }
            )
        series = services.signatures_per_day(campaigns, days=CHART_DAYS)
        sizes = services.moderation_queue().count(), services.flagged_queue().count()
        context.update(
            {
                "statuses": statuses,
                "tables": tables,
                "bars": chart_bars(series),
                "chart_width": CHART_WIDTH,
                "chart_height": CHART_HEIGHT,
                "chart_total": sum(count for _day, count in series),
                "chart_peak": max((count for _day, count in series), default=0),
                "first_day": series[0][0] if series else None,
                "last_day": series[-1][0] if series else None,
                "queue_size": sizes[0],
                "flagged_size": sizes[1],
                "can_moderate": services.can_moderate(user),
            }
        )
        return context


class SubmissionsPanel(Component):
    """What the signer-facing forms sent and the worker has yet to process, or failed to."""

    name = "submissions"
    order = 95
    template_name = "moderation/panels/submissions.html"

    def __init__(self, request):
        self.request = request

    @staticmethod
    def is_shown_to(user):
        return services.can_moderate(user)

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["summary"] = queue_summary()
        return context
