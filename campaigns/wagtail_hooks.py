# Wagtail only imports <app>/wagtail_hooks.py; each concern registers its hooks in its own module.
from campaigns import viewsets  # noqa: F401
from campaigns.delivery import admin_hooks as delivery_hooks  # noqa: F401
from campaigns.mailchimp import admin_hooks as mailchimp_hooks  # noqa: F401
