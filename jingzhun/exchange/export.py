"""Export of the registry in exactly the exchange template (version 2, docs/template-v2.md).

`export_tables` turns a queryset of households into the three sheets as pyarrow tables of cell text, in
the canonical form the template's import reads back unchanged (codes as text, 是/否, money as plain
decimals, 其他致贫原因 joined by 、). `write_xlsx` and `write_csv` write those tables; `registry_export` is
the service the CLI and the web page call: it takes the households through the user's scope, writes the
file and records who exported what.

No model instances and no query per row: each sheet is one `values_list` query (the cadre columns
through the foreign key), fetched in chunks, transposed, and turned into Arrow string arrays column by
column. A county of 300,000 households and 880,000 members takes about 20 s and 700 MB to tables
(SQLite); writing the workbook is bound by xlsxwriter's per-cell speed (about 2 minutes for that county,
where CSV takes seconds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db.models import QuerySet
from django.http import Http404

from jingzhun import cells
from jingzhun.cells import safe_column
from jingzhun.accounts.models import AuditEvent, Role, User
from jingzhun.accounts.services import audit_record
from jingzhun.orgunits.access import access_for
from jingzhun.registry import selectors
from jingzhun.registry.models import Household, Member, VillageProfile

from .template import NO, YES
from .template import HOUSEHOLD_SHEET, MEMBER_SHEET, SHEETS, VILLAGE_SHEET, Column, Kind

#: Rows fetched and converted at a time: bounds the Python objects alive during an export.
CHUNK_ROWS = 50_000
BOM = b"\xef\xbb\xbf"
EXCEL_MAX_ROWS = 1_048_576  # header included
SYSTEM_USERNAME = "system"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportTooLarge(ValueError):
    """A sheet has more rows than an Excel worksheet holds; the message (Chinese) says to use CSV."""


#: Template fields that are not one model field of the sheet's model: the ORM paths that fill them.
_PATHS: dict[str, tuple[str, ...]] = {
    "other_causes": ("other_cause_1", "other_cause_2"),
    "other_risks": ("other_risk_1", "other_risk_2"),
    "cadre_name": ("cadre__name",),
    "cadre_work_unit": ("cadre__work_unit",),
    "cadre_phone": ("cadre__phone",),
}

# ---------------------------------------------------------------------------------------------------
# Cells: one formatter per Kind, each taking whole columns (lists) and returning a list of str.


def _text(values: Sequence) -> list[str]:
    return ["" if v is None else v for v in values]


def _integer(values: Sequence) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def _decimal(values: Sequence) -> list[str]:
    # "f" never uses an exponent: Decimal("0E-2") → "0.00", Decimal("1E+3") → "1000".
    return ["" if v is None else format(v, "f") for v in values]


_BOOL_TEXT = {True: YES, False: NO, None: ""}


def _date(values: Sequence) -> list[str]:
    return ["" if v is None else v.isoformat() for v in values]


def _boolean(values: Sequence) -> list[str]:
    return [_BOOL_TEXT[v] for v in values]


def _joined(*columns: Sequence) -> list[str]:
    """其他致贫原因: the non-blank values of each row, joined by 、."""
    return ["、".join(v for v in row if v) for row in zip(*columns)]


_FORMATTERS: dict[Kind, Callable[..., list[str]]] = {
    Kind.TEXT: _text, Kind.CODE: _text, Kind.ID_NUMBER: _text, Kind.CHOICE: _text, Kind.PHONE: _text,
    Kind.INT: _integer, Kind.YEAR: _integer, Kind.MONEY: _decimal, Kind.DECIMAL: _decimal,
    Kind.BOOL: _boolean, Kind.CHOICES: _joined, Kind.DATE: _date,
}


@dataclass(frozen=True)
class _Plan:
    """How one template column is read (ORM paths) and written (formatter)."""

    column: Column
    paths: tuple[str, ...]
    format: Callable[..., list[str]]


def _shown_ids(shown: Callable[[str], str]) -> Callable[[Sequence], list[str]]:
    def format_ids(values: Sequence) -> list[str]:
        return [shown(v or "") for v in values]

    return format_ids


def _plans(sheet: str, id_shown: Callable[[str], str] | None,
           phone_shown: Callable[[str], str] | None = None) -> list[_Plan]:
    plans = []
    for column in SHEETS[sheet]:
        fmt = _FORMATTERS[column.kind]
        if column.kind == Kind.ID_NUMBER and id_shown is not None:
            fmt = _shown_ids(id_shown)
        elif column.kind == Kind.PHONE and phone_shown is not None:
            fmt = _shown_ids(phone_shown)
        plans.append(_Plan(column, _PATHS.get(column.field, (column.field,)), fmt))
    return plans


def _schema(sheet: str) -> pa.Schema:
    return pa.schema([(c.header, pa.string()) for c in SHEETS[sheet]])


def _sheet_table(sheet: str, rows: QuerySet, id_shown: Callable[[str], str] | None,
                 phone_shown: Callable[[str], str] | None = None) -> pa.Table:
    """One sheet from one `values_list` query, converted chunk by chunk and column by column."""
    plans = _plans(sheet, id_shown, phone_shown)
    schema = _schema(sheet)
    paths = [p for plan in plans for p in plan.paths]
    batches = []
    cursor = rows.values_list(*paths).iterator(chunk_size=CHUNK_ROWS)
    while chunk := list(islice(cursor, CHUNK_ROWS)):
        columns = list(zip(*chunk))
        del chunk
        arrays, i = [], 0
        for plan in plans:
            arrays.append(pa.array(plan.format(*columns[i:i + len(plan.paths)]), pa.string()))
            i += len(plan.paths)
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def _keep(table: pa.Table, header: str, allowed: pa.Array | pa.ChunkedArray) -> pa.Table:
    """The rows of `table` whose `header` column is one of `allowed`."""
    if isinstance(allowed, pa.ChunkedArray):
        allowed = allowed.combine_chunks()
    return table.filter(pc.is_in(table[header], value_set=allowed))


def export_tables(households: QuerySet[Household], *, id_shown: Callable[[str], str] | None = None,
                  phone_shown: Callable[[str], str] | None = None) -> dict[str, pa.Table]:
    """村表, 户表 and 人员表 of `households`: template headers in template order, every cell text.

    村表 holds the profiles (村情) of the villages of those households that have one; 人员表 every member
    of those households, whatever their 人员状态. `id_shown`, when given, replaces each ID number (e.g.
    `Access.mask_id`), and `phone_shown` each phone number (`Access.mask_phone`); a file with masked IDs is
    a report and cannot be imported back.
    """
    household_table = _sheet_table(HOUSEHOLD_SHEET, households.order_by("code"), id_shown, phone_shown)
    # Members and villages are read through the same filter as a subquery; filtering them again by the
    # codes actually exported keeps the file self-consistent if the registry changed in between.
    members = Member.objects.filter(household__in=households.values("code")).order_by("household_id", "id")
    member_table = _keep(_sheet_table(MEMBER_SHEET, members, id_shown), "户编号", household_table["户编号"])
    profiles = VillageProfile.objects.filter(village_id__in=households.values("village_id")).order_by("village_id")
    village_table = _keep(_sheet_table(VILLAGE_SHEET, profiles, None), "村代码",
                          pc.unique(household_table["村代码"]))
    return {VILLAGE_SHEET: village_table, HOUSEHOLD_SHEET: household_table, MEMBER_SHEET: member_table}


# ---------------------------------------------------------------------------------------------------
# Writers


#: How each template kind is written into a workbook: codes, ID numbers and phones stay text (leading
#: zeros, 18 digits); money and decimals are numbers shown as plain decimals, counts and years numbers.
_CELL_KINDS = {Kind.MONEY: (cells.DECIMAL, "0.00"), Kind.DECIMAL: (cells.DECIMAL, "0.00"), Kind.INT: (cells.INT, ""),
               Kind.YEAR: (cells.INT, "")}


def _sheet_columns(sheet: str, headers: list[str]) -> list[cells.SheetColumn]:
    kinds = {c.header: c.kind for c in SHEETS.get(sheet, ())}
    return [cells.SheetColumn(h, *_CELL_KINDS.get(kinds.get(h), (cells.TEXT, ""))) for h in headers]


def write_xlsx(tables: dict[str, pa.Table], path: Path) -> Path:
    """One workbook, one worksheet per sheet: text as text (codes keep their leading zeros), money and
    counts as numbers, a frozen header with an autofilter. It reads back through the template unchanged."""
    import xlsxwriter

    for sheet, table in tables.items():
        if table.num_rows + 1 > EXCEL_MAX_ROWS:
            raise ExportTooLarge(f"{sheet}有 {table.num_rows} 行，超过 Excel 工作表上限 {EXCEL_MAX_ROWS - 1} 行；"
                             f"请改为导出 CSV（--out 指定一个文件夹）")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False})
    try:
        writer = cells.SheetWriter(workbook)
        for sheet, table in tables.items():
            rows = (values for batch in table.to_batches(max_chunksize=CHUNK_ROWS)
                    for values in zip(*(column.to_pylist() for column in batch.columns)))
            writer.write(sheet, _sheet_columns(sheet, table.column_names), rows)
    finally:
        workbook.close()
    return path


def write_csv(tables: dict[str, pa.Table], folder: Path) -> list[Path]:
    """村表.csv, 户表.csv, 人员表.csv in `folder` (created), UTF-8 with a BOM so Chinese Excel opens them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet, table in tables.items():
        path = folder / f"{sheet}.csv"
        with pa.OSFile(str(path), "wb") as sink:
            sink.write(BOM)
            safe = pa.table([safe_column(c) if pa.types.is_string(c.type) else c for c in table.columns],
                            names=table.column_names)
            pacsv.write_csv(safe, sink)
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------------
# The service


@dataclass(frozen=True)
class ExportResult:
    villages: int
    households: int
    members: int
    paths: list[Path] = field(default_factory=list)
    #: ID numbers were masked: the file is a report, not something to import back.
    masked: bool = False


def _system_principal() -> User:
    """Who exports when nobody is signed in (the CLI): the system, reaching everything, IDs in full.

    An unsaved sysadmin, so that the one access helper (`access_for`) gives it its reach (prefix "")
    and the one household selector filters for it as for anybody else. It is never saved: its audit
    rows have no actor and the username "system".
    """
    return User(username=SYSTEM_USERNAME, role=Role.SYSADMIN, is_superuser=True, is_active=True)


def registry_export(*, acting_user: User | None, out: Path, org: str = "", status: str = "", attribute: str = "",
                    main_cause: str = "", text: str = "", source: str, ip: str | None = None, category: str = "",
                    monitoring_class: str = "") -> ExportResult:
    """Export the households in the user's reach (filtered as the household list is) in the template.

    `out` ending in .xlsx gives one workbook, anything else a folder of CSV files. `org` narrows to a
    unit, which must be in the user's reach (Http404 otherwise, as for a page of a unit out of scope).
    `acting_user=None` is the system (the CLI): everything, IDs in full. Users whose role does not see
    ID numbers in full get them masked; such a file is a report and cannot be imported back.

    Every export is audited (these files carry ID numbers): the row is written once the file is, and
    if it cannot be written the file is removed, so no file leaves without its audit row.
    """
    principal = acting_user if acting_user is not None else _system_principal()
    access = access_for(principal)
    if org:
        try:
            selectors.unit_get(principal, org)
        except Http404:
            raise Http404("no such unit in reach") from None
    households = selectors.household_list(principal, status=status, attribute=attribute,
                                          main_cause=main_cause, unit=org, text=text, category=category,
                                          monitoring_class=monitoring_class)
    masked = not access.sees_full_ids
    tables = export_tables(households, id_shown=access.mask_id if masked else None,
                           phone_shown=access.mask_phone if masked else None)

    out = Path(out)
    paths = [write_xlsx(tables, out)] if out.suffix.lower() == ".xlsx" else write_csv(tables, out)
    result = ExportResult(villages=tables[VILLAGE_SHEET].num_rows, households=tables[HOUSEHOLD_SHEET].num_rows,
                          members=tables[MEMBER_SHEET].num_rows, paths=paths, masked=masked)
    filters = {"org": org, "status": status, "attribute": attribute, "main_cause": main_cause, "text": text,
               "category": category, "monitoring_class": monitoring_class}
    try:
        audit_record(action=AuditEvent.Action.EXPORT, actor=acting_user,
                     username="" if acting_user is not None else SYSTEM_USERNAME, target=out.name, ip=ip,
                     detail={"filter": {k: v for k, v in filters.items() if v}, "households": result.households,
                             "members": result.members, "villages": result.villages, "masked": masked,
                             "format": "xlsx" if len(paths) == 1 else "csv", "source": source})
    except BaseException:
        _remove(paths)
        raise
    return result


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)
