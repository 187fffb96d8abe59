"""The thin public layer of the analytics core: Django apps import from here only."""

from .engine import Engine
from .mirror import mirror_bulk_write, mirror_reset, villages_of
from .partitions import COUNTY_LENGTH, registry_counties
from .snapshot import SCHEMA, Snapshot, conform, mirror_verify, registry_snapshot
from .spark import INSTALL_HINT as SPARK_INSTALL_HINT
from .spark import spark_session
from .splink import SPLINK_BACKENDS, SplinkBackend, splink_backend


def get_engine(name: str = "duckdb", **options) -> Engine:
    """An engine by name; heavy optional engines are imported only when asked for."""
    if name == "duckdb":
        from .duckdb import DuckDBEngine

        return DuckDBEngine(**options)
    raise ValueError(f"unknown analytics engine {name!r} (available: duckdb)")


__all__ = ["COUNTY_LENGTH", "SCHEMA", "SPARK_INSTALL_HINT", "SPLINK_BACKENDS", "Engine", "Snapshot", "SplinkBackend",
           "conform", "get_engine", "mirror_bulk_write", "mirror_reset", "mirror_verify", "registry_counties",
           "registry_snapshot", "spark_session", "splink_backend", "villages_of"]
