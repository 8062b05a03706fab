"""Wagtail admin hooks: campaigns."""

from campaigns import viewsets  # noqa: F401
