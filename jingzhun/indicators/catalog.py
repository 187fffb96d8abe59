"""The indicator catalog (catalog.toml) and its components (sql/components.sql): data, not code."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOG_TOML = HERE / "catalog.toml"
COMPONENTS_SQL = HERE / "sql" / "components.sql"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    value: str  # a SQL expression over the summed components
    words: str


@lru_cache(maxsize=1)
def indicator_catalog() -> dict[str, Indicator]:
    doc = tomllib.loads(CATALOG_TOML.read_text(encoding="utf-8"))
    return {code: Indicator(code=code, **spec) for code, spec in doc.items()}


@lru_cache(maxsize=1)
def components_sql() -> str:
    return COMPONENTS_SQL.read_text(encoding="utf-8").strip().rstrip(";")


@lru_cache(maxsize=1)
def component_names() -> list[str]:
    """The additive columns of components.sql (everything it selects but the village)."""
    final_select = components_sql().rsplit("SELECT", 1)[1].split("FROM", 1)[0]
    return [name for name in re.findall(r"AS (\w+)", final_select) if name != "village"]
