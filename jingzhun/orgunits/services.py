"""Writes to the division tree."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from .models import LEVEL_OF_LENGTH, PARENT_LENGTH, OrgUnit

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "divisions.csv"
_BATCH = 2000


def read_divisions(path: Path = DIVISIONS_CSV, *, prefix: str = "") -> list[tuple[str, str]]:
    """(code, name) rows of the shipped division list, optionally only those under `prefix`."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header[:2] != ["code", "name"]:
            raise ValueError(f"{path}: expected the header code,name, found {header}")
        return [(code, name) for code, name, *_ in reader if code.startswith(prefix) or prefix.startswith(code)]


@transaction.atomic
def divisions_load(*, path: Path = DIVISIONS_CSV, prefix: str = "",
                   progress: Callable[[int], None] | None = None) -> int:
    """Insert or update the division units of `path` (those under `prefix`); returns how many.

    Parents come before children (the file is sorted by code, and a parent's code is a prefix of its
    children's), so foreign keys hold at every batch. Existing units are updated in place: registry
    rows point at them and must not be cascaded.
    """
    rows = read_divisions(path, prefix=prefix)
    units = []
    for code, name in rows:
        if len(code) not in LEVEL_OF_LENGTH:
            raise ValueError(f"{path}: code {code!r} has {len(code)} digits; expected 2, 4, 6, 9 or 12")
        parent = code[: PARENT_LENGTH[len(code)]] if len(code) in PARENT_LENGTH else None
        units.append(OrgUnit(code=code, name=name, level=LEVEL_OF_LENGTH[len(code)], parent_id=parent))
    for start in range(0, len(units), _BATCH):
        OrgUnit.objects.bulk_create(units[start:start + _BATCH], update_conflicts=True,
                                    unique_fields=["code"], update_fields=["name", "level", "parent"])
        if progress:
            progress(min(_BATCH, len(units) - start))
    return len(units)
