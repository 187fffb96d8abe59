"""Rate limits count in the shared cache: in production a database table that every process reads."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection

from .api_helpers import api_client

DB_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "jingzhun_cache"}}


def test_the_migrations_create_the_table(db):
    assert "jingzhun_cache" in connection.introspection.table_names()


def test_the_api_limit_is_counted_in_the_table(world, settings):
    settings.CACHES = DB_CACHE
    settings.JINGZHUN_API_PER_MINUTE = 2
    from jingzhun.api.throttling import PerTokenThrottle

    PerTokenThrottle.cache = caches["shared"]  # the class kept the memory cache of the test settings
    client = api_client(world.county_admin)
    assert [client.get("/api/v1/units/").status_code for _ in range(3)] == [200, 200, 429]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM jingzhun_cache")
        assert any("throttle_token" in key for (key,) in cursor.fetchall())


@pytest.fixture(autouse=True)
def _memory_cache_back():
    """After the test (and its settings) the class reads the test settings' memory cache again."""
    yield
    from jingzhun.api.throttling import PerTokenThrottle

    PerTokenThrottle.cache = caches["shared"]
