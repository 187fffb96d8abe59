"""Poverty lines per year and region: data (data/poverty_lines.csv, with sources), never constants."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

LINES_CSV = Path(__file__).resolve().parent / "data" / "poverty_lines.csv"


@lru_cache(maxsize=1)
def poverty_lines() -> pa.Table:
    """year, region ("CN" national or a 2-digit province code), line (yuan per person per year)."""
    table = pacsv.read_csv(LINES_CSV, convert_options=pacsv.ConvertOptions(
        column_types={"year": pa.int32(), "region": pa.string(), "line": pa.decimal128(12, 2)}))
    return table.select(["year", "region", "line"])
