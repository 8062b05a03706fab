from .campaign import Campaign  # noqa: F401
