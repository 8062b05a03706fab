"""Answers from decision makers shown on the letter page (rendered by campaigns.delivery)."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def campaign_answers(context, campaign):
    """The published answers of the campaign's targets, agreeing ones first; '' when none."""
    if campaign is None:
        return ""
    from campaigns.delivery.models import TargetAnswer

    answers = (
        TargetAnswer.objects.published()
        .filter(campaign=campaign)
        .select_related("target")
        .order_by("position", "target__name")
    )
    return render_to_string(
        "delivery/answers.html", {"answers": list(answers)}, request=context.get("request")
    )
