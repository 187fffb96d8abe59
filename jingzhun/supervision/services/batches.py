"""交办批次: a batch entered by hand, imported from a 督导组's spreadsheet (docs/ledger-format.md), and
assigned at once (批量交办).

The import is all or nothing: the file is read by the exchange's one-table reader (broken, encrypted or
hostile workbooks, formulas, merged cells — every one an issue, never an exception), then every row is
checked (序号, the units named, the deadline) and one issue means nothing is stored. The file's SHA-256 is
kept on the batch, and the same file is not imported twice into a county.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.readers import SheetData
from jingzhun.exchange.readers.one_table import OneTableReader, read_one_table_files
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.orgunits.permissions import may_manage_ledger, require

from .. import ledger_format as fmt
from ..models import Agency, Batch, Item, ItemEvent
from ..selectors import batch_get
from ..vocab import AgencyKind, EventKind, ItemKind, ItemState, Source
from .agencies import agency_for_org
from .items import LedgerError, item_assign

_DATE_RE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$")


def _require_county(acting_user, county: str) -> None:
    access = access_for(acting_user)
    require(may_manage_ledger(access) and access.reaches_code(county),
            _("只有县级管理员可以登记和导入本县的交办批次。"))


def _check_batch_fields(*, county: str, name: str, source: str, received_on: dt.date | None,
                        deadline: dt.date | None, kind: str = ItemKind.PROBLEM) -> list[str]:
    """What is wrong with the batch-level data (批次名称, 来源, 交办日期, 总时限), in Chinese."""
    problems = []
    if not OrgUnit.objects.filter(code=county, level=Level.COUNTY).exists():
        problems.append(_("没有区划代码为“%(code)s”的县。") % {"code": county})
    if not name.strip():
        problems.append(_("请填写批次名称。"))
    elif len(name.strip()) > 128:
        problems.append(_("批次名称不能超过 128 字。"))
    elif Batch.objects.filter(county_id=county, name=name.strip()).exists():
        problems.append(_("本县已有名为“%(name)s”的批次，请换一个名称（如注明第几批）。") % {"name": name.strip()})
    if source not in Source.values:
        problems.append(_("问题来源不在可选范围内。"))
    if kind not in ItemKind.values:
        problems.append(_("台账类别不在可选范围内。"))
    if received_on is None:
        problems.append(_("请填写交办日期。"))
    elif deadline is not None and deadline < received_on:
        problems.append(_("总时限不能早于交办日期。"))
    return problems


@transaction.atomic
def batch_create(*, acting_user, county: str, name: str, source: str, received_on: dt.date,
                 issued_by: str = "", deadline: dt.date | None = None, kind: str = ItemKind.PROBLEM) -> Batch:
    """登记批次 by hand (its items are then entered one by one)."""
    _require_county(acting_user, county)
    problems = _check_batch_fields(county=county, name=name, source=source, received_on=received_on,
                                   deadline=deadline, kind=kind)
    if problems:
        raise LedgerError(" ".join(problems))
    return Batch.objects.create(county_id=county, name=name.strip(), source=source, kind=kind,
                                issued_by=issued_by.strip()[:128], received_on=received_on, deadline=deadline,
                                created_by=acting_user)


@dataclass
class BatchAssignResult:
    assigned: int = 0
    #: 待交办 items left as they were, and why: (序号, reason).
    skipped: list[tuple[int, str]] = field(default_factory=list)


@transaction.atomic
def batch_assign(*, acting_user, batch_id: int, note: str = "") -> BatchAssignResult:
    """批量交办: every 待交办 item of the batch that has a 责任单位 and a 时限, each through `item_assign`;
    the others stay 待交办 and are listed with the reason."""
    batch = batch_get(acting_user, batch_id)
    _require_county(acting_user, batch.county_id)
    # Lock the batch's drafts: a second 批量交办 pressed at once waits, then finds them assigned.
    drafts = list(Item.objects.select_for_update().filter(batch=batch, state=ItemState.DRAFT).order_by("number", "pk"))
    result = BatchAssignResult()
    for item in drafts:
        if item.agency_id is None:
            result.skipped.append((item.number, _("未指定责任单位")))
            continue
        if item.deadline is None:
            result.skipped.append((item.number, _("未填写整改时限")))
            continue
        item_assign(acting_user=acting_user, item_id=item.pk, note=note)
        result.assigned += 1
    return result


# --- import --------------------------------------------------------------------------------------------


@dataclass
class BatchImportReport:
    """What an import did: the issues (nothing stored) or the batch and the counts of what was stored."""

    ok: bool
    sources: list[str]
    issues: list[ImportIssue]
    sheets: dict[str, SheetData] = field(default_factory=dict)
    batch: Batch | None = None
    items: int = 0
    aspects: int = 0
    created_agencies: list[str] = field(default_factory=list)


class _LedgerReader(OneTableReader):
    """One .xlsx (its sheet 问题清单, or its only sheet besides 填写说明) or one CSV file of any name. Date
    cells of 整改时限 are taken as the dates they are."""

    as_sheet = "村表"  # no column of 村表's checks is a column here: its reader checks stay out of the way

    def __init__(self, display_names: Mapping):
        super().__init__(display_names, fmt.MAX_ROWS, max_columns=fmt.MAX_COLUMNS)

    def pick_sheet(self, sheet_names: list[str], name: str) -> str | None:
        raw = next((s for s in sheet_names if s.strip() == fmt.SHEET), None)
        others = [s for s in sheet_names if s.strip() != "填写说明"]
        if raw is None and len(others) == 1:
            raw = others[0]
        if raw is None:
            self.issues.add(name, "", None, "", "", _(
                "工作簿中没有名为“问题清单”的工作表（现有：%(names)s），请按格式说明给工作表命名")
                % {"names": "、".join(sheet_names) or _("无")})
        return raw

    def _convert(self, column, kind, first_row, header, sheet, name):
        if header == fmt.H_DEADLINE:
            column = [v.date().isoformat() if isinstance(v, dt.datetime)
                      else v.isoformat() if isinstance(v, dt.date) else v for v in column]
        return super()._convert(column, kind, first_row, header, sheet, name)


def read_ledger_file(path: Path, *, display_name: str | None = None) -> tuple[list[SheetData], list[ImportIssue]]:
    """The file's sheet 问题清单 as a string table; every unreadable input an issue, never an exception."""
    names = {Path(path): display_name} if display_name else {}
    return read_one_table_files(lambda: _LedgerReader(names), fmt.SHEET, [Path(path)])


def parse_date(text: str) -> dt.date:
    """2020-06-30, 2020/6/30, 2020.6.30 or 2020年6月30日; ValueError with a Chinese message otherwise."""
    m = _DATE_RE.match(text.strip())
    if m is None:
        raise ValueError(_("应为日期，如 2020-06-30"))
    try:
        value = dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        raise ValueError(_("不是有效的日期")) from None
    if value.year < 2000:
        raise ValueError(_("不是有效的日期"))
    return value


class _Units:
    """The county's townships, villages and units, to match the names a 督导组 writes."""

    def __init__(self, county: str):
        self.county = county
        divisions = list(OrgUnit.objects.filter(code__startswith=county, level__in=(Level.TOWNSHIP, Level.VILLAGE)))
        self.by_code = {u.code: u for u in divisions}
        self.townships = {u.code: u for u in divisions if u.level == Level.TOWNSHIP}
        self.by_name: dict[str, list[OrgUnit]] = {}
        for unit in divisions:
            names = {unit.name, unit.short_name}
            if unit.level == Level.VILLAGE and unit.code[:9] in self.townships:
                township = self.townships[unit.code[:9]]
                names |= {township.name + n for n in (unit.name, unit.short_name)}
            for n in names:
                self.by_name.setdefault(n, []).append(unit)
        everyone = list(Agency.objects.filter(county_id=county))
        self.agencies = {a.name: a for a in everyone if a.active}
        self.inactive = {a.name for a in everyone if not a.active}
        self.of_org = {a.org_id for a in everyone if a.org_id}
        self.missing: dict[str, int] = {}  # departments to create: name → first row naming it

    def division(self, text: str) -> tuple[OrgUnit | None, str]:
        """The township or village `text` names (a name or a code), or None and why not."""
        if re.fullmatch(r"[0-9]{9}|[0-9]{12}", text):
            unit = self.by_code.get(text)
            if unit is None:
                return None, _("“%(code)s”不是本县的乡镇或村的区划代码") % {"code": text}
            return unit, ""
        found = self.by_name.get(text, [])
        if len(found) > 1:
            return None, _("有几个乡镇或村都叫“%(name)s”（%(codes)s），请写成“乡镇名+村名”或填写区划代码") % {
                "name": text, "codes": "、".join(u.code for u in found)}
        if found:
            return found[0], ""
        return None, ""

    def agency(self, text: str, row: int, create_missing: bool) -> tuple[Agency | OrgUnit | str | None, str]:
        """The unit `text` names: an Agency, a division (its unit is made when the batch is stored), a
        department name to create (str), or None and why not."""
        unit, why = self.division(text)
        if why:
            return None, why
        if unit is not None:
            if unit.code not in self.of_org and unit.short_name in self.agencies | dict.fromkeys(self.inactive):
                return None, _("本县已有名为“%(name)s”的其他单位，与该乡镇（村）重名；请先修改该单位的名称") % {
                    "name": unit.short_name}
            return unit, ""
        if text in self.inactive:
            return None, _("单位“%(name)s”已停用，请改填在用的单位") % {"name": text}
        if text in self.agencies:
            return self.agencies[text], ""
        if create_missing:
            self.missing.setdefault(text, row)
            return text, ""
        return None, _("本县没有名为“%(name)s”的单位：乡镇、村写区划名称，县直部门写系统中登记的全称"
                       "（或在导入时勾选“自动添加缺少的县直部门”）") % {"name": text}


@dataclass
class _Row:
    row: int
    number: int
    aspect: str
    title: str
    detail: str
    units: list[str]
    lead: Agency | OrgUnit | str | None
    agency: Agency | OrgUnit | str | None
    responsible: str
    measures: str
    deadline: dt.date | None


def _check_rows(data: SheetData, units: _Units, *, received_on: dt.date | None, create_missing: bool,
                issues: list[ImportIssue]) -> list[_Row]:
    headers = data.table.column_names

    def add(row, header, value, message):
        issues.append(ImportIssue(data.source, fmt.SHEET, row, header, value, message))

    for header in headers:
        if header not in fmt.HEADERS:
            add(1, header, "", _("不是本表的列：请删除该列或改正表头（各列的表头见格式说明或下载的模板）"))
    missing = [h for h in fmt.REQUIRED if h not in headers]
    for header in missing:
        add(1, header, "", _("缺少必填列“%(header)s”") % {"header": header})
    if missing or any(h not in fmt.HEADERS for h in headers):
        return []
    columns = {h: data.table.column(i).to_pylist() for i, h in enumerate(headers)}
    seen: dict[int, int] = {}
    good: list[_Row] = []
    for i, excel_row in enumerate(data.rows.to_pylist()):
        cell = {h: (columns[h][i] if h in columns else "") or "" for h in fmt.HEADERS}
        cell = {h: v.strip() for h, v in cell.items()}
        bad = False

        def fail(header, message, value=None):
            nonlocal bad
            bad = True
            add(excel_row, header, cell.get(header, "") if value is None else value, message)

        for header in fmt.REQUIRED:
            if not cell[header]:
                fail(header, _("必填，不能为空"))
        for header, limit in fmt.MAX_LENGTH.items():
            if len(cell[header]) > limit:
                fail(header, _("不能超过 %(n)d 字（现有 %(len)d 字）") % {"n": limit, "len": len(cell[header])},
                     value=cell[header][:40] + "…")
        number = 0
        if cell[fmt.H_NUMBER]:
            if not re.fullmatch(r"[0-9]{1,6}", cell[fmt.H_NUMBER]) or int(cell[fmt.H_NUMBER]) == 0:
                fail(fmt.H_NUMBER, _("序号应为正整数"))
            else:
                number = int(cell[fmt.H_NUMBER])
                if number in seen:
                    fail(fmt.H_NUMBER, _("与第 %(row)d 行的序号重复") % {"row": seen[number]})
                else:
                    seen[number] = excel_row
        codes: list[str] = []
        for part in re.split(f"[{fmt.UNIT_SEPARATORS}\\s]+", cell[fmt.H_UNITS]):
            if not part:
                continue
            unit, why = units.division(part)
            if unit is None:
                fail(fmt.H_UNITS, why or _("“%(name)s”不是本县的乡镇或村") % {"name": part})
            elif unit.code not in codes:
                codes.append(unit.code)
        chosen = {}
        for header in (fmt.H_LEAD, fmt.H_AGENCY):
            chosen[header] = None
            if cell[header]:
                agency, why = units.agency(cell[header], excel_row, create_missing)
                if agency is None:
                    fail(header, why)
                chosen[header] = agency
        deadline = None
        if cell[fmt.H_DEADLINE]:
            try:
                deadline = parse_date(cell[fmt.H_DEADLINE])
            except ValueError as exc:
                fail(fmt.H_DEADLINE, str(exc))
            else:
                if received_on is not None and deadline < received_on:
                    fail(fmt.H_DEADLINE, _("整改时限早于交办日期（%(date)s）") % {"date": received_on.isoformat()})
        if not bad:
            good.append(_Row(excel_row, number, cell[fmt.H_ASPECT], cell[fmt.H_TITLE], cell[fmt.H_DETAIL], codes,
                             chosen[fmt.H_LEAD], chosen[fmt.H_AGENCY], cell[fmt.H_RESPONSIBLE],
                             cell[fmt.H_MEASURES], deadline))
    return good


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def batch_import(*, acting_user, county: str, file: Path, name: str, received_on: dt.date | None,
                 source: str = Source.INSPECTION, issued_by: str = "", deadline: dt.date | None = None,
                 create_missing: bool = False, display_name: str | None = None, via: str = "命令行",
                 ip: str | None = None) -> BatchImportReport:
    """Import a 督导组's spreadsheet as a new batch of 待交办 items: all or nothing.

    The acting user must keep the county's ledger (PermissionDenied otherwise). Every problem of the
    batch-level data, the file and its rows is an issue; with one, nothing is stored.
    """
    _require_county(acting_user, county)
    shown = display_name or Path(file).name
    report = BatchImportReport(ok=False, sources=[shown], issues=[])
    issues: list[ImportIssue] = []

    def whole(message: str):
        issues.append(ImportIssue(shown, fmt.SHEET, None, "", "", message))

    for problem in _check_batch_fields(county=county, name=name, source=source, received_on=received_on,
                                       deadline=deadline):
        whole(problem)
    sha = file_sha256(file) if Path(file).is_file() else ""
    earlier = Batch.objects.filter(county_id=county, file_sha256=sha).first() if sha else None
    if earlier is not None:
        whole(_("这个文件已于 %(date)s 导入为批次“%(name)s”，不能重复导入。") % {
            "date": earlier.created_at.date().isoformat(), "name": earlier.name})
    tables, read_issues = read_ledger_file(Path(file), display_name=display_name)
    issues += read_issues
    rows: list[_Row] = []
    units = _Units(county)
    for data in tables:
        report.sheets[fmt.SHEET] = data
        if not read_issues:
            rows = _check_rows(data, units, received_on=received_on, create_missing=create_missing, issues=issues)
    if not issues and not rows:
        whole(_("文件中没有任何问题（第 2 行起全部为空）"))
    if issues:
        report.issues = sorted(issues, key=ImportIssue.sort_key)
        return report
    report.ok = True
    with transaction.atomic():
        batch = Batch.objects.create(county_id=county, name=name.strip(), source=source, kind=ItemKind.PROBLEM,
                                     issued_by=issued_by.strip()[:128], received_on=received_on, deadline=deadline,
                                     file_sha256=sha, created_by=acting_user)
        made = {}
        for department in units.missing:
            made[department] = Agency.objects.create(county_id=county, kind=AgencyKind.DEPARTMENT, name=department)

        def unit_of(chosen):
            if isinstance(chosen, str):
                return made[chosen]
            if isinstance(chosen, OrgUnit):
                return agency_for_org(chosen)
            return chosen

        for row in rows:
            item = Item.objects.create(
                county_id=county, batch=batch, kind=ItemKind.PROBLEM, source=source, number=row.number,
                aspect=row.aspect, title=row.title, detail=row.detail,
                lead_agency=unit_of(row.lead), agency=unit_of(row.agency),
                responsible=row.responsible, measures=row.measures, deadline=row.deadline or deadline,
                created_by=acting_user)
            if row.units:
                item.affected_units.set(row.units)
            ItemEvent.objects.create(item=item, kind=EventKind.CREATE, state_after=item.state, actor=acting_user,
                                     note=_("导入自“%(file)s”第 %(row)d 行") % {"file": shown[:100], "row": row.row})
        audit_record(action=AuditEvent.Action.IMPORT, actor=acting_user, target=shown[:255], ip=ip,
                     detail={"what": "ledger_batch", "batch": batch.pk, "county": county, "via": via,
                             "items": len(rows), "sha256": sha, "created_agencies": sorted(made)})
    report.batch = batch
    report.items = len(rows)
    report.aspects = len({r.aspect for r in rows})
    report.created_agencies = sorted(made)
    return report
