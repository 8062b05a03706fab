"""Wagtail admin screens for campaigns (issue 2)."""
