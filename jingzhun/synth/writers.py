"""Writing a synthetic registry as a county would send it: three CSV files or one workbook.

CSV: `村表.csv`, `户表.csv`, `人员表.csv`, UTF-8 with a BOM (what Chinese Excel needs to open UTF-8),
written column-wise by pyarrow. Values are quoted only when they must be (a comma, quote or line break,
RFC 4180); the header row is always quoted. XLSX: `registry.xlsx` with the sheets 村表/户表/人员表, every
cell a string so that codes keep their leading zeros, written by xlsxwriter in constant-memory mode with
a fixed creation date so that the same registry gives the same bytes. A non-empty error manifest goes to
`errors-manifest.csv` next to them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import ERROR_KINDS, MANIFEST_SCHEMA
from .generator import SynthRegistry

BOM = b"\xef\xbb\xbf"
XLSX_NAME = "registry.xlsx"
MANIFEST_NAME = "errors-manifest.csv"
EXCEL_MAX_ROWS = 1_048_576
_FIXED_CREATED = dt.datetime(2021, 1, 1)  # document property; a constant keeps the output reproducible


def write(registry: SynthRegistry, out: Path, *, fmt: str = "csv") -> list[Path]:
    """Write `registry` into the directory `out` (created); returns the files written."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"不支持的格式：{fmt!r}（可选 csv、xlsx）")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "csv":
        for sheet, table in registry.tables.items():
            path = out / f"{sheet}.csv"
            write_csv(table, path)
            written.append(path)
    else:
        path = out / XLSX_NAME
        write_xlsx(registry.tables, path)
        written.append(path)
    if registry.manifest:
        path = out / MANIFEST_NAME
        write_csv(manifest_table(registry.manifest), path)
        written.append(path)
    return written


def manifest_table(manifest: list[dict]) -> pa.Table:
    """The manifest as a table, with the Chinese description of each kind as a last column."""
    table = pa.Table.from_pylist(manifest, schema=MANIFEST_SCHEMA)
    kinds = pa.array(list(ERROR_KINDS), pa.string())
    descriptions = pa.array(list(ERROR_KINDS.values()), pa.string())
    return table.append_column("description", descriptions.take(pc.index_in(table["kind"], value_set=kinds)))


def write_csv(table: pa.Table, path: Path) -> None:
    """UTF-8 with BOM; minimal quoting when no value needs quotes, RFC 4180 quoting otherwise."""
    for style in ("none", "needed"):
        try:
            with pa.OSFile(str(path), "wb") as sink:
                sink.write(BOM)
                pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style=style))
            return
        except pa.ArrowInvalid:
            if style == "needed":
                raise


def write_xlsx(tables: dict[str, pa.Table], path: Path) -> None:
    import xlsxwriter

    for sheet, table in tables.items():
        if table.num_rows + 1 > EXCEL_MAX_ROWS:
            raise ValueError(f"{sheet}有 {table.num_rows} 行，超过 Excel 工作表上限 {EXCEL_MAX_ROWS - 1} 行；请改用 CSV")
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False})
    workbook.set_properties({"created": _FIXED_CREATED})
    try:
        for sheet, table in tables.items():
            worksheet = workbook.add_worksheet(sheet)
            for col, header in enumerate(table.column_names):
                wide = header in ("村代码", "户编号", "户主身份证号", "身份证号", "帮扶单位")
                worksheet.set_column(col, col, 20 if wide else max(8, 2 * len(header) + 2))
            worksheet.write_row(0, 0, table.column_names)
            write_string = worksheet.write_string
            row = 1
            for batch in table.to_batches(max_chunksize=65_536):
                for values in zip(*(column.to_pylist() for column in batch.columns)):
                    for col, value in enumerate(values):
                        if value:  # a blank cell is simply not written
                            write_string(row, col, value)
                    row += 1
    finally:
        workbook.close()
