"""Template tags the letter page uses to show the signing form and the counter.

Owned by the signatures work (issue 3); the letter page template only calls them.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signature_panel(context, campaign):
    """The signing form for `campaign` (or a closed notice). Placeholder until implemented."""
    return ""


@register.simple_tag(takes_context=True)
def signature_counter(context, campaign):
    """Total, progress bar towards the goal and milestones. Placeholder until implemented."""
    return ""
