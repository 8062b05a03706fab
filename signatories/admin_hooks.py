"""Wagtail admin: signatures, moderation, abuse, dashboard (issue 3)."""
