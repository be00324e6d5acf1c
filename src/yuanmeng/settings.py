"""One settings module, driven by environment variables.

Development needs no variables at all: SQLite in ``var/``, secrets generated once into
``var/dev-secrets.json``. Production sets ``YUANMENG_DEBUG=0`` and must then provide
``SECRET_KEY``, ``YUANMENG_FIELD_KEYS``, ``YUANMENG_INDEX_KEY`` and ``YUANMENG_AUDIT_KEYS`` (see
docs/operations.md).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from yuanmeng.config_secrets import load_secrets

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("YUANMENG_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("YUANMENG_VAR") or PROJECT_DIR / "var")  # empty: the default, not the current folder

DEVELOPMENT = os.environ.get("YUANMENG_DEBUG", "1") == "1"
# Django's technical error pages (tracebacks, every URL pattern) in development; the demo turns them off with
# YUANMENG_TECHNICAL_ERRORS=0 and shows the application's own 404, 403 and 500 pages.
DEBUG = DEVELOPMENT and os.environ.get("YUANMENG_TECHNICAL_ERRORS", "1") == "1"
_secrets = load_secrets(VAR_DIR, allow_generate=DEVELOPMENT)
SECRET_KEY = _secrets.secret_key
# MultiFernet keys: the first encrypts, all decrypt. Rotate by putting a new key first and
# running `yuanmeng rotate_keys`.
FIELD_ENCRYPTION_KEYS = _secrets.field_keys
# HMAC key of the blind index used to find and de-duplicate encrypted numbers.
BLIND_INDEX_KEY = _secrets.index_key
# HMAC keys of the audit chain, newest first: the first signs new entries, all verify (rotate by putting a new
# key first and keeping the old ones). Kept outside the database, so that its administrator cannot re-sign it.
AUDIT_KEYS = _secrets.audit_keys
# The append-only file of audit anchors (head sequence number and hash, with the time) that `yuanmeng audit
# verify` and `yuanmeng audit anchor` write and compare the database against. Keep it (and copies) off the database.
AUDIT_ANCHOR_FILE = Path(os.environ.get("YUANMENG_AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchors.jsonl"))

ALLOWED_HOSTS = [h for h in os.environ.get("YUANMENG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "testserver"}
if DEBUG and set(ALLOWED_HOSTS) - LOCAL_HOSTS:
    raise ImproperlyConfigured(
        "Debug mode shows tracebacks to anyone: set YUANMENG_DEBUG=0 on a server that others can reach "
        "(or YUANMENG_TECHNICAL_ERRORS=0 for a demo on the local network)."
    )
if DEVELOPMENT:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("YUANMENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # an operator class in an index expression (people.Worker's name search)
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "yuanmeng.accounts",
    "yuanmeng.orgs",
    "yuanmeng.people",
    "yuanmeng.audit",
    "yuanmeng.notify",
    "yuanmeng.policies",
    "yuanmeng.applications",
    "yuanmeng.funds",
    "yuanmeng.payouts",
    "yuanmeng.training",
    "yuanmeng.training_orders",
    "yuanmeng.surveys",
    "yuanmeng.projects",
    "yuanmeng.stats",
    "yuanmeng.jobs",
    "yuanmeng.backups",
    "yuanmeng.web",
    "yuanmeng.demo",
    "yuanmeng.core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yuanmeng.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "yuanmeng.accounts.middleware.AuthenticationMiddleware",  # the user read with the session
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "yuanmeng.web.middleware.MenuPagesMiddleware",
]

ROOT_URLCONF = "yuanmeng.urls"
WSGI_APPLICATION = "yuanmeng.wsgi.application"

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
                "yuanmeng.web.context_processors.navigation",
            ],
        },
    },
]


def add_session_options(database: dict, options: str) -> None:
    """Add PostgreSQL session settings after those DATABASE_URL gives (``?options=-c search_path=…`` lands in the
    same key), which they would otherwise replace."""
    given = database.setdefault("OPTIONS", {}).get("options", "")
    database["OPTIONS"]["options"] = f"{given} {options}".strip()


DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'yuanmeng.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock at BEGIN, so two writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check of a kept connection that asks the server only when it has said something.
        DATABASES["default"]["ENGINE"] = "yuanmeng.core.postgresql"
    # A review queue page joins seven tables beside its scope's and its search's semi-joins: above PostgreSQL's
    # collapse limits (8) the planner keeps the written join order and hashes the whole scope before it searches
    # (560 ms instead of 2 ms at 100,000 applications; docs/performance.md "Pages at national scale").
    add_session_options(DATABASES["default"], "-c join_collapse_limit=12 -c from_collapse_limit=12")
    # The queries compiled once (core.compiled) are prepared on the server after their fifth run on a connection, so
    # that they skip parsing and, on a generic plan, planning (an application's read: 2.9–4.7 → 1.0–1.7 ms; decision
    # 0022); Django's other queries bind their values on the client and are never prepared. YUANMENG_DB_PREPARE=0
    # turns it off, behind a pooler in transaction mode that does not keep prepared statements.
    if os.environ.get("YUANMENG_DB_PREPARE", "1") == "1":
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "yuanmeng.accounts.backends.UsernameOrMobileBackend",
]
# Argon2id at OWASP's parameters for every new or changed password; PBKDF2 only so that hashes made before it
# still verify: Django rewrites them as Argon2id at the owner's next log-in (docs/security.md "Passwords").
PASSWORD_HASHERS = [
    "yuanmeng.accounts.hashers.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Log-in limits (docs/security.md "Log-in limits"): 5 failed log-ins for one account from one address lock that
# account from that address for 15 minutes; 30 failures from one address, whatever the accounts, lock the address.
AXES_FAILURE_LIMIT = int(os.environ.get("YUANMENG_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = max(int(os.environ.get("YUANMENG_LOGIN_ADDRESS_FAILURE_LIMIT", "30")),
                                  AXES_FAILURE_LIMIT)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("YUANMENG_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "yuanmeng.accounts.lockout.AccountAndAddressHandler"
AXES_USERNAME_CALLABLE = "yuanmeng.accounts.backends.lockout_key"
AXES_CLIENT_IP_CALLABLE = "yuanmeng.accounts.backends.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy: the header it writes the client's address into (e.g. X-Real-IP), believed only on
# requests from the proxy's own addresses. Off by default: REMOTE_ADDR is the address.
CLIENT_IP_HEADER = os.environ.get("YUANMENG_CLIENT_IP_HEADER", "")
TRUSTED_PROXIES = frozenset(a for a in os.environ.get("YUANMENG_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if a)
# Searches of a public notice (no log-in): at most this many per address in 10 minutes (core/limits.py), counted
# in files shared by the web server's processes on one machine.
NOTICE_SEARCH_LIMIT = int(os.environ.get("YUANMENG_NOTICE_SEARCH_LIMIT", "30"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "limits",
               "TIMEOUT": 3600},
}

# Sessions and cookies.
SESSION_ENGINE = "yuanmeng.accounts.sessions"  # Django's database sessions, read by a query compiled once
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEVELOPMENT
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEVELOPMENT:
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_SSL_REDIRECT = os.environ.get("YUANMENG_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "yuanmeng.core.storage.PrivateStorage"},  # files 0600 in folders 0700
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEVELOPMENT  # runserver serves no static files without DEBUG: whitenoise does

PAGE_SIZE = 25
# A list's count is exact up to this many rows; above, the page says "more than 10,000" (core/pages.py).
PAGE_COUNT_CAP = 10_000

# Uploaded documents live outside the web root and are served only through a scoped view.
MEDIA_ROOT = Path(os.environ.get("YUANMENG_UPLOADS", VAR_DIR / "uploads"))
MAX_UPLOAD_BYTES = int(os.environ.get("YUANMENG_MAX_UPLOAD_MB", "10")) * 1024 * 1024
# Background work (payment files of large batches): run `yuanmeng db_worker` beside the web server.
TASKS = {"default": {"BACKEND": os.environ.get("YUANMENG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Imports and exports above these sizes run in the background worker (`yuanmeng worker`), with progress.
MAX_IMPORT_BYTES = int(os.environ.get("YUANMENG_MAX_IMPORT_MB", "300")) * 1024 * 1024  # a CSV of ~2 M rows
IMPORT_INLINE_ROWS = int(os.environ.get("YUANMENG_IMPORT_INLINE_ROWS", "2000"))
EXPORT_INLINE_ROWS = int(os.environ.get("YUANMENG_EXPORT_INLINE_ROWS", "5000"))
# Kept uploads, rows to fix and exports of background tasks are deleted this many days after the task ended
# (`yuanmeng tasks prune`, run by the worker when it starts and from cron).
TASK_FILES_KEEP_DAYS = int(os.environ.get("YUANMENG_TASK_FILES_KEEP_DAYS", "7"))
# A running job whose worker has not reported for this long is taken as dead (its lease expired).
JOB_LEASE_SECONDS = int(os.environ.get("YUANMENG_JOB_LEASE_SECONDS", "120"))
# A running job that moves no row for this long has stalled: it stops renewing its lease (and is shown as stopped),
# and an import fails when a process checking its rows gives no answer for this long.
JOB_STALL_SECONDS = int(os.environ.get("YUANMENG_JOB_STALL_SECONDS", "300"))
PAYMENT_FILE_INLINE_LINES = int(os.environ.get("YUANMENG_PAYMENT_FILE_INLINE_LINES", "5000"))
# A bulk decision on more applications than this (confirm, review, approve… from the queue or the API) runs as a
# background task, in steps of this many, with progress.
BULK_DECISION_INLINE = int(os.environ.get("YUANMENG_BULK_DECISION_INLINE", "2000"))
# A payment file the worker wrote is kept this long for the officer who issued it (and deleted at once when the
# bank's results are imported); `yuanmeng tasks prune` deletes it after that.
PAYMENT_FILE_KEEP_HOURS = int(os.environ.get("YUANMENG_PAYMENT_FILE_KEEP_HOURS", "24"))
NOTIFY_BACKEND = os.environ.get("YUANMENG_NOTIFY_BACKEND", "yuanmeng.notify.services.ConsoleBackend")

# The union's own account that payment files pay from (the debtor of pain.001, the payer of the bank spreadsheet).
# The defaults are demo values: a real deployment sets both.
# The account payment files debit. The demo's made-up account is used only in debug mode.
PAYER_ACCOUNT = os.environ.get("YUANMENG_PAYER_ACCOUNT", "44050146010100000000" if DEVELOPMENT else "")
PAYER_BANK_NAME = os.environ.get("YUANMENG_PAYER_BANK_NAME", "中国建设银行广州分行" if DEVELOPMENT else "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}
