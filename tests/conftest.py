import pytest

from .people import World


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded files go to the test's own folder, never to the real $JINGZHUN_HOME."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.MIRROR_ROOT = tmp_path / "mirror"  # the registry mirror's files too


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the dashboard reuses rendered pages across requests)."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["shared"].clear()


@pytest.fixture(autouse=True)
def _chinese_to_begin_with():
    """Each test starts in Chinese: a request with the English cookie leaves English active in the thread
    (LocaleMiddleware activates per request and never deactivates), which would leak into later tests."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def without_pyspark(monkeypatch):
    """Any import of pyspark fails, as on a machine without the `spark` extra."""
    import builtins

    real_import = builtins.__import__

    def no_pyspark(name, *args, **kwargs):
        if name.startswith("pyspark"):
            raise ImportError("No module named 'pyspark'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole test session (starting one takes seconds): local[2], few
    shuffle partitions, no UI. Tests that need PySpark skip the module when it is not installed.

    The driver's JIT compiles at its first tier only: the tests run many small queries, whose planning
    then takes about half the time (measured on the golden fixtures); long benchmarks want the default."""
    from jingzhun.analytics import spark_session

    session = spark_session(java_options="-XX:TieredStopAtLevel=1")
    session.sparkContext.setLogLevel("ERROR")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()
