"""OMI Commons settings, read from environment variables.

Every variable is documented in README.md ("Configuration"). With no variables set, the site boots
on SQLite with an embedded Celery broker and keeps all its state under DATA_DIR (default ./var).
"""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from .env import ConfigurationError, env_bool, env_int, env_list, env_path, env_size, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("DATA_DIR", BASE_DIR / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ConfigurationError(
            "SECRET_KEY must be set when DEBUG is off; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # A development key lives beside the data it signs, so sessions survive restarts without a
    # secret ever being committed.
    key_file = DATA_DIR / "dev_secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
# The site's name and address in every e-mail, feed and page: django.contrib.sites' row is kept
# equal to these after each migrate (accounts.sites), so allauth's mails never say "example.com".
SITE_NAME = env_str("SITE_NAME", "OMI Commons")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "config.apps.PlatformConfig",
    "accounts",
    "governance",
    "surveys",
    "datasets_registry",
    "datasets_registry.validation",
    "datasets_registry.resumable",
    "models_registry",
    "models_registry.redteam",
    "notifications",
    "discovery",
    # Last: its handler for every event runs after every other app's (docs/log.md).
    "transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the cookie set by the switcher, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: caption uploads stream through their handler.
    "datasets_registry.uploads.StreamingUploadMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language wins on the site (the API keeps Accept-Language).
    "accounts.language.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.jsonsafe.FormTextMiddleware",
    "config.outages.OutageMiddleware",
    # The site's own 404 page with DEBUG on too, unless DEBUG_404=1 (Django's URL list).
    "config.notfound.SiteNotFoundMiddleware",
]
# A developer who wants Django's technical 404 page (every URL pattern) with DEBUG on.
DEBUG_404 = env_bool("DEBUG_404", False)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
except ValueError as exc:
    raise ConfigurationError(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers of every process queued on one lock (config/sqlite3).
    DATABASES["default"]["ENGINE"] = "config.sqlite3"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # The web process and the worker write to the same file: wait for the lock instead of
        # failing, and take the write lock up front so two writers never deadlock on upgrade.
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that worker processes started by the tests see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by every process: throttling and rate limits depend on it) -------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CACHE_URL = env_str(
    "CACHE_URL",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "omi"),
        }
    }
elif CACHE_URL in ("", "db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "omi_cache",
        }
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ConfigurationError(f"CACHE_URL={CACHE_URL!r}: use redis://…, db:// or locmem://.")

# --- Auth and accounts ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
if ACCOUNT_EMAIL_VERIFICATION not in ("none", "optional", "mandatory"):
    raise ConfigurationError("ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory.")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# The site's words on allauth's forms ("Log in", "Username or e-mail").
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
# Sign-up and password reset never tell whether an address is registered (see accounts.adapter).
ACCOUNT_PREVENT_ENUMERATION = "strict"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@{urlsplit(SITE_URL).hostname or 'localhost'}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where django.core.mail.backends.filebased.EmailBackend writes (one file per connection), so a
# demo or a test can read the mail the site sent.
EMAIL_FILE_PATH = str(env_path("EMAIL_FILE_PATH", DATA_DIR / "mail"))

# --- Transparency log (transparency/, docs/log.md) -----------------------------------------
# The checkpoint's origin line and the log key's name; the key (PRIVATE+KEY+... signer key) or,
# unset, one generated into DATA_DIR/log_signing_key on first use; seconds between signatures.
LOG_ORIGIN = env_str("LOG_ORIGIN", f"{SITE_URL.split('://', 1)[-1].split('/', 1)[0]}/log")
LOG_SIGNING_KEY = env_str("LOG_SIGNING_KEY", "")
LOG_CHECKPOINT_INTERVAL = env_int("LOG_CHECKPOINT_INTERVAL", 5, minimum=0)

# --- Notifications (notifications/, docs/notifications.md) -----------------------------------
# Digests go out at this hour of TIME_ZONE: daily ones every day, weekly ones on this weekday
# (0 = Monday).
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 7, minimum=0)
NOTIFICATIONS_DIGEST_WEEKDAY = env_int("NOTIFICATIONS_DIGEST_WEEKDAY", 0, minimum=0)
if NOTIFICATIONS_DIGEST_HOUR > 23 or NOTIFICATIONS_DIGEST_WEEKDAY > 6:
    raise ConfigurationError(
        "NOTIFICATIONS_DIGEST_HOUR is 0-23 and NOTIFICATIONS_DIGEST_WEEKDAY 0-6 (0 = Monday)."
    )
# How often the bell in the header asks for the unread count (htmx polling).
NOTIFICATIONS_BELL_POLL_SECONDS = env_int("NOTIFICATIONS_BELL_POLL_SECONDS", 30, minimum=1)
# Webhooks never reach private, loopback, link-local or reserved addresses unless this is set
# (a receiver on this machine, in development and in tests).
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
# The key that encrypts webhook secrets at rest (derived from SECRET_KEY when unset), so the
# database alone never reveals them.
WEBHOOK_SECRET_KEY = env_str("WEBHOOK_SECRET_KEY")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=0)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 20, minimum=1)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The site's languages: English is the source, the others have complete catalogues in locale/
# (README: "Adding a language"). Each name is written in its own language, for the switcher.
LANGUAGES = [
    ("en", "English"),
    ("it", "Italiano"),
    ("pt-br", "Português (Brasil)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "omi_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env_size("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
DATASET_UPLOAD_MAX_BYTES = env_size("DATASET_UPLOAD_MAX_BYTES", 5 * 1024**3)
# All the files of one model version upload together (weights, configs, scripts).
MODEL_UPLOAD_MAX_BYTES = env_size("MODEL_UPLOAD_MAX_BYTES", 50 * 1024**3)
# Upload temporaries untouched for this long were left by a killed process and are removed (at
# the start of the web process and the worker, and hourly from beat).
UPLOAD_TEMP_MAX_AGE_SECONDS = env_int("UPLOAD_TEMP_MAX_AGE_SECONDS", 6 * 3600, minimum=60)

STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
    if not env_str("S3_BUCKET"):
        raise ConfigurationError("STORAGE_BACKEND=s3 needs S3_BUCKET.")
else:
    raise ConfigurationError(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use local or s3.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security (production values whenever DEBUG is off) ---------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Clients and rate limits ----------------------------------------------------------------
# How many proxies in front append to X-Forwarded-For. Unset or 0: the header is ignored and
# clients are identified by REMOTE_ADDR (config/clients.py); anyone can forge the header.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES  # allauth asks config.clients anyway (accounts.adapter)
# Creating API tokens, on the account page and through the API alike: one counter per person.
TOKEN_CREATION_RATE = env_str("API_THROTTLE_TOKENS", "30/min")

# --- Content Security Policy (config/security.py) --------------------------------------------
CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY", "")

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonRateThrottle",
        "config.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
        "tokens": env_str("API_THROTTLE_TOKENS", "30/min"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OMI Commons API",
    "DESCRIPTION": (
        "Working groups, proposals, votes and the public ledger; community surveys; metadata "
        "standards, the dataset registry and caption validation. Authenticate with "
        "`Authorization: Token <key>`. Every 4xx has the shape "
        '`{"detail": "...", "errors": {"<field>": ["message"]}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI is served from our own static files: the site works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status": name each choice set so the schema's enums are stable.
    "ENUM_NAME_OVERRIDES": {
        "DatasetStatusEnum": "datasets_registry.models.Dataset.Status",
        "StandardVersionStatusEnum": "datasets_registry.models.StandardVersion.Status",
        "ProposalStatusEnum": "governance.models.Proposal.Status",
        "WorkingGroupStatusEnum": "governance.models.WorkingGroup.Status",
        "MembershipStatusEnum": "governance.models.Membership.Status",
        "SurveyStatusEnum": "surveys.models.Survey.Status",
        "ValidationRunStatusEnum": "datasets_registry.validation.models.ValidationRun.Status",
        "DatasetVersionFormatEnum": "datasets_registry.models.DatasetVersion.Format",
        "WebhookFormatEnum": "notifications.models.Webhook.Format",
        "ModelVersionStatusEnum": "models_registry.models.ModelVersion.Status",
        "MetadataStandardKindEnum": "datasets_registry.models.MetadataStandard.Kind",
        "KindEnum": "governance.models.Proposal.Kind",
        "FindingStatusEnum": "models_registry.redteam.models.Finding.Status",
        "FindingSeverityEnum": "models_registry.redteam.taxonomy.SEVERITY_CHOICES",
        "CampaignStatusEnum": "models_registry.redteam.models.Campaign.Status",
    },
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_DIR = DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcasts (purge, control commands) would otherwise land in ./control.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # Kombu polls the folder once a second by default: up to a second lost at each hop of a
        # validation run (coordinator, chunks, finaliser). A listing every 0.1 s costs nothing.
        "polling_interval": 0.1,
    }
else:
    # Unacknowledged messages come back after this long; our own lease sweeper recovers much
    # sooner, so this only has to be longer than any task's hard time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Caption validation -----------------------------------------------------------------------
# A chunk (and a run's coordinator or finaliser) is claimed for a lease, renewed by a heartbeat
# while its worker lives; the sweeper hands it to another worker once the lease lapses (the worker
# was killed). A short lease means a fast takeover; the heartbeat keeps long chunks alive.
VALIDATION_LEASE_SECONDS = env_int("VALIDATION_LEASE_SECONDS", 60, minimum=2)
VALIDATION_HEARTBEAT_SECONDS = env_int(
    "VALIDATION_HEARTBEAT_SECONDS", max(1, VALIDATION_LEASE_SECONDS // 4), minimum=1
)
if VALIDATION_HEARTBEAT_SECONDS * 2 > VALIDATION_LEASE_SECONDS:
    raise ConfigurationError(
        f"VALIDATION_HEARTBEAT_SECONDS={VALIDATION_HEARTBEAT_SECONDS} must be at most half of "
        f"VALIDATION_LEASE_SECONDS={VALIDATION_LEASE_SECONDS}, or a live worker loses its lease."
    )
# A message still unconsumed this long after it was sent is presumed lost and sent again.
VALIDATION_REDISPATCH_SECONDS = env_int(
    "VALIDATION_REDISPATCH_SECONDS", 4 * VALIDATION_LEASE_SECONDS, minimum=VALIDATION_LEASE_SECONDS
)
VALIDATION_CHUNK_BYTES = env_size("VALIDATION_CHUNK_BYTES", 32 * 1024**2)
VALIDATION_MAX_ATTEMPTS = env_int("VALIDATION_MAX_ATTEMPTS", 4, minimum=1)
VALIDATION_MAX_DECOMPRESSED_BYTES = env_size("VALIDATION_MAX_DECOMPRESSED_BYTES", 50 * 1024**3)
# A compressed caption file may inflate to at most this many times its size (judged while it
# inflates, past its first 16 MiB): text compresses 3-10x, a compression bomb far more.
DATASET_MAX_EXPANSION_RATIO = env_int("DATASET_MAX_EXPANSION_RATIO", 100, minimum=0)
# Rows (JSON Lines: lines) a caption file may have; 0: no limit. The duplicate rules keep ~50
# bytes per row for the whole file, so this bounds a run's memory.
DATASET_MAX_ROWS = env_int("DATASET_MAX_ROWS", 20_000_000, minimum=0)
# Decompressed bytes an upload reads in the request to count a compressed or CSV/TSV file's
# rows; past it the version's row_count is null until its validation run counts them.
DATASET_UPLOAD_COUNT_BYTES = env_size("DATASET_UPLOAD_COUNT_BYTES", 256 * 1024**2)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# --- Red-team campaigns (models_registry.redteam) --------------------------------------------
# Evidence images per finding, and the size of each (bytes).
REDTEAM_EVIDENCE_MAX_FILES = env_int("REDTEAM_EVIDENCE_MAX_FILES", 5, minimum=0)
REDTEAM_EVIDENCE_MAX_BYTES = env_int("REDTEAM_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
