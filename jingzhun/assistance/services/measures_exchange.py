"""帮扶措施 in Excel, in the exchange template's style (docs/measures-format.md): one sheet "帮扶措施".

Import is all or nothing: the file is read by the exchange readers (encodings, broken, encrypted or
hostile workbooks, formulas, merged cells, ID numbers that Excel turned into numbers — every one an
issue, never an exception), every cell is checked, then every row against the registry (the household
must be in the importing user's reach, the member one of its members); one issue and nothing is
written. Re-importing a file updates the measures it names by their natural key (户编号, 身份证号,
年度, 措施类型, 措施名称, 开始日期) instead of adding them again.

Export writes the same sheet, so a record keeper's export re-imports to the same measures (read-only
roles get ID numbers masked, and such a file does not re-import).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jingzhun import cells
from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.readers import SheetData
from jingzhun.exchange.readers.one_table import OneTableReader, read_one_table_files
from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.models import OrgUnit, subtree_q
from jingzhun.orgunits.permissions import OutOfReach, may_edit_measures, require
from jingzhun.registry.models import Household, Member

from ..models import Measure
from ..vocab import Detail, measure_types
from .measures import (
    NOTE_MAX,
    UNIT_MAX,
    YES,
    NO,
    detail_shown,
    detail_value,
    measure_problems,
    parse_date,
    parse_int,
    parse_money,
    parse_yes_no,
)

SHEET = "帮扶措施"
_AS = "人员表"  # the template sheet whose reader checks (户编号 and 身份证号 as text) fit this sheet
DETAIL_PREFIX = "明细:"
MAX_ROWS = 200_000

H_CODE, H_ID, H_YEAR, H_TYPE, H_NAME = "户编号", "身份证号", "年度", "措施类型", "措施名称"
H_AMOUNT, H_START, H_END, H_UNIT, H_CONTINUES, H_NOTE = "金额", "开始日期", "结束日期", "责任单位", "脱贫后继续享受", "备注"
#: The common columns: header, required, how an export writes it.
COMMON = (
    (H_CODE, True, cells.SheetColumn(H_CODE)),
    (H_ID, False, cells.SheetColumn(H_ID)),
    (H_YEAR, True, cells.SheetColumn(H_YEAR, cells.INT)),
    (H_TYPE, True, cells.SheetColumn(H_TYPE)),
    (H_NAME, True, cells.SheetColumn(H_NAME)),
    (H_AMOUNT, False, cells.SheetColumn(H_AMOUNT, cells.DECIMAL, "0.00")),
    (H_START, True, cells.SheetColumn(H_START, cells.DATE)),
    (H_END, False, cells.SheetColumn(H_END, cells.DATE)),
    (H_UNIT, False, cells.SheetColumn(H_UNIT)),
    (H_CONTINUES, False, cells.SheetColumn(H_CONTINUES)),
    (H_NOTE, False, cells.SheetColumn(H_NOTE)),
)
_DETAIL_KINDS = {"int": (cells.INT, ""), "money": (cells.DECIMAL, "0.00"), "date": (cells.DATE, "")}


def detail_headers() -> dict[str, list[Detail]]:
    """"明细:<label>" → the details of that label (one per type that has it), in the types file's order.
    Types that share a label share its column; a row's type says which detail a cell is."""
    out: dict[str, list[Detail]] = {}
    for mtype in measure_types().values():
        for detail in mtype.details:
            out.setdefault(DETAIL_PREFIX + detail.label, []).append(detail)
    return out


def sheet_columns() -> list[cells.SheetColumn]:
    """The sheet's columns in the order an export writes them."""
    columns = [column for _header, _required, column in COMMON]
    for header, details in detail_headers().items():
        kinds = {d.kind for d in details}
        kind, num_format = _DETAIL_KINDS.get(kinds.pop(), (cells.TEXT, "")) if len(kinds) == 1 else (cells.TEXT, "")
        columns.append(cells.SheetColumn(header, kind, num_format))
    return columns


def _date_headers() -> set[str]:
    return {H_START, H_END} | {h for h, ds in detail_headers().items() if any(d.kind == "date" for d in ds)}


# --- reading ----------------------------------------------------------------------------------------

class _MeasuresReader(OneTableReader):
    """One .xlsx (its sheet 帮扶措施, or its only sheet) or one CSV file of any name, read as the
    reader's 人员表 (so 户编号 and 身份证号 stored as numbers are caught) and renamed afterwards. Date
    cells in the date columns are taken as the dates they are (Excel turns a typed 2024-03-01 into one)."""

    as_sheet = _AS

    def __init__(self, display_names: Mapping, max_rows: int):
        super().__init__(display_names, max_rows, max_columns=80)
        self.dates = _date_headers()

    def pick_sheet(self, sheet_names: list[str], name: str) -> str | None:
        raw = next((s for s in sheet_names if s.strip() == SHEET), None)
        if raw is None and len(sheet_names) == 1:
            raw = sheet_names[0]
        if raw is None:
            self.issues.add(name, "", None, "", "", _(
                "工作簿中没有名为“帮扶措施”的工作表（现有：%(names)s），请按格式说明给工作表命名")
                % {"names": "、".join(sheet_names) or _("无")})
        return raw

    def _convert(self, column, kind, first_row, header, sheet, name):
        if header in self.dates:
            column = [v.date().isoformat() if isinstance(v, dt.datetime) and v.time() == dt.time()
                      else v.isoformat() if type(v) is dt.date else v for v in column]
        return super()._convert(column, kind, first_row, header, sheet, name)


def read_measures_file(paths: Sequence[Path], *, display_names: Mapping[Path, str] | None = None
                       ) -> tuple[list[SheetData], list[ImportIssue]]:
    """Each file's sheet 帮扶措施 as a string table; every unreadable input an issue, never an exception."""
    return read_one_table_files(lambda: _MeasuresReader(display_names or {}, MAX_ROWS), SHEET, paths)


# --- checking ---------------------------------------------------------------------------------------

@dataclass
class Row:
    """One checked row: where it came from and the measure's values."""

    source: str
    row: int
    code: str
    id_number: str
    type: str
    year: int
    name: str
    amount: Decimal | None
    start: dt.date
    end: dt.date | None
    responsible_unit: str
    continues: bool | None
    details: dict
    note: str
    member: Member | None = None
    household: Household | None = None

    @property
    def key(self) -> tuple:
        return (self.code, self.id_number, self.year, self.type, self.name, self.start)


@dataclass
class ImportReport:
    ok: bool
    sources: list[str]
    issues: list[ImportIssue]
    sheets: dict[str, SheetData] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _normal_header(header: str) -> str:
    return DETAIL_PREFIX + header[3:].strip() if header.startswith(("明细：", "明细:")) else header


def _check_table(data: SheetData, issues: list[ImportIssue]) -> list[Row]:
    """Cell by cell: every bad cell an issue (row, header, value, message); the good rows returned."""
    types_by_name = {t.name: t for t in measure_types().values()}
    by_label = detail_headers()
    headers = [_normal_header(h) for h in data.table.column_names]
    known = {h for h, _r, _c in COMMON} | set(by_label)

    def add(row, header, value, message):
        issues.append(ImportIssue(data.source, SHEET, row, header, value, message))

    for original, header in zip(data.table.column_names, headers):
        if header not in known:
            add(1, original, "", _("不是本表的列：请删除该列或改正表头（明细列写作“明细:标签”，如“明细:务工月数”）"))
    missing = [h for h, required, _c in COMMON if required and h not in headers]
    for header in missing:
        add(1, header, "", _("缺少必填列“%(header)s”") % {"header": header})
    if missing or any(h not in known for h in headers):
        return []
    columns = {h: data.table.column(i).to_pylist() for i, h in enumerate(headers)}
    rows: list[Row] = []
    for i, excel_row in enumerate(data.rows.to_pylist()):
        cell = {h: (columns[h][i] or "").strip() for h in headers}
        bad = False

        def fail(header, message):
            nonlocal bad
            bad = True
            add(excel_row, header, cell.get(header, ""), message)

        def parsed(header, parse, required=False):
            text = cell.get(header, "")
            if not text:
                if required:
                    fail(header, _("必填，不能为空"))
                return None
            try:
                return parse(text)
            except ValueError as exc:
                fail(header, str(exc))
                return None

        code = cell[H_CODE]
        if not code:
            fail(H_CODE, _("必填，不能为空"))
        elif not (len(code) == 16 and code.isdigit()):
            fail(H_CODE, _("户编号应为 16 位数字"))
        id_number = cell.get(H_ID, "").upper()
        if id_number and not (len(id_number) == 18 and id_number[:17].isdigit() and id_number[17] in "0123456789X"):
            fail(H_ID, _("身份证号应为 18 位（最后一位可以是 X）"))
        year = parsed(H_YEAR, parse_int, required=True)
        mtype = None
        if not cell[H_TYPE]:
            fail(H_TYPE, _("必填，不能为空"))
        else:
            mtype = types_by_name.get(cell[H_TYPE])
            if mtype is None:
                fail(H_TYPE, _("应为以下之一：%(choices)s") % {"choices": " / ".join(types_by_name)})
        name = cell[H_NAME]
        amount = parsed(H_AMOUNT, parse_money)
        start = parsed(H_START, parse_date, required=True)
        end = parsed(H_END, parse_date)
        continues = parsed(H_CONTINUES, parse_yes_no)
        unit, note = cell.get(H_UNIT, ""), cell.get(H_NOTE, "")
        if len(unit) > UNIT_MAX:
            fail(H_UNIT, _("不能超过 %(n)d 个字") % {"n": UNIT_MAX})
        if len(note) > NOTE_MAX:
            fail(H_NOTE, _("不能超过 %(n)d 个字") % {"n": NOTE_MAX})
        details = {}
        for header, candidates in by_label.items():
            text = cell.get(header, "")
            if not text or mtype is None:
                continue
            detail = next((d for d in candidates if d in mtype.details), None)
            if detail is None:
                fail(header, _("措施类型“%(type)s”没有这项明细，请留空") % {"type": mtype.name})
                continue
            try:
                details[detail.key] = detail_value(detail, text)
            except ValueError as exc:
                fail(header, str(exc))
        if mtype is not None:
            if mtype.member and not id_number:
                fail(H_ID, _("“%(type)s”落实到人，请填写受益人员的身份证号") % {"type": mtype.name})
            elif not mtype.member and id_number:
                fail(H_ID, _("“%(type)s”是对整户的措施，身份证号应留空") % {"type": mtype.name})
        # the checks of the fields taken together (the member's household is checked against the registry later)
        if not bad:
            for problem in measure_problems(household=Household(code=code), mtype=mtype, year=year, name=name,
                                            start=start, end=end, member=None):
                if problem.field != "member":
                    fail({"year": H_YEAR, "name": H_NAME, "start": H_START, "end": H_END}.get(problem.field, ""),
                         problem.message)
        if not bad:
            rows.append(Row(data.source, excel_row, code, id_number, mtype.code, year, name, amount, start, end,
                            unit, continues, {k: v for k, v in details.items() if v is not None}, note))
    return rows


def _check_registry(rows: list[Row], access: Access | None, issues: list[ImportIssue]) -> list[Row]:
    """The households in reach and their members; keys repeated within the file."""
    codes = sorted({r.code for r in rows})
    households = Household.objects.filter(code__in=codes)
    if access is not None:
        households = access.filter_households(households)
    found = {h.code: h for h in households}
    members = {(m.household_id, m.id_number.upper()): m for m in Member.objects.filter(household_id__in=list(found))}
    seen: dict[tuple, int] = {}
    good = []
    for r in rows:
        def add(header, value, message):
            issues.append(ImportIssue(r.source, SHEET, r.row, header, value, message))
        household = found.get(r.code)
        if household is None:
            add(H_CODE, r.code, _("户编号不存在，或不在您的管辖范围内"))
            continue
        r.household = household
        if r.id_number:
            r.member = members.get((r.code, r.id_number))
            if r.member is None:
                add(H_ID, r.id_number, _("该户没有这个身份证号的成员"))
                continue
        if r.key in seen:
            add(H_NAME, r.name, _("与第 %(row)d 行是同一措施（户编号、身份证号、年度、措施类型、措施名称、开始日期都相同），请合并为一行")
                % {"row": seen[r.key]})
            continue
        seen[r.key] = r.row
        good.append(r)
    return good


# --- import -----------------------------------------------------------------------------------------

_UPDATED = ("amount", "end", "responsible_unit", "continues_after_exit", "details", "note")


def _natural_key(m: Measure) -> tuple:
    return (m.household_id, (m.member.id_number.upper() if m.member_id else ""), m.year, m.type, m.name, m.start)


def measures_import(*, paths: Sequence[Path], acting_user=None, display_names: Mapping[Path, str] | None = None,
                    via: str = "命令行", ip: str | None = None) -> ImportReport:
    """Import measures files: all or nothing. `acting_user` None is the command line without --user (every
    household); a user imports only households in their reach and must be a record keeper."""
    access = None
    if acting_user is not None:
        require(may_edit_measures(acting_user), _("帮扶措施由村、乡镇、县的信息员导入。"))
        access = access_for(acting_user)
    names = [(display_names or {}).get(Path(p)) or Path(p).name for p in paths]
    tables, issues = read_measures_file(paths, display_names=display_names)
    sheets = {}
    rows: list[Row] = []
    for data in tables:
        sheets[SHEET] = data
        rows.extend(_check_table(data, issues))
    if not issues:
        rows = _check_registry(rows, access, issues)
    if issues:
        issues.sort(key=ImportIssue.sort_key)
        return ImportReport(ok=False, sources=names, issues=issues, sheets=sheets)
    report = ImportReport(ok=True, sources=names, issues=[], sheets=sheets)
    _write(rows, acting_user, report)
    audit_record(action=AuditEvent.Action.IMPORT, actor=acting_user, target="、".join(names)[:255], ip=ip,
                 detail={"what": "measures", "via": via, "created": report.created, "updated": report.updated,
                         "unchanged": report.unchanged})
    return report


@transaction.atomic
def _write(rows: list[Row], acting_user, report: ImportReport) -> None:
    types = measure_types()
    codes = sorted({r.code for r in rows})
    # select_for_update: a person adding a measure to one of these households meanwhile must not create
    # the twin of a row this import is about to add.
    list(Household.objects.select_for_update().filter(code__in=codes).values_list("pk", flat=True))
    existing: dict[tuple, Measure] = {}
    for m in Measure.objects.filter(household_id__in=codes).select_related("member").order_by("pk"):
        existing.setdefault(_natural_key(m), m)
    new, changed = [], []
    for r in rows:
        continues = types[r.type].continues if r.continues is None else r.continues
        values = {"amount": r.amount, "end": r.end, "responsible_unit": r.responsible_unit,
                  "continues_after_exit": continues, "details": r.details, "note": r.note}
        stored = existing.get(r.key)
        if stored is None:
            new.append(Measure(household=r.household, member=r.member, year=r.year, type=r.type, name=r.name,
                               start=r.start, created_by=acting_user, **values))
        elif any(getattr(stored, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(stored, k, v)
            stored.updated_at = timezone.now()
            changed.append(stored)
        else:
            report.unchanged += 1
    reason = _("帮扶措施文件导入")
    if new:
        bulk_create_with_history(new, Measure, batch_size=500, default_user=acting_user, default_change_reason=reason)
    if changed:
        bulk_update_with_history(changed, Measure, [*_UPDATED, "updated_at"], batch_size=500,
                                 default_user=acting_user, default_change_reason=reason)
    report.created, report.updated = len(new), len(changed)


# --- export -----------------------------------------------------------------------------------------

def _yes_no(value: bool) -> str:
    return YES if value else NO


def sheet_rows(measures: QuerySet[Measure], mask) -> Iterable[list]:
    """The rows of the sheet (in `sheet_columns` order) for these measures; `mask` shows an ID number."""
    types = measure_types()
    headers = list(detail_headers().items())
    for m in measures.select_related("member").iterator(2000):
        mtype = types.get(m.type)
        row = [m.household_id, mask(m.member.id_number) if m.member_id else "", m.year,
               mtype.name if mtype else m.type, m.name, m.amount, m.start, m.end, m.responsible_unit,
               _yes_no(m.continues_after_exit), m.note]
        for _header, candidates in headers:
            detail = next((d for d in candidates if mtype and d in mtype.details), None)
            if detail is None:
                row.append(None)
                continue
            value = m.details.get(detail.key)
            if detail.kind == "date" and value:
                value = dt.date.fromisoformat(value)
            elif detail.kind == "money" and value not in (None, ""):
                value = Decimal(value)
            else:
                value = detail_shown(detail, value) if value is not None else None
            row.append(value)
        yield row


@dataclass
class ExportResult:
    count: int
    masked: bool


def measures_export(*, acting_user=None, org: str, out: Path, source: str = "cli", username: str = "") -> ExportResult:
    """The measures of the households under `org` (in the user's reach; the command line without a user
    reaches all) as the sheet 帮扶措施 of a workbook at `out`, with an EXPORT audit row."""
    unit = OrgUnit.objects.filter(code=org).first()
    if unit is None:
        from django.http import Http404

        raise Http404("no such unit")
    measures = Measure.objects.filter(subtree_q("household_id", org)).order_by("household_id", "-year", "type", "pk")
    mask = str
    masked = False
    if acting_user is not None:
        access = access_for(acting_user)
        if not (access.reaches_code(org) or access.prefix.startswith(org)):
            raise OutOfReach("unit out of reach")
        measures = measures.filter(access.household_q("household__"))
        mask, masked = access.mask_id, not access.sees_full_ids
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
    try:
        count = cells.SheetWriter(book).write(SHEET, sheet_columns(), sheet_rows(measures, mask))
    finally:
        book.close()
    audit_record(action=AuditEvent.Action.EXPORT, actor=acting_user,
                 username=username, target=str(out)[:255],
                 detail={"what": "measures", "count": count, "org": org, "masked": masked, "source": source,
                         "format": "xlsx"})
    return ExportResult(count=count, masked=masked)
