"""Settings for the test suite: fast hashing, in-memory mail, background tasks run in process."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True
# Imports and workflow steps queue an indicator refresh in production; tests that need one ask for it.
JINGZHUN_INDICATOR_AUTO_REFRESH = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Analytics read the committed database through ADBC, from a connection of their own: an in-memory
# SQLite test database would be invisible to it, so the test database is a file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os

    DATABASES["default"]["TEST"] = {"NAME": str(JINGZHUN_HOME / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# Django's test client signs in with authenticate() and no request, which django-axes refuses: the test
# backend throttles every request-bound sign-in exactly as production does and lets client.login() through.
AUTHENTICATION_BACKENDS = ["jingzhun.accounts.backends.ThrottledSignInBackend",  # noqa: F405
                           *AUTHENTICATION_BACKENDS[1:]]  # noqa: F405

# The shared cache (rate limits) is the database table in production; in the suite, memory that the
# autouse fixture empties before each test (tests/test_api_throttle_cache.py runs the table itself).
CACHES = {**CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",  # noqa: F405
                               "LOCATION": "shared"}}
