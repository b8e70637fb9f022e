"""NIM Portal settings: every value comes from the environment (see env.py and the README table).

The demo defaults (SQLite, eager Celery, 2FA optional) need no server; production mode
(DJANGO_ENV=production) refuses to start with unsafe values.
"""

from pathlib import Path

import dj_database_url

from .celery import *  # noqa: F403
from .env import DEMO_SECRET_KEY, PRODUCTION, env_bool, env_int, env_list, env_str
from .security import *  # noqa: F403
from .security import refuse_unsafe_production
from .storage import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent

PRODUCTION_MODE = PRODUCTION
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEMO_SECRET_KEY)
# Off unless asked for, in the demo too: its visitors see the portal's own error pages, never
# Django's debug pages (which list every URL pattern and the code behind an error).
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # Before nim_portal, whose admin module unregisters knox's token admin.
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "simple_history",
    "treebeard",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "nim_portal",
    "products",
    "partners",
    "tasking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nim_portal.middleware.StatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before SecondFactorRequiredMiddleware, which answers htmx requests differently.
    "django_htmx.middleware.HtmxMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "nim_portal.middleware.SessionTimeoutMiddleware",
    "nim_portal.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must come last so that it sees every failed sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nim_portal.urls"
WSGI_APPLICATION = "nim_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "nim_portal.context_processors.portal",
            ],
        },
    },
]

# Django's renderer with selects written in Python (see the module).
FORM_RENDERER = "nim_portal.forms.rendering.PortalFormRenderer"

DATABASE_URL = env_str("DATABASE_URL")
SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "nim_portal.sqlite3")))
if not DATABASE_URL:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
    if DATABASE_URL
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(SQLITE_PATH),
        "OPTIONS": {"timeout": 20},
    }
}
# Web processes cap each SQL statement (gunicorn hands this to its workers only, see
# docker-compose.yml): one slow page then fails alone instead of holding a worker while the
# meeting screens' polls wait behind it. Workers, beat and migrations run without a cap.
# PostgreSQL's JIT compiles plans for a second on the portal's short queries (full-text search
# above all), so it is off for every connection.
DATABASE_STATEMENT_TIMEOUT_MS = env_int("NIM_DB_STATEMENT_TIMEOUT_MS", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _server_options = ["-c jit=off"]
    if DATABASE_STATEMENT_TIMEOUT_MS > 0:
        _server_options.append(f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_server_options)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "nim_portal.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so that a locked-out sign-in is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "nim_portal.access.backends.PortalBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# Dates are filled and shown as their hint says (nim_portal.forms.fields.DATE_HINT).
FORMAT_MODULE_PATH = "nim_portal.forms.formats"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves the static files whatever DEBUG says: in production from STATIC_ROOT
# (collectstatic), in the demo straight from the apps' and static/'s folders, so that
# `make demo` serves them with DEBUG off and without collecting them first.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "nim-portal@localhost")
# The address people use to reach the portal, for links in e-mails (which carry nothing else).
NIM_PORTAL_URL = env_str("NIM_PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
# Partner information: the largest attachment (in megabytes) and how many files one upload takes.
NIM_SUBMISSION_ATTACHMENT_MAX_MB = env_int("NIM_SUBMISSION_ATTACHMENT_MAX_MB", 5)
NIM_SUBMISSION_ATTACHMENTS_MAX = env_int("NIM_SUBMISSION_ATTACHMENTS_MAX", 5)

# django-guardian: no anonymous user; object permissions are never granted to the public.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

SIMPLE_HISTORY_REVERT_DISABLED = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["nim_portal.api.permissions.IsPoliceUser"],
    "DEFAULT_PARSER_CLASSES": [
        "nim_portal.api.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "nim_portal.pagination.BoundedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "nim_portal.api.refusals.refusal_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NIM Portal API",
    "DESCRIPTION": "Tasking and co-ordination under the National Intelligence Model.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "nim_portal.api.schema.add_the_answers_of_every_operation",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the drf-spectacular-sidecar package: no CDN, no inline script.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "nim_portal.choices.UnitKind",
        "UserKindEnum": "nim_portal.choices.UserKind",
        "GSCMarkingEnum": "nim_portal.choices.GSCMarking",
        "ProductKindEnum": "products.choices.ProductKind",
        "ProductStatusEnum": "products.choices.ProductStatus",
        "ClosureReasonEnum": "products.choices.ClosureReason",
        "AgencyKindEnum": "partners.choices.AgencyKind",
        "ReleaseStatusEnum": "partners.choices.ReleaseStatus",
        "ReleaseMarkingEnum": "partners.choices.RELEASE_MARKING_CHOICES",
        "DocumentStatusEnum": "partners.choices.DocumentStatus",
        "PartnerReleaseStatusEnum": "partners.serializers.PARTNER_RELEASE_STATUS_CHOICES",
        "ControlStrategyStatusEnum": "tasking.strategy.choices.ControlStrategyStatus",
        "RequirementItemStatusEnum": "tasking.strategy.choices.RequirementItemStatus",
        "SubmissionStatusEnum": "tasking.submissions.choices.SubmissionStatus",
        "MeetingKindEnum": "tasking.meetings.choices.MeetingKind",
        "MeetingStatusEnum": "tasking.meetings.choices.MeetingStatus",
        "AgendaItemKindEnum": "tasking.meetings.choices.AgendaItemKind",
        "SubmissionEntryKindEnum": "tasking.submissions.choices.EntryKind",
        "SubmissionSourceTypeEnum": "tasking.submissions.choices.SourceType",
        "CapabilityKindEnum": "tasking.resources.choices.CapabilityKind",
        "CapabilityStatusEnum": "tasking.resources.choices.CapabilityStatus",
        "BidStatusEnum": "tasking.bids.choices.BidStatus",
        "RoleEnum": "nim_portal.choices.Role",
        "RequirementLinkRoleEnum": "tasking.strategy.choices.RequirementLinkRole",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Vetting decides the highest marking a user may read; the table itself is data (VettingClearance).
NIM_DEMO_PASSWORD_DEFAULT = "Demo-Passw0rd-2026"  # noqa: S105  (printed by make demo)

refuse_unsafe_production(SECRET_KEY, DEBUG, ALLOWED_HOSTS)
