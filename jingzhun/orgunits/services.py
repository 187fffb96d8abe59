"""Writes to the division tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from .divisions import DIVISIONS_CSV, read_divisions
from .models import LEVEL_OF_LENGTH, PARENT_LENGTH, OrgUnit

_BATCH = 2000


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
