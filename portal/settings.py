"""Settings for the Partner Cities Portal, driven by environment variables (see README)."""

import datetime
import os
from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "reversion",
    "axes",
    "partners",
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions and CSRF: it stores only responses that set none of their cookies.
    "portal.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost, so it sees the view's exceptions first: a locked SQLite database is a 503.
    "portal.busy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "partners.context_processors.home_city",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Staff saving at the same moment: WAL lets pages read while one save writes; IMMEDIATE
    # takes the write lock when a transaction starts, so a second writer waits up to
    # `timeout` seconds for it instead of failing mid-transaction ("database is locked").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("DJANGO_SQLITE_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compiling: for the dormant report at 10,000 partners PostgreSQL spent 540 ms
    # compiling a query that ran in 350 ms (scripts/bench_exchanges.py); the pages' queries
    # are short, which is what its JIT does not pay off for.
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c jit=off",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache that every app server shares: pages, sessions, and the import preview's file kept
# between preview and confirm (partners/admin/spreadsheets.py), which must reach any server.
PORTAL_SHARED_CACHE = bool(os.environ.get("REDIS_URL"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    # With a shared cache, each process keeps copies of the pages it read from it.
    "local-pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "local-pages",  # its own store: locmem caches share one per location
        "OPTIONS": {"MAX_ENTRIES": 100},
    },
    # Anonymous visitors' pages (portal/page_cache.py), apart from "default" so that a flood
    # of pages cannot push the import previews out.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("PORTAL_PAGE_CACHE_ENTRIES", 300)},
    },
}
if PORTAL_SHARED_CACHE:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        # Short timeouts, as the version mirror's: a stalled Redis costs a page its render
        # (portal/page_cache.py passes over a cache that does not answer), not seconds.
        "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
    }
    CACHES["pages"] = CACHES["default"]
    # Sessions read from the shared cache and survive in the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Anonymous visitors' pages are kept in this cache per data version (portal/page_cache.py);
# shared caches (a CDN, a proxy) may keep them this many seconds, browsers revalidate.
PORTAL_PAGE_SHARED_MAX_AGE = env_int("PORTAL_PAGE_SHARED_MAX_AGE", 60)
# Names the deployed code in the pages' cache key and ETag; unset, a digest of the code,
# templates and translations (portal/page_cache.py release_digest).
PORTAL_RELEASE = os.environ.get("PORTAL_RELEASE", "")
# With REDIS_URL, the data version is mirrored there (partners/version_mirror.py), so a cached
# page costs one Redis GET and no database query; every app server must then have REDIS_URL.
PORTAL_VERSION_MIRROR_URL = os.environ.get("REDIS_URL", "")
# Stored pages larger than portal/page_cache.py's LOCAL_COPY_MAX_BYTES (the downloads, the
# sitemap at scale) are also kept as files here, with a gzip copy, and sent by the server's
# sendfile: each app server its own folder, named by data version, so none is ever stale.
PORTAL_PAGE_FILES_DIR = Path(os.environ.get("PORTAL_PAGE_FILES_DIR", BASE_DIR / "var" / "pages"))
# Behind the nginx of deploy/nginx-portal.conf: the internal location that serves
# PORTAL_PAGE_FILES_DIR ("/_page-files/"). Requests that nginx marks as able to take it are then
# answered with X-Accel-Redirect and their file is sent by nginx, not by an app worker (see
# portal/page_files.py sent_by_nginx); empty (the default), gunicorn sends them.
PORTAL_PAGE_FILES_ACCEL_URI = os.environ.get("PORTAL_PAGE_FILES_ACCEL_URI", "")
if PORTAL_PAGE_FILES_ACCEL_URI and not (
    PORTAL_PAGE_FILES_ACCEL_URI.startswith("/") and PORTAL_PAGE_FILES_ACCEL_URI.endswith("/")
):
    raise ImproperlyConfigured("PORTAL_PAGE_FILES_ACCEL_URI must start and end with /.")

# django-axes checks attempts before the normal backend authenticates.
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

LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]


def s3_media_storage(environ: Mapping[str, str]) -> dict:
    """The STORAGES entry for media on an S3-compatible store, from PORTAL_S3_* variables."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["PORTAL_S3_BUCKET"],
            "endpoint_url": environ.get("PORTAL_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("PORTAL_S3_REGION") or None,
            "custom_domain": environ.get("PORTAL_S3_CUSTOM_DOMAIN") or None,
            "location": environ.get("PORTAL_S3_PREFIX", ""),
            # Photo URLs go into cached pages, so they must not expire; documents are
            # never linked by their storage URL, only streamed through the portal's view.
            "querystring_auth": False,
            "default_acl": None,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }


# Media (photos, agreement documents) on the local disk under MEDIA_ROOT, or, with
# PORTAL_S3_BUCKET set, on an S3-compatible object store that several app servers share.
if os.environ.get("PORTAL_S3_BUCKET"):
    DEFAULT_STORAGE = s3_media_storage(os.environ)
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# dumpdata, backup_data and the change history keep timestamps to the microsecond.
SERIALIZATION_MODULES = {"json": "portal.serializers"}

# Spreadsheet import/export (partners/resources/). The library lets anyone who may view a
# model import into it; importing needs "change" here, and the partner admin also wants "add".
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_USE_TRANSACTIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# HTTPS and cookies: on by default whenever debug is off. Behind a proxy that already
# redirects to HTTPS, set DJANGO_SECURE_SSL_REDIRECT=0; if it terminates TLS, set
# DJANGO_SECURE_PROXY_SSL_HEADER=1 so Django trusts its X-Forwarded-Proto header.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). No 'unsafe-inline' anywhere; the admin's extra
# allowances are in portal/security.py and apply under /admin/ only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *env_list("DJANGO_CSP_IMG_SRC")],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login throttling (django-axes): AXES_FAILURE_LIMIT failures for one username from
# one address lock that pair out for AXES_COOLOFF_MINUTES, even with the right password.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# No "AXES: BEGIN" banner on every manage.py command.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
# Behind PORTAL_TRUSTED_PROXY_COUNT reverse proxies that each append the address they saw
# to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for), the client is that many entries
# from the right; 0 (no proxy) uses the connection's address. See README "Deploy".
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "portal.security.client_address"

# The admin login with an unsafe or missing `next` lands on the admin, not on
# Django's /accounts/profile/ default, which this site does not have.
LOGIN_REDIRECT_URL = "admin:index"

# Upload limits. Django's own limits cap request bodies; the PORTAL_ ones are checked by
# partners.validators for import files and photos/documents.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DJANGO_DATA_UPLOAD_MAX_NUMBER_FILES", 20)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DJANGO_DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000)
PORTAL_MAX_UPLOAD_BYTES = env_int("PORTAL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
PORTAL_MAX_IMPORT_FILE_BYTES = env_int("PORTAL_MAX_IMPORT_FILE_BYTES", 5 * 1024 * 1024)
# Bounds on what one import may read, whatever the file declares (partners/resources/reading.py):
# data rows after the header, columns holding values, bytes an .xlsx unpacks to, and problems
# listed in a report before "and N more". 5,000 rows (a city keeps a few hundred partners at
# most) is what this machine checks within 5 s (scripts/bench_import_hostile.py); the deployed
# request timeout (deploy/gunicorn.conf.py) is measured for it (tests/test_deploy_proxy.py).
PORTAL_IMPORT_MAX_ROWS = env_int("PORTAL_IMPORT_MAX_ROWS", 5_000)
PORTAL_IMPORT_MAX_COLUMNS = env_int("PORTAL_IMPORT_MAX_COLUMNS", 100)
PORTAL_IMPORT_MAX_UNPACKED_BYTES = env_int("PORTAL_IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
PORTAL_IMPORT_MAX_REPORTED_PROBLEMS = env_int("PORTAL_IMPORT_MAX_REPORTED_PROBLEMS", 50)
# Photos with more pixels are refused before their pixels are decoded (a decompression bomb
# is a few KB that decodes to gigabytes); Pillow's own warning above it is an error too.
PORTAL_MAX_IMAGE_PIXELS = env_int("PORTAL_MAX_IMAGE_PIXELS", 40_000_000)

# A partner whose last exchange activity is older than this many years (or that never had
# one) is listed in the admin's dormant partnerships report.
PORTAL_DORMANT_YEARS = env_int("PORTAL_DORMANT_YEARS", 3)

# The open-data licence shown on the data pages and in the JSON download; Korea's public
# sector publishes under 공공누리 (KOGL), type 1 asking only for the source to be named.
PORTAL_DATA_LICENCE = {
    "name_en": os.environ.get("PORTAL_DATA_LICENCE_EN", "KOGL Type 1 (attribution)"),
    "name_ko": os.environ.get("PORTAL_DATA_LICENCE_KO", "공공누리 제1유형(출처표시)"),
    "url": os.environ.get("PORTAL_DATA_LICENCE_URL", "https://www.kogl.or.kr/info/licenseType1.do"),
}

# Korean dates and times as public offices write them (portal/formats/ko/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
