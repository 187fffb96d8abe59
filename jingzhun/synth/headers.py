"""Sheet names and headers of the template, in template order: taken from `jingzhun.exchange.template`,
the one written-down contract (importable without Django being set up)."""

from __future__ import annotations

from jingzhun.exchange.template import (HOUSEHOLD_SHEET, MEMBER_SHEET, SHEETS, VILLAGE_SHEET, headers)

VILLAGE_HEADERS: tuple[str, ...] = tuple(headers(VILLAGE_SHEET))
HOUSEHOLD_HEADERS: tuple[str, ...] = tuple(headers(HOUSEHOLD_SHEET))
MEMBER_HEADERS: tuple[str, ...] = tuple(headers(MEMBER_SHEET))
SHEET_HEADERS: dict[str, tuple[str, ...]] = {sheet: tuple(headers(sheet)) for sheet in SHEETS}

__all__ = ["HOUSEHOLD_HEADERS", "HOUSEHOLD_SHEET", "MEMBER_HEADERS", "MEMBER_SHEET", "SHEET_HEADERS",
           "VILLAGE_HEADERS", "VILLAGE_SHEET"]
