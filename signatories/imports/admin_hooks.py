"""Wagtail admin hooks for imports (issue 5)."""
