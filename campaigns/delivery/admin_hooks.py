"""Wagtail admin hooks for targets and deliveries (issue 5)."""
