from config.env import env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PAGE_CACHE_SECONDS = 60  # on, as in production, to test it (one process: local memory will do)
# Tests run the real database worker (see tests/conftest.py: run_tasks).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "intake", "emails", "mailchimp", "imports"],
    }
}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WAGTAILADMIN_BASE_URL = SITE_URL = "http://testserver"
IP_HASH_SALT = "test-salt"
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405
# Admin tests sign in with force_login; the two-factor tests turn this on themselves.
ADMIN_2FA_REQUIRED = False
