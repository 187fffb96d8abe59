"""Settings shared by every deployment; also the embedded default (SQLite under $JINGZHUN_HOME)."""

from __future__ import annotations

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str, jingzhun_home

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "jingzhun"
JINGZHUN_HOME = jingzhun_home()


def private_file(path: Path) -> Path:
    """Make `path` a file only its owner can read: created empty with mode 0600, or tightened to it.

    SQLite's -wal and -shm files copy the database's mode, so creating the database this way before
    Django opens it keeps every file of personal data from being world-readable (the umask's 0644).
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        status = path.stat()
        if status.st_mode & 0o077 and status.st_uid == os.getuid():
            path.chmod(0o600)
    return path


def _secret_key(variable: str = "JINGZHUN_SECRET_KEY", filename: str = "secret_key") -> str:
    """The key from $`variable`, or one generated once and kept in $JINGZHUN_HOME/`filename`."""
    key = env_str(variable)
    if key:
        return key
    path = JINGZHUN_HOME / filename
    if not path.exists():
        private_file(path).write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _database() -> dict:
    url = env_str("JINGZHUN_DATABASE_URL")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(private_file(JINGZHUN_HOME / "jingzhun.sqlite3")),
            # WAL lets the web server read while an import or a worker writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;",
                        "transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"JINGZHUN_DATABASE_URL is not a database URL: {exc}") from None
    if config["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured("JINGZHUN_DATABASE_URL must be postgres://… or sqlite:///…")
    if config["ENGINE"] == "django.db.backends.sqlite3" and config["NAME"] not in ("", ":memory:"):
        private_file(Path(config["NAME"]))
    return config


SECRET_KEY = _secret_key()
DEBUG = env_bool("JINGZHUN_DEBUG", False)
ALLOWED_HOSTS = env_list("JINGZHUN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("JINGZHUN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "jingzhun.orgunits",
    "jingzhun.analytics",  # the registry mirror's triggers (SQLite)
    "jingzhun.accounts",
    "jingzhun.registry",
    "jingzhun.exchange",
    "jingzhun.checks",
    "jingzhun.indicators",
    "jingzhun.dashboard",
    "jingzhun.workflows",
    "jingzhun.compare",
    "jingzhun.monitoring",
    "jingzhun.alerts",
    "jingzhun.assistance",
    "jingzhun.assessment",
    "jingzhun.supervision",
    "jingzhun.desk",
    "rest_framework",
    "drf_spectacular",
    "jingzhun.api",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.NoStoreWhenSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jingzhun.accounts.middleware.IdleTimeoutMiddleware",
    "jingzhun.accounts.middleware.SignInStepsMiddleware",
    "jingzhun.accounts.middleware.DeniedAuditMiddleware",
    # last, as django-axes asks: it turns a lockout into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jingzhun.orgunits.context_processors.access",
                "jingzhun.desk.context_processors.menu",
            ],
        },
    },
]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "desk:todo"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jingzhun.accounts.passwords.CharacterClassValidator"},
    {"NAME": "jingzhun.accounts.passwords.GuessableWordsValidator"},
]
# Sign-in (等保 2.0 level 3): throttling per account and per address by django-axes, password expiry, an
# idle timeout, and TOTP two-factor sign-in (django-otp) for county and system administrators on demand.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
#: Wrong passwords in a row before an account, or an address, is locked out.
AXES_FAILURE_LIMIT = env_int("JINGZHUN_LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
#: A lockout lifts itself after this many minutes (0: only an administrator unlocks: `jingzhun unlock`).
_lockout_minutes = env_int("JINGZHUN_LOGIN_LOCKOUT_MINUTES", 30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_lockout_minutes) if _lockout_minutes > 0 else None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jingzhun.accounts.views.lockout_response"
# Unlocking goes through `jingzhun unlock` / the user admin's action, which leave an audit row.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Sign-ins and sign-outs are logged in the (hash-chained) AuditEvent table, not in a second one.
AXES_DISABLE_ACCESS_LOG = True
#: Behind N reverse proxies the client address is the N-th from the right of X-Forwarded-For.
_proxy_count = env_int("JINGZHUN_PROXY_COUNT", 0)
if _proxy_count > 0:
    AXES_IPWARE_PROXY_COUNT = _proxy_count
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
#: Days a password lasts (0: for ever); an expired one must be changed at the next sign-in.
JINGZHUN_PASSWORD_MAX_AGE_DAYS = env_int("JINGZHUN_PASSWORD_MAX_AGE_DAYS", 90)
#: County administrators and system administrators must sign in with a TOTP code as well.
JINGZHUN_REQUIRE_2FA = env_bool("JINGZHUN_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "精准"
#: Minutes without a request after which a session ends (SESSION_COOKIE_AGE is the absolute limit).
JINGZHUN_SESSION_IDLE_MINUTES = env_int("JINGZHUN_SESSION_IDLE_MINUTES", 30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("JINGZHUN_STATIC_ROOT") or JINGZHUN_HOME / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the finders, so `jingzhun serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_AGE = 8 * 60 * 60  # one office day
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Only our own scripts and styles (django-csp 4): no inline script, style or handler anywhere — page
# behaviour lives in static/jingzhun/*.js, styles in app.css; charts draw on canvas.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: the field page previews the photos it keeps (as Blobs) until the phone is back online
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The audit log's hash chain and archive signatures (jingzhun.accounts.audit): a key of its own, so that
# rotating SECRET_KEY does not break the chain. Keep it with the backups.
JINGZHUN_AUDIT_KEY = _secret_key("JINGZHUN_AUDIT_KEY", "audit_key")
#: Days audit rows stay in the table before `jingzhun audit archive` moves them to a signed file.
JINGZHUN_AUDIT_RETENTION_DAYS = env_int("JINGZHUN_AUDIT_RETENTION_DAYS", 183)
if JINGZHUN_AUDIT_RETENTION_DAYS < 183:
    raise ImproperlyConfigured("JINGZHUN_AUDIT_RETENTION_DAYS must be at least 183 (six months, 等保 2.0)")

# Background jobs (imports) through Django's Tasks framework, stored in the database itself so the
# embedded deployment needs no broker; `jingzhun serve` starts a worker beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
UPLOAD_ROOT = JINGZHUN_HOME / "uploads"
# The registry mirror (jingzhun/analytics/mirror.py): Arrow files that make SQLite snapshots fast.
MIRROR_ROOT = JINGZHUN_HOME / "mirror"
#: A running run whose heartbeat is older than this (or whose worker process is gone) is marked failed.
JINGZHUN_RUN_STALE_SECONDS = env_int("JINGZHUN_RUN_STALE_SECONDS", 120)
#: Address space of the background worker, in MB (0: no ceiling): a runaway job fails, the worker lives.
JINGZHUN_WORKER_MEMORY_MB = env_int("JINGZHUN_WORKER_MEMORY_MB", 4096)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
#: Folders of a county's own rule files (added to, or replacing, the shipped catalog).
JINGZHUN_RULE_DIRS = [Path(p) for p in env_list("JINGZHUN_RULE_DIRS", [])]
#: Folders of a deployment's own policy files (CN.toml, <province>.toml, <county>.toml) merged over the
#: shipped packs of jingzhun/policy/packs.
JINGZHUN_POLICY_DIRS = [Path(p) for p in env_list("JINGZHUN_POLICY_DIRS", [])]
#: Largest upload accepted, in bytes (a 1M-row workbook is well under this).
JINGZHUN_MAX_UPLOAD_BYTES = 300 * 1024 * 1024
#: Limits on an uploaded workbook, checked before it is read (jingzhun.exchange.readers.limits): its
#: parts inflated (MB), the compression ratio of one part, the cells of all sheets, the shared strings (MB).
#: Above them the import is refused as a likely zip bomb. A 1M-row template sheet is ~1 GB of XML.
JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB = env_int("JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB", 2000)
JINGZHUN_IMPORT_MAX_RATIO = env_int("JINGZHUN_IMPORT_MAX_RATIO", 100)
JINGZHUN_IMPORT_MAX_CELLS = env_int("JINGZHUN_IMPORT_MAX_CELLS", 40_000_000)
JINGZHUN_IMPORT_MAX_SHARED_STRINGS_MB = env_int("JINGZHUN_IMPORT_MAX_SHARED_STRINGS_MB", 300)
#: A CSV line (one record) longer than this many bytes is refused: no template row comes near it.
JINGZHUN_IMPORT_MAX_CSV_LINE_BYTES = env_int("JINGZHUN_IMPORT_MAX_CSV_LINE_BYTES", 1 << 20)
#: 一比对 thresholds, as Splink match weights: pairs at or above the first are accepted automatically,
#: pairs between the two go to the review list, pairs below the second are dropped.
JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT = 10.0
JINGZHUN_COMPARE_REVIEW_WEIGHT = 2.0
# Stored indicators (决策看板): imports and workflow steps queue a refresh of every unit; refreshes of
# the last KEEP_DAYS days are all kept, older ones one per day (the trend and earlier-date values).
JINGZHUN_INDICATOR_AUTO_REFRESH = env_bool("JINGZHUN_INDICATOR_AUTO_REFRESH", True)
JINGZHUN_INDICATOR_KEEP_DAYS = 7
# "default" is each process's own memory (rendered dashboard parts); "shared" is a table every process and
# host reads (created by a migration): rate limits must count the calls of all `jingzhun serve --processes N`.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "jingzhun_cache"},
}
#: Searches (?q= of the household and problem lists) one user may make per minute; more are answered 429.
JINGZHUN_SEARCH_PER_MINUTE = env_int("JINGZHUN_SEARCH_PER_MINUTE", 30)

# The integration API (/api/v1/, jingzhun/api, docs/api.md): tokens first, the pages' session second (so a
# signed-in person can try the API in the browsable docs); every call goes through jingzhun.api.base.
#: Calls one API token (or one signed-in person) may make per minute; more are answered 429.
JINGZHUN_API_PER_MINUTE = env_int("JINGZHUN_API_PER_MINUTE", 600)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["jingzhun.api.authentication.BearerTokenAuthentication",
                                       "jingzhun.api.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["jingzhun.api.throttling.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "jingzhun.api.pagination.Cursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "jingzhun.api.base.Schema",
    "EXCEPTION_HANDLER": "jingzhun.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "jingzhun API",
    "DESCRIPTION": "精准：建档立卡、问题数据、动态调整、防止返贫监测、帮扶、考核评估与督查督办的集成接口（docs/api.md）。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI comes from npm (frontend/, swagger-ui-dist), served by us: no CDN, our own CSP
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    # one schema name per vocabulary shared by several fields (or by fields named alike in two models)
    "ENUM_NAME_OVERRIDES": {
        "PovertyCauseEnum": "jingzhun.registry.vocab.PovertyCause",
        "RiskTypeEnum": "jingzhun.registry.vocab.risk_type_choices",
        "PovertyStatusEnum": "jingzhun.registry.vocab.PovertyStatus",
        "MemberStatusEnum": "jingzhun.registry.vocab.MemberStatus",
        "ProblemStatusEnum": "jingzhun.checks.models.Problem.Status",
        "ProcedureKindEnum": "jingzhun.workflows.definitions.Kind",
        # the modules area (monitoring, assessment, the ledger): fields named alike with other choice sets
        "LeadChannelEnum": "jingzhun.monitoring.vocab.Channel",
        "LeadPushChannelEnum": "jingzhun.api.serializers.modules.PUSH_CHANNELS",
        "LeadRiskTypeEnum": "jingzhun.monitoring.vocab.RiskType",
        "LeadStatusEnum": "jingzhun.monitoring.vocab.Status",
        "LeadEventKindEnum": "jingzhun.monitoring.models.LeadEvent.Kind",
        "CaseStateEnum": "jingzhun.assessment.models.Case.State",
        "LedgerItemKindEnum": "jingzhun.supervision.vocab.ItemKind",
        "LedgerItemStateEnum": "jingzhun.supervision.vocab.ItemState",
        "LedgerEventKindEnum": "jingzhun.supervision.vocab.EventKind",
        "LedgerItemSourceEnum": "jingzhun.supervision.vocab.Source",
        "ProcedureStateEnum": "jingzhun.workflows.models.Procedure.State",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
