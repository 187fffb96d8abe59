"""Small template files for the import tests, made with the synthetic generator and then spoiled."""

from __future__ import annotations

import csv
from pathlib import Path

from jingzhun.synth import generate, write

COUNTY = "140826"


def synth_folder(path: Path, households: int = 12, seed: int = 7) -> Path:
    write(generate(county=COUNTY, households=households, seed=seed), path, fmt="csv")
    return path


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def set_cell(path: Path, row: int, header: str, value: str) -> str:
    """Set one cell (row as Excel numbers it: first data row = 2); returns the old value."""
    head, rows = read_rows(path)
    col = head.index(header)
    old = rows[row - 2][col]
    rows[row - 2][col] = value
    write_rows(path, head, rows)
    return old


def database_rows(*, except_tables: tuple[str, ...] = ("accounts_auditevent",)) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), but those of `except_tables`: what "nothing was written" compares."""
    from django.db import connection

    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t not in except_tables]
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows
