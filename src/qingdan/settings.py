"""Settings for qingdan, read from the environment through the strict helpers in ``qingdan.env``.

With no configuration at all the project runs on SQLite under ``./var`` with DEBUG off only if a real
secret key is given; ``qingdan demo`` and ``./dev`` provide one. See docs/configuration.md.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from qingdan.env import env_bool, env_int, env_list, env_str, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("QINGDAN_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("QINGDAN_DEBUG", False)
SECRET_KEY = secret_key(debug=DEBUG)
# Plain HTTP is allowed only where the operator says so (the demo on loopback); otherwise cookies
# are marked Secure whenever DEBUG is off.
ALLOW_HTTP = env_bool("QINGDAN_ALLOW_HTTP", DEBUG)
ALLOWED_HOSTS = env_list("QINGDAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("QINGDAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "qingdan.core",
    "qingdan.org",
    "qingdan.duties",
    "qingdan.oversight",
    "qingdan.processes",
    "qingdan.documents",
    "qingdan.api",
    "qingdan.portal",
    "qingdan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qingdan.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qingdan.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Must be last: it answers locked-out login attempts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qingdan.urls"
WSGI_APPLICATION = "qingdan.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-level overrides (e.g. the admin dashboard) win over django-unfold's templates.
        "DIRS": [PACKAGE_DIR / "templates"],
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


def _database() -> dict:
    url = env_str("QINGDAN_DATABASE_URL", "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'qingdan.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=env_int("QINGDAN_DB_CONN_MAX_AGE", 60))
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # WAL lets the web server and the task worker read while one writes; IMMEDIATE makes every
        # transaction take the write lock up front, which also serialises the change-log chain.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        config["TEST"] = {"NAME": env_str("QINGDAN_TEST_SQLITE", "") or None}
    elif engine != "django.db.backends.postgresql":
        raise ValueError(f"QINGDAN_DATABASE_URL: unsupported database {engine!r}")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): five failures per user name and address lock for 15 minutes.
AXES_FAILURE_LIMIT = env_int("QINGDAN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("QINGDAN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need ``collectstatic`` first (serve/demo run it); tests switch it off.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("QINGDAN_STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Generated files (exports, handbooks) are private: served only through views that apply the gate.
MEDIA_ROOT = DATA_DIR / "files"

# Upload limits: request bodies, form fields, and the size an importer accepts.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("QINGDAN_MAX_REQUEST_BYTES", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# 工作饱和度: effective working hours a person gives in a year (250 working days × 6.6 hours).
QINGDAN_STANDARD_ANNUAL_HOURS = env_int(
    "QINGDAN_STANDARD_ANNUAL_HOURS", 1650, minimum=100, maximum=8760
)

# Only for bench/: a bare view returning N rows through the same server and middleware.
QINGDAN_BENCH_VIEWS = env_bool("QINGDAN_BENCH_VIEWS", False)
QINGDAN_MAX_UPLOAD_BYTES = env_int("QINGDAN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = not DEBUG and not ALLOW_HTTP
CSRF_COOKIE_SECURE = not DEBUG and not ALLOW_HTTP
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("QINGDAN_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("QINGDAN_API_ANON_RATE", "30/minute"),
        "user": env_str("QINGDAN_API_USER_RATE", "6000/minute"),
    },
    "EXCEPTION_HANDLER": "qingdan.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "qingdan 清单 API",
    "DESCRIPTION": "机构编制与清单数据接口。所有接口按用户数据范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

UNFOLD = {
    "SITE_TITLE": "清单",
    "SITE_HEADER": "机构职能清单管理平台",
    "SITE_SUBHEADER": "三定 · 履职清单 · 监督",
    "SITE_SYMBOL": "checklist",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "qingdan.core.dashboard.dashboard_callback",
    "COLORS": {
        "primary": {
            "50": "oklch(97.1% .013 17.38)",
            "100": "oklch(93.6% .032 17.717)",
            "200": "oklch(88.5% .062 18.334)",
            "300": "oklch(80.8% .114 19.571)",
            "400": "oklch(70.4% .191 22.216)",
            "500": "oklch(63.7% .237 25.331)",
            "600": "oklch(57.7% .245 27.325)",
            "700": "oklch(50.5% .213 27.518)",
            "800": "oklch(44.4% .177 26.899)",
            "900": "oklch(39.6% .141 25.723)",
            "950": "oklch(25.8% .092 26.042)",
        },
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "qingdan.navigation.sidebar",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("QINGDAN_LOG_LEVEL", "WARNING")},
}

# Keep reverse_lazy/_ importable for modules that read settings at import time.
__all__ = ["_", "reverse_lazy"]
