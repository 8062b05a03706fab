"""Answers from decision makers shown on the letter page (issue 5 fills this in)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def campaign_answers(context, campaign):
    return ""
