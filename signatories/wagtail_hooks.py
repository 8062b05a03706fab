# Wagtail only imports <app>/wagtail_hooks.py; each concern registers its hooks in its own module.
from signatories import admin_hooks  # noqa: F401
from signatories.imports import admin_hooks as import_hooks  # noqa: F401
