"""Deterministic synthetic registries in the exchange template (shared/TEMPLATE.md).

    from jingzhun.synth import generate, write
    registry = generate(county="140826", households=2000, seed=1, errors=0.05)
    write(registry, Path("out"), fmt="csv")  # 村表.csv 户表.csv 人员表.csv errors-manifest.csv
"""

from .errors import ERROR_KINDS, HOUSEHOLD_KINDS, MANIFEST_FIELDS, MEMBER_KINDS
from .generator import SynthRegistry, generate
from .headers import (HOUSEHOLD_HEADERS, HOUSEHOLD_SHEET, MEMBER_HEADERS, MEMBER_SHEET, SHEET_HEADERS,
                      VILLAGE_HEADERS, VILLAGE_SHEET)
from .writers import MANIFEST_NAME, XLSX_NAME, manifest_table, write

__all__ = [
    "ERROR_KINDS",
    "HOUSEHOLD_HEADERS",
    "HOUSEHOLD_KINDS",
    "HOUSEHOLD_SHEET",
    "MANIFEST_FIELDS",
    "MANIFEST_NAME",
    "MEMBER_HEADERS",
    "MEMBER_KINDS",
    "MEMBER_SHEET",
    "SHEET_HEADERS",
    "SynthRegistry",
    "VILLAGE_HEADERS",
    "VILLAGE_SHEET",
    "XLSX_NAME",
    "generate",
    "manifest_table",
    "write",
]
