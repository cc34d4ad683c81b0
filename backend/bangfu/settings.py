"""Settings from the environment (SPEC §9), with embedded defaults (SPEC §10).

With no environment at all the service runs on a SQLite file and kombu's server-less filesystem broker
under the data directory; production sets DATABASE_URL, CELERY_BROKER_URL, REDIS_URL and the keys.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("BANGFU_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret(name: str) -> str:
    """A key generated once per data directory, so the embedded demo needs no setup."""
    path = DATA_DIR / f"{name}.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


EMBEDDED = "DATABASE_URL" not in os.environ
DEBUG = _env_bool("BANGFU_DEBUG", EMBEDDED)
SECRET_KEY = os.environ.get("BANGFU_SECRET_KEY") or _local_secret("secret")
# Encrypts ID numbers, phones and bank accounts at rest (SPEC §8). Losing it loses that data.
BANGFU_DATA_KEY = os.environ.get("BANGFU_DATA_KEY") or _local_secret("data")
# The demo's clock (backend/common/clock.py): days added to the wall clock; `bangfu demo --today` writes the
# file so every process of that data directory shares it.
_clock_file = DATA_DIR / "demo-clock-offset-days"
BANGFU_CLOCK_OFFSET_DAYS = int(os.environ.get("BANGFU_CLOCK_OFFSET_DAYS")
                               or (_clock_file.read_text().strip() if _clock_file.exists() else 0))
ALLOWED_HOSTS = [h for h in os.environ.get("BANGFU_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("BANGFU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
BANGFU_PUBLIC_URL = os.environ.get("BANGFU_PUBLIC_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_celery_results",
    "backend.tenancy",
    "backend.directory",
    "backend.households",
    "backend.fieldwork",
    "notifications",
    "workflows.core",
    "workflows.pairings",
    "workflows.rosters",
    "workflows.replacements",
    "workflows.reporting",
    "workflows.accountability",
    "workflows.engine",
    "workflows.plans",
    "workflows.income",
    "workflows.deliveries",
    "workflows.inspections",
    "backend.documents",
    "backend.api",
    "backend.web",
    "backend.bangfu",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.bangfu.urls"
WSGI_APPLICATION = "backend.bangfu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'bangfu.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web, worker and beat processes read while one writes; IMMEDIATE takes the write lock
    # at BEGIN so concurrent writers queue on the busy timeout instead of failing mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/login/"
# Web sign-in throttling (SPEC §8): failed attempts per user name and per address within the window.
BANGFU_LOGIN_FAILURES_PER_USER = int(os.environ.get("BANGFU_LOGIN_FAILURES_PER_USER", "5"))
BANGFU_LOGIN_FAILURES_PER_IP = int(os.environ.get("BANGFU_LOGIN_FAILURES_PER_IP", "50"))
BANGFU_LOGIN_FAILURE_WINDOW = int(os.environ.get("BANGFU_LOGIN_FAILURE_WINDOW", "900"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["backend.api.permissions.IsTenantMember"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bangfu 帮扶 API",
    "DESCRIPTION": "Paired-assistance workflow service (莱扶贫组发〔2018〕8号).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served by us: county intranets have no internet (SPEC §9).
    "SWAGGER_UI_DIST": "SIDECAR",
    # Every machine has a `state`; name each choice set after its machine.
    "ENUM_NAME_OVERRIDES": {
        "PairingStateEnum": "workflows.pairings.models.PairingState",
        "RosterStateEnum": "workflows.rosters.models.RosterState",
        "ReplacementStateEnum": "workflows.replacements.models.ReplacementState",
        "QuarterlyReportStateEnum": "workflows.reporting.models.ReportState",
        "EscalationStateEnum": "workflows.accountability.models.EscalationState",
        "MissStateEnum": "workflows.accountability.models.MissState",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}

# The card's public QR page (S15): rate limits per client address and per card, counted in the cache above
# (Redis in production). Behind nginx, name the header carrying the client address (HTTP_X_REAL_IP).
BANGFU_PUBLIC_RATES = {
    "view": os.environ.get("BANGFU_PUBLIC_VIEW_RATE", "60/h"),
    "submit": os.environ.get("BANGFU_PUBLIC_SUBMIT_RATE", "20/h"),
    "submit_per_card": os.environ.get("BANGFU_PUBLIC_SUBMIT_PER_CARD_RATE", "30/d"),
}
BANGFU_PUBLIC_CARD_VISITS = 20  # records listed on the QR page, newest first
RATELIMIT_IP_META_KEY = os.environ.get("BANGFU_CLIENT_IP_META") or None

# Celery: Redis in production, kombu's filesystem transport when embedded.
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": True,
        "polling_interval": 0.5,
    }
else:
    # Longer than the longest task (ENGINE_TASK_TIME_LIMIT), so a slow task is not redelivered while it still
    # runs; a task of a killed worker comes back after it.
    # Workers look for such messages every interval × throttle seconds (kombu's defaults: 10 × 10).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 4 * 3600)),
        "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": int(os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# The deadline engine (workflows/engine, docs/engine.md). Beat ticks every ENGINE_TICK_SECONDS; each
# tenant's run starts at its Policy.engine_hour. A run whose worker is silent for ENGINE_LEASE_SECONDS is sent
# again; a failed one is retried after ENGINE_RETRY_SECONDS, at most ENGINE_MAX_ATTEMPTS times.
ENGINE_TICK_SECONDS = int(os.environ.get("ENGINE_TICK_SECONDS", "60"))
ENGINE_LEASE_SECONDS = int(os.environ.get("ENGINE_LEASE_SECONDS", "900"))
ENGINE_RETRY_SECONDS = int(os.environ.get("ENGINE_RETRY_SECONDS", "300"))
ENGINE_MAX_ATTEMPTS = int(os.environ.get("ENGINE_MAX_ATTEMPTS", "3"))
ENGINE_TASK_TIME_LIMIT = int(os.environ.get("ENGINE_TASK_TIME_LIMIT", 2 * 3600))

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bangfu@localhost")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_SECRET = os.environ.get("SMS_GATEWAY_SECRET", "")
WECOM_WEBHOOK_URL = os.environ.get("WECOM_WEBHOOK_URL", "")
# Notifications (docs/notifications.md). E-mail goes out only where a mail server was configured.
NOTIFY_EMAIL_ENABLED = _env_bool("NOTIFY_EMAIL", "EMAIL_HOST" in os.environ)
SMS_GATEWAY_VENDOR = os.environ.get("SMS_GATEWAY_VENDOR", "generic")
SMS_GATEWAY_SIGN_NAME = os.environ.get("SMS_GATEWAY_SIGN_NAME", "")
SMS_GATEWAY_TEMPLATES = json.loads(os.environ.get("SMS_GATEWAY_TEMPLATES", "{}"))  # kind -> vendor template id
SMS_GATEWAY_TIMEOUT = int(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))
NOTIFY_BATCH = int(os.environ.get("NOTIFY_BATCH", "200"))
NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", "600"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "60"))
NOTIFY_RETRY_MAX_SECONDS = int(os.environ.get("NOTIFY_RETRY_MAX_SECONDS", "3600"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and _env_bool("BANGFU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BANGFU_LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
