"""Settings shared by every environment. Each value comes from the environment with a default
documented in .env.example and the README."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, SITE_DIR, env

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="Lettre ouverte des bibliothèques")

DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "import_export",
]
LOCAL_APPS = [
    "campaigns",
    "campaigns.staff",
    "campaigns.mailchimp",
    "campaigns.delivery",
    "signatories",
    "signatories.moderation",
    "signatories.imports",
    "signatories.register",
    "content",
]
INSTALLED_APPS = LOCAL_APPS + THIRD_PARTY_APPS + DJANGO_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.hostile_input.HostileInputMiddleware",  # control characters, NUL: a 400, not a 500
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "content.caching.PageCacheMiddleware",  # before sessions: a hit skips the rest
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite is the embedded default so a newcomer needs no server; production uses PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Redis is an accelerator, not a dependency: while it is down each cache call gives up within
# REDIS_SOCKET_TIMEOUT seconds and answers as a miss (get: the default, get_many: {}, set, add and
# incr: None); the site goes on from the database and the admin dashboard says so (campaigns.health).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="lettre"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    # Without Redis, a cache the web server and the task worker share (files): the counts the
    # worker refreshes, the queued-confirmations guard and burnt challenges must be seen by both.
    # A process-local cache kept the counter still until a restart, and emails a minute late.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("FILE_CACHE_DIR", default=BASE_DIR / "var" / "cache"),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="lettre"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Each ignored failure is logged (logger "django_redis.cache", level ERROR): the message names the
# Redis error and the server's host and port, never a key or a value.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- Background tasks -------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "intake", "emails", "mailchimp", "imports"],
    }
}

# --- Passwords and accounts -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
TIME_ZONE = env("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = WAGTAILADMIN_PERMITTED_LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Lettre ouverte <noreply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "french" if IS_POSTGRES else None,
    }
}
if not IS_POSTGRES:
    WAGTAILSEARCH_BACKENDS["default"].pop("SEARCH_CONFIG")
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "docx", "xlsx", "ods", "csv", "txt"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from a third-party host (privacy, and the admin CSP would block them anyway).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {
            "features": [
                "h2",
                "h3",
                "h4",
                "bold",
                "italic",
                "ol",
                "ul",
                "link",
                "document-link",
                "blockquote",
            ]
        },
    }
}

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A salt for hashing IP addresses; set it in production and never change it mid-campaign.
IP_HASH_SALT = env("IP_HASH_SALT", default="dev-ip-salt")

# --- Campaign behaviour -----------------------------------------------------------------------
PUBLIC_CACHE_MAX_AGE = env.int("PUBLIC_CACHE_MAX_AGE", default=60)
# Seconds a rendered public page is served from the server's cache to visitors without cookies
# (0: off). Publishing or editing anything a page shows, or a change of the counts, renews it.
# Off by default without Redis: a local-memory cache would not see changes made by the worker.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=PUBLIC_CACHE_MAX_AGE if REDIS_URL else 0)

# --- Signatures (signatories) ----------------------------------------------------------------
# Signed links sent by email (seconds): confirm, withdraw/erase (in every email), data copy.
SIGNATURES_CONFIRM_LINK_MAX_AGE = env.int("SIGNATURES_CONFIRM_LINK_MAX_AGE", default=14 * 86400)
SIGNATURES_WITHDRAW_LINK_MAX_AGE = env.int(
    "SIGNATURES_WITHDRAW_LINK_MAX_AGE", default=3 * 365 * 86400
)
SIGNATURES_DATA_LINK_MAX_AGE = env.int("SIGNATURES_DATA_LINK_MAX_AGE", default=7 * 86400)
# The form: minimum seconds between render and submit (faster is flagged), form token lifetime.
SIGNATURES_FORM_MIN_SECONDS = env.int("SIGNATURES_FORM_MIN_SECONDS", default=3)
SIGNATURES_FORM_MAX_AGE = env.int("SIGNATURES_FORM_MAX_AGE", default=2 * 86400)
# Submissions (signatories.intake) are processed by the worker every second; processed ones are
# deleted after this many hours (the rate-limit windows and ALTCHA challenges need the last hour).
SIGNATURES_SUBMISSIONS_KEEP_HOURS = env.int("SIGNATURES_SUBMISSIONS_KEEP_HOURS", default=24)
# Emails to a known address: at most this many reminders per signature, this many seconds apart.
SIGNATURES_MAX_REMINDERS = env.int("SIGNATURES_MAX_REMINDERS", default=3)
SIGNATURES_REMINDER_INTERVAL = env.int("SIGNATURES_REMINDER_INTERVAL", default=600)
SIGNATURES_EMAIL_MAX_ATTEMPTS = env.int("SIGNATURES_EMAIL_MAX_ATTEMPTS", default=8)
# ALTCHA proof of work: PBKDF2 iterations per attempt, counter range (expected client work is
# COST x MAX_NUMBER / 2 iterations), challenge lifetime, HMAC key (default: derived from SECRET_KEY).
SIGNATURES_ALTCHA_REQUIRED = env.bool("SIGNATURES_ALTCHA_REQUIRED", default=True)
SIGNATURES_ALTCHA_COST = env.int("SIGNATURES_ALTCHA_COST", default=1000)
SIGNATURES_ALTCHA_MAX_NUMBER = env.int("SIGNATURES_ALTCHA_MAX_NUMBER", default=1500)
SIGNATURES_ALTCHA_EXPIRES = env.int("SIGNATURES_ALTCHA_EXPIRES", default=1200)
SIGNATURES_ALTCHA_HMAC_KEY = env("SIGNATURES_ALTCHA_HMAC_KEY", default="")
# Rate limits "count/seconds" (burst and sustained) per IP hash and per email domain; over the
# limit a signature is accepted but flagged. Webmail domains get their own, higher, limits.
SIGNATURES_RATE_IP_BURST = env("SIGNATURES_RATE_IP_BURST", default="5/60")
SIGNATURES_RATE_IP_SUSTAINED = env("SIGNATURES_RATE_IP_SUSTAINED", default="30/3600")
SIGNATURES_RATE_DOMAIN_BURST = env("SIGNATURES_RATE_DOMAIN_BURST", default="20/60")
SIGNATURES_RATE_DOMAIN_SUSTAINED = env("SIGNATURES_RATE_DOMAIN_SUSTAINED", default="200/3600")
SIGNATURES_RATE_WEBMAIL_BURST = env("SIGNATURES_RATE_WEBMAIL_BURST", default="300/60")
SIGNATURES_RATE_WEBMAIL_SUSTAINED = env("SIGNATURES_RATE_WEBMAIL_SUSTAINED", default="6000/3600")
SIGNATURES_WEBMAIL_DOMAINS = frozenset(
    env.list(
        "SIGNATURES_WEBMAIL_DOMAINS",
        default=[
            "gmail.com",
            "googlemail.com",
            "orange.fr",
            "wanadoo.fr",
            "free.fr",
            "laposte.net",
            "sfr.fr",
            "neuf.fr",
            "bbox.fr",
            "outlook.fr",
            "outlook.com",
            "hotmail.fr",
            "hotmail.com",
            "live.fr",
            "yahoo.fr",
            "yahoo.com",
            "icloud.com",
            "aol.com",
            "gmx.fr",
            "proton.me",
            "protonmail.com",
        ],
    )
)
# Number of reverse proxies in front of the site whose X-Forwarded-For is trusted (0: none).
SIGNATURES_TRUSTED_PROXY_COUNT = env.int("SIGNATURES_TRUSTED_PROXY_COUNT", default=0)
# Consent wording version stored with each signature; bump it when the wording changes.
SIGNATURES_CONSENT_VERSION = env("SIGNATURES_CONSENT_VERSION", default="2026-11")
# Anonymise signatures this many days after their campaign closes (e-petitions: 6 months).
SIGNATURES_ANONYMISE_AFTER_DAYS = env.int("SIGNATURES_ANONYMISE_AFTER_DAYS", default=183)
SIGNATURES_PUBLIC_LIST_PAGE_SIZE = env.int("SIGNATURES_PUBLIC_LIST_PAGE_SIZE", default=50)

# --- Staff sign-in (campaigns.staff) ---------------------------------------------------------
# Lockout after repeated failed admin sign-ins (django-axes): AXES_FAILURE_LIMIT failures for one
# username from one client lock that pair for AXES_COOLOFF_MINUTES. Unlock: `manage.py axes_reset`.
INSTALLED_APPS = [*INSTALLED_APPS, "axes"]
MIDDLEWARE = [*MIDDLEWARE, "axes.middleware.AxesMiddleware"]  # last, as axes requires
AUTHENTICATION_BACKENDS = [
    "campaigns.staff.lockout.LockoutBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # no Django admin here
AXES_DISABLE_ACCESS_LOG = True  # keep failures only: no log of every staff sign-in and its IP
AXES_CLIENT_IP_CALLABLE = "campaigns.http.client_ip"  # honours SIGNATURES_TRUSTED_PROXY_COUNT
AXES_LOCKOUT_CALLABLE = "campaigns.staff.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Two-factor authentication (django-otp, TOTP apps + single-use backup codes) for everyone with
# access to the admin. ADMIN_2FA_REQUIRED: each must set up an app at first sign-in; when off,
# it is opt-in (from the account page) but whoever set it up is still asked for a code.
# Lost phone: `manage.py reset_2fa <username>`.
INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth + 1 : _auth + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "campaigns.staff.otp.TwoFactorMiddleware",
]
ADMIN_2FA_REQUIRED = env.bool("ADMIN_2FA_REQUIRED", default=True)
ADMIN_2FA_BACKUP_CODES = env.int("ADMIN_2FA_BACKUP_CODES", default=10)
OTP_TOTP_ISSUER = env("ADMIN_2FA_ISSUER", default=WAGTAIL_SITE_NAME)
# Throttling: after n wrong codes the next try waits FACTOR x 2^(n-1) seconds (django-otp).
OTP_TOTP_THROTTLE_FACTOR = OTP_STATIC_THROTTLE_FACTOR = env.int(
    "ADMIN_2FA_THROTTLE_FACTOR", default=1
)

# --- Mailchimp (campaigns.mailchimp) ---------------------------------------------------------
# Without an API key and server prefix the sync is off: outbox rows wait, nothing is lost.
MAILCHIMP_API_KEY = env("MAILCHIMP_API_KEY", default="")
MAILCHIMP_SERVER_PREFIX = env("MAILCHIMP_SERVER_PREFIX", default="")  # e.g. "us21"
# Base URL of the API, only to reach the fake server in development and tests.
MAILCHIMP_API_HOST = env("MAILCHIMP_API_HOST", default="")
# Public base URL Mailchimp posts webhooks to (defaults to SITE_URL).
MAILCHIMP_WEBHOOK_BASE_URL = env("MAILCHIMP_WEBHOOK_BASE_URL", default="")
# Mailchimp allows 10 simultaneous connections per API key.
MAILCHIMP_MAX_CONNECTIONS = env.int("MAILCHIMP_MAX_CONNECTIONS", default=10)
MAILCHIMP_TIMEOUT = env.int("MAILCHIMP_TIMEOUT", default=30)
# More pending rows than this in one audience go through a batch; supporters per batch.
MAILCHIMP_BATCH_THRESHOLD = env.int("MAILCHIMP_BATCH_THRESHOLD", default=200)
MAILCHIMP_BATCH_SIZE = env.int("MAILCHIMP_BATCH_SIZE", default=500)
# Retries of transient failures: exponential backoff (seconds) with jitter, then dead-letter.
MAILCHIMP_RETRY_BASE = env.int("MAILCHIMP_RETRY_BASE", default=30)
MAILCHIMP_RETRY_MAX = env.int("MAILCHIMP_RETRY_MAX", default=6 * 3600)
MAILCHIMP_MAX_ATTEMPTS = env.int("MAILCHIMP_MAX_ATTEMPTS", default=12)
# Processed webhook events (they hold email addresses) are deleted after this many days.
MAILCHIMP_WEBHOOK_EVENT_RETENTION_DAYS = env.int(
    "MAILCHIMP_WEBHOOK_EVENT_RETENTION_DAYS", default=30
)
# Newsletters: news pages sent as Mailchimp campaigns through wagtail-newsletter (works on
# Wagtail 8), with a backend that uses the client above and offers tags as segments.
INSTALLED_APPS = [*INSTALLED_APPS, "wagtail_newsletter"]
WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND = "campaigns.mailchimp.newsletter.CampaignBackend"
WAGTAIL_NEWSLETTER_FROM_NAME = env("MAILCHIMP_FROM_NAME", default=WAGTAIL_SITE_NAME)
WAGTAIL_NEWSLETTER_REPLY_TO = env("MAILCHIMP_REPLY_TO", default="contact@example.org")


# --- Imports, register, delivery (signatories.imports, signatories.register, campaigns.delivery)
# Uploaded import files (personal data) live here, outside MEDIA_ROOT, until the import is over.
IMPORTS_FILE_ROOT = env.path("IMPORTS_FILE_ROOT", default=BASE_DIR / "var" / "imports")

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": env("TASKS_LOG_LEVEL", default="INFO")},
    },
}

# --- Content Security Policy ------------------------------------------------------------------
CSP_POLICY = env(
    "CSP_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'self'; "
        "form-action 'self'; base-uri 'self'; object-src 'none'"
    ),
)
CSP_ADMIN_POLICY = env(
    "CSP_ADMIN_POLICY",
    default=(
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; object-src 'none'"
    ),
)

# --- Periodic tasks (enqueued by `manage.py run_scheduler`, run by the worker) ----------------
# (dotted path of a django-tasks task, interval in seconds)
PERIODIC_TASKS = [
    # The signing queue: what visitors sent, decided within a second or two.
    ("signatories.tasks.process_submissions", 1),
    ("signatories.tasks.purge_submissions", 3600),
    ("signatories.tasks.refresh_counts", env.int("SIGNATURES_COUNTS_REFRESH_SECONDS", default=30)),
    ("signatories.tasks.anonymise_closed_campaigns", 6 * 3600),
    ("campaigns.mailchimp.tasks.drain_outbox", 60),
    ("campaigns.mailchimp.tasks.poll_batches", 30),
    ("campaigns.mailchimp.tasks.reconcile_audiences", 24 * 3600),
    ("campaigns.mailchimp.tasks.purge_old_records", 24 * 3600),
]
