"""Wagtail admin hooks: campaigns, and a dashboard warning when the cache server is down."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from campaigns import health, viewsets  # noqa: F401 (viewsets registers the snippet)


class RedisDownPanel(Component):
    """Dashboard warning: Redis cannot be reached (campaigns.health), the site goes on without."""

    name = "redis_down"
    order = 10  # above every other panel
    template_name = "campaigns/admin/redis_down_panel.html"


@hooks.register("construct_homepage_panels")
def add_redis_down_panel(request, panels):
    if health.redis_status() == health.DOWN:
        panels.insert(0, RedisDownPanel())
