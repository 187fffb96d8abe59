"""Production: behind HTTPS, secret key and hosts from the environment, checked by `check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("JINGZHUN_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("JINGZHUN_SECRET_KEY must be set to a random string of at least 50 characters")
ALLOWED_HOSTS = env_list("JINGZHUN_ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("JINGZHUN_ALLOWED_HOSTS must name the host(s) jingzhun is served as")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("JINGZHUN_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("JINGZHUN_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("JINGZHUN_HSTS_PRELOAD", True)
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
