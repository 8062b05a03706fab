"""Wagtail admin hooks for the Mailchimp sync (issue 4)."""
