"""The shipped division list (divisions.csv), readable without Django being set up."""

from __future__ import annotations

import csv
from pathlib import Path

DIVISIONS_CSV = Path(__file__).resolve().parent / "data" / "divisions.csv"


def read_divisions(path: Path = DIVISIONS_CSV, *, prefix: str = "") -> list[tuple[str, str]]:
    """(code, name) rows of the list: those under `prefix` and its ancestors (all rows for "")."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header[:2] != ["code", "name"]:
            raise ValueError(f"{path}: expected the header code,name, found {header}")
        return [(code, name) for code, name, *_ in reader if code.startswith(prefix) or prefix.startswith(code)]
