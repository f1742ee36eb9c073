"""Settings shared by every environment. Read through ``collab.settings.env``.

``DATABASE_URL`` (PostgreSQL, required) and ``REDIS_URL`` choose the real
services. The local settings default ``DATABASE_URL`` to the embedded
PostgreSQL server that ``make run`` starts under ``var/postgres``
(``collab/devdb.py``); without ``REDIS_URL``, Celery uses its filesystem
transport under ``var/``, so ``make run`` needs nothing else installed.
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, env, env_secret

VAR_DIR = Path(env.str("COLLAB_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env_secret("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "departments",
    "requests_sla",
    "pipeline",
    "finance",
    "pricing",
    "enablement",
    "roadmap",
    "incentives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte in a path, query string or form post is a 400 before any view reads it.
    "collab.limits.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tenancy first, then language: the organization's default language is
    # one of the inputs of the language choice.
    "collab.middleware.TenantMiddleware",
    "collab.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "collab.urls"
WSGI_APPLICATION = "collab.wsgi.application"
ASGI_APPLICATION = "collab.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collab.context_processors.collab",
                "requests_sla.notifications.context_processors.notifications",
                "departments.context_processors.invitations",
            ],
            # {% load collab %}: money and number formats (collab/templatetags.py).
            "libraries": {"collab": "collab.templatetags"},
        },
    }
]

# PostgreSQL only, 15 to 18: the funnel, the dashboard's percentiles and the
# sweep's set-based statements are the same SQL in `make run`, tests and production.
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must point at PostgreSQL 15 to 18 (postgres://user:password@host:port/"
        f"name); it names the {DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} backend, "
        "which Collab does not support (`make run` without DATABASE_URL starts its own "
        "PostgreSQL)."
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Client-side cursors for .iterator() too: every statement carries its tenancy
# scope in its own query string (collab/rls.py), which a DECLARE cannot; and a
# transaction-mode pooler (PgBouncer) needs it anyway.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Row-level security (collab/rls.py, README "Database roles"): DATABASE_URL
# connects as the app role (no superuser, no BYPASSRLS, owns no table);
# `manage.py migrate` runs with DATABASE_URL naming the owner role, which owns
# the tables. dangerously_unscoped() switches to the service role (BYPASSRLS,
# NOLOGIN; the app role is a member of it).
COLLAB_DB_APP_ROLE = env.str("COLLAB_DB_APP_ROLE", default="collab_app")
COLLAB_DB_SERVICE_ROLE = env.str("COLLAB_DB_SERVICE_ROLE", default="collab_service")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # SafeRedisCache: a Redis outage is logged and read as a cache miss, so
    # sessions (cached_db) fall back to the database and pages keep working.
    CACHES = {
        "default": {
            "BACKEND": "collab.cache.SafeRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Every page reads the session: from the cache (Redis in production), with
# the database behind it, so a cache flush logs nobody out and a Redis
# outage (SafeRedisCache answers it as a miss) signs nobody out either.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes, departments.signin): five failures per
# username+IP lock that pair for an hour, and COLLAB_SIGNIN_IP_FAILURE_LIMIT
# failures from one IP, whatever the usernames, lock that IP (one address
# cannot spray many usernames). A success clears only its own username+IP.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
COLLAB_SIGNIN_IP_FAILURE_LIMIT = env.int("COLLAB_SIGNIN_IP_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "departments.signin.SignInLockoutHandler"
AXES_LOCKOUT_CALLABLE = "departments.signin.lockout_response"
# The client's address, read with django-ipware: behind N reverse proxies
# that each append to X-Forwarded-For, the client is the N-th address from
# its right; with 0 (the app faces the clients) only REMOTE_ADDR counts and
# the header, which anyone can forge, is ignored.
COLLAB_TRUSTED_PROXY_COUNT = env.int("COLLAB_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "departments.signin.client_ip"

# Invitations of existing users wait this many days for an answer; API tokens
# live at most COLLAB_API_TOKEN_MAX_DAYS (the token endpoint's default is
# COLLAB_API_TOKEN_DAYS).
COLLAB_INVITATION_DAYS = env.int("COLLAB_INVITATION_DAYS", default=7)
COLLAB_API_TOKEN_DAYS = env.int("COLLAB_API_TOKEN_DAYS", default=90)
COLLAB_API_TOKEN_MAX_DAYS = env.int("COLLAB_API_TOKEN_MAX_DAYS", default=365)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["collab.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Collab <collab@localhost>")

# Celery: Redis when REDIS_URL is set, else the filesystem transport under var/.
# (The filesystem URL names a host only so that kombu does not warn at every start.)
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
if not REDIS_URL:
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),  # else ./control in the checkout
        "store_processed": False,
    }
else:
    # Retries with backoff stay below this, so a task is never redelivered
    # while its first attempt is still legitimately waiting.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Sending a task waits at most this long for the broker (collab.tasks.enqueue
# sends without the publisher's retry loop, so an outage costs one timeout).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
# The database is the source of truth for deadlines: beat only says "look now".
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE: dict = {
    "sla-sweep": {"task": "requests_sla.sla_sweep", "schedule": SLA_SWEEP_SECONDS},
    "deliveries-sweep": {"task": "requests_sla.deliveries_sweep", "schedule": SLA_SWEEP_SECONDS},
    "roadmap-sweep": {"task": "roadmap.sweep", "schedule": crontab(minute=7)},
    # Dashboard summary reconciliation (kept in step synchronously; this is the net).
    "dashboard-outcomes-rebuild": {
        "task": "requests_sla.dashboard_outcomes_rebuild",
        "schedule": crontab(hour=3, minute=17),
    },
    "finance-risk-nightly": {"task": "finance.risk_nightly", "schedule": crontab(hour=2, minute=7)},
    "pricing-quotes-expire": {
        "task": "pricing.quotes_expire",
        "schedule": crontab(hour=0, minute=7),
    },
}

# Request bodies: Django's form limit (2.5 MB) for JSON bodies too, and at
# most this many levels of JSON nesting (collab/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
COLLAB_JSON_MAX_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
COLLAB_JSON_MAX_DEPTH = env.int("COLLAB_JSON_MAX_DEPTH", default=32)

REST_FRAMEWORK = {
    # Tokens first: a refused token is a 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "departments.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON bodies within COLLAB_JSON_MAX_BYTES and COLLAB_JSON_MAX_DEPTH, no NUL (collab/limits.py).
    "DEFAULT_PARSER_CLASSES": [
        "collab.limits.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "collab.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Collab API",
    "DESCRIPTION": "Collaboration requests with SLA timers. Authenticate with "
    "`Authorization: Token <key>` (create keys on the account page or at /api/auth/token/; "
    "they expire). Send `X-Organization: <slug>` to choose the organization: a token "
    "client that belongs to several organizations gets a 400 without it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, so clients get stable enum names.
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "requests_sla.models.Priority",
        "ExceptionKindEnum": "requests_sla.models.ExceptionKind",
        "TimerKindEnum": "requests_sla.models.TimerKind",
        "SlaEventKindEnum": "requests_sla.models.SlaEventKind",
        "NotificationKindEnum": "requests_sla.models.NotificationKind",
        "LeadKindEnum": "pipeline.models.LeadKind",
        "FollowUpKindEnum": "pipeline.models.FollowUpKind",
        "QuoteStateEnum": "pricing.models.QuoteState",
        # Products, commission rate lines and a sprint's product mix share it.
        "CategoryEnum": "pricing.catalog.models.Category",
        "PriceListStateEnum": "pricing.models.PriceListState",
        "AssetKindEnum": "enablement.models.AssetKind",
        "AssetCustomerSizeEnum": "enablement.models.CustomerSize",
        "ExpenseKindEnum": "finance.expenses.models.ExpenseKind",
        "RequirementStateEnum": "roadmap.models.State",
        "LeadSourceEnum": "pipeline.leads.models.LeadSource",
        "CampaignKindEnum": "enablement.models.CampaignKind",
        "CampaignResponseKindEnum": "enablement.models.ResponseKind",
    },
}

# Content Security Policy: every asset is served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The audit trail of cross-organization access (tenancy.dangerously_unscoped).
        "collab.tenancy.unscoped": {"level": env.str("COLLAB_UNSCOPED_LOG_LEVEL", default="INFO")},
    },
}

# Collaboration requests: attachments (size, allowed extensions and types)
# and how long a requester may reopen a resolved request. (How apps plug into
# each other — provisioning and demo steps, link checks, navigation — is not
# configured here: each app registers itself in its AppConfig.ready(); see
# docs/ARCHITECTURE.md.)
COLLAB_ATTACHMENT_MAX_BYTES = env.int("COLLAB_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
COLLAB_ATTACHMENT_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "csv",
    "txt",
    "md",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "zip",
]
COLLAB_ATTACHMENT_CONTENT_TYPES = [
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/csv",
    "text/plain",
    "text/markdown",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/zip",
    "application/x-zip-compressed",
    "application/octet-stream",
]
COLLAB_REOPEN_DAYS = env.int("COLLAB_REOPEN_DAYS", default=14)
# Attachments are served only by the download view (requests_sla.requests.
# views.files), never from MEDIA_URL. Behind nginx, set the prefix of an
# ``internal`` location aliased to MEDIA_ROOT and the view answers with
# X-Accel-Redirect instead of streaming the file itself (see README).
SENDFILE_X_ACCEL_PREFIX = env.str("SENDFILE_X_ACCEL_PREFIX", default="")
# Outgoing webhooks reach public addresses only (collab/outbound.py). Extra
# ports besides 80/443, and networks let through despite being internal
# (tests' listener on 127.0.0.1, an on-premises receiver): both empty by
# default, which is strict.
COLLAB_WEBHOOK_ALLOWED_PORTS = env.list("COLLAB_WEBHOOK_ALLOWED_PORTS", cast=int, default=[])
COLLAB_WEBHOOK_ALLOWED_NETWORKS = env.list("COLLAB_WEBHOOK_ALLOWED_NETWORKS", default=[])
# How long a download link in an email stays valid (seconds; 7 days).
COLLAB_ATTACHMENT_LINK_MAX_AGE = env.int("COLLAB_ATTACHMENT_LINK_MAX_AGE", default=7 * 24 * 3600)
# How long an approval link in an email stays valid (seconds; 3 days).
COLLAB_APPROVAL_LINK_MAX_AGE = env.int("COLLAB_APPROVAL_LINK_MAX_AGE", default=3 * 24 * 3600)
