from config.env import env

from .base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-secret-key-not-for-production")  # noqa: S105
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
STORAGES["staticfiles"]["BACKEND"] = env(  # noqa: F405
    "STATICFILES_STORAGE", default="django.contrib.staticfiles.storage.StaticFilesStorage"
)
ADMIN_2FA_REQUIRED = env.bool("ADMIN_2FA_REQUIRED", default=False)  # demo admin signs in locally
