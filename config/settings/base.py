"""Settings shared by every deployment; also the embedded default (SQLite under $JINGZHUN_HOME)."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_list, env_str, jingzhun_home

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "jingzhun"
JINGZHUN_HOME = jingzhun_home()


def _secret_key() -> str:
    """The key from $JINGZHUN_SECRET_KEY, or one generated once and kept in $JINGZHUN_HOME."""
    key = env_str("JINGZHUN_SECRET_KEY")
    if key:
        return key
    path = JINGZHUN_HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _database() -> dict:
    url = env_str("JINGZHUN_DATABASE_URL")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(JINGZHUN_HOME / "jingzhun.sqlite3"),
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
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "jingzhun.orgunits",
    "jingzhun.accounts",
    "jingzhun.registry",
    "jingzhun.exchange",
    "jingzhun.checks",
    "jingzhun.indicators",
    "jingzhun.dashboard",
    "jingzhun.workflows",
    "jingzhun.compare",
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
    "jingzhun.accounts.middleware.DeniedAuditMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "registry:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Background jobs (imports) through Django's Tasks framework, stored in the database itself so the
# embedded deployment needs no broker; `jingzhun serve` starts a worker beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
UPLOAD_ROOT = JINGZHUN_HOME / "uploads"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
#: Folders of a county's own rule files (added to, or replacing, the shipped catalog).
JINGZHUN_RULE_DIRS = [Path(p) for p in env_list("JINGZHUN_RULE_DIRS", [])]
#: Folders of a deployment's own policy files (CN.toml, <province>.toml, <county>.toml) merged over the
#: shipped packs of jingzhun/policy/packs.
JINGZHUN_POLICY_DIRS = [Path(p) for p in env_list("JINGZHUN_POLICY_DIRS", [])]
#: Largest upload accepted, in bytes (a 1M-row workbook is well under this).
JINGZHUN_MAX_UPLOAD_BYTES = 300 * 1024 * 1024
#: 一比对 thresholds, as Splink match weights: pairs at or above the first are accepted automatically,
#: pairs between the two go to the review list, pairs below the second are dropped.
JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT = 10.0
JINGZHUN_COMPARE_REVIEW_WEIGHT = 2.0
# Stored indicators (决策看板): imports and workflow steps queue a refresh of every unit; refreshes of
# the last KEEP_DAYS days are all kept, older ones one per day (the trend and earlier-date values).
JINGZHUN_INDICATOR_AUTO_REFRESH = env_bool("JINGZHUN_INDICATOR_AUTO_REFRESH", True)
JINGZHUN_INDICATOR_KEEP_DAYS = 7

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
