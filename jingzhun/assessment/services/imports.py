"""Survey results imported from a spreadsheet (docs/assessment-format.md): evaluators who bring their own
tablets hand headquarters one file, and each household's questionnaire is stored as if sent from the
phone page (`fieldwork.case_submit(..., imported=True)`).

All or nothing: the file is read by the exchange's one-table reader (encodings, broken, encrypted or
hostile workbooks, formulas, merged cells, codes stored as numbers — every one an issue, never an
exception), then every row is checked — the case (its 样本序号 in this assessment, its 户编号, a state that
takes answers) and its answers (`questionnaire.clean_answers`, the questions asked of its frame) — and
one issue means nothing is stored. Rows whose questions and times are all blank are skipped: the
template lists every case, and a team fills in the households it visited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhun.accounts.audit import audit_record
from jingzhun.accounts.models import AuditEvent
from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.template import NO, YES
from jingzhun.exchange.readers import SheetData
from jingzhun.exchange.readers.one_table import OneTableReader, read_one_table_files
from jingzhun.orgunits.permissions import may_survey, require

from .. import questionnaire
from ..models import Assessment, Case
from ..results_format import H_CODE, H_END, H_ORDER, H_START, REFERENCE, SHEET, question_headers, required_headers
from ..selectors import assessment_get
from ..selectors.imports import may_import_results
from .fieldwork import SUBMITTABLE, assessment_line, case_submit

_AS = "人员表"  # the template sheet whose reader checks (户编号 as text, not a number) fit this sheet
MAX_ROWS = 20_000  # an exit assessment samples about 1,600 households
MAX_COLUMNS = 60
_DATETIME_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
#: Clock slack for a tablet whose clock runs a little ahead.
_FUTURE_SLACK = dt.timedelta(minutes=10)


@dataclass
class ResultsReport:
    """What an import did: the issues (nothing stored) or the counts of what was stored."""

    ok: bool
    sources: list[str]
    issues: list[ImportIssue]
    sheets: dict[str, SheetData] = field(default_factory=dict)
    imported: int = 0
    skipped: int = 0
    wrong_exit: int = 0
    missed: int = 0
    disapproving: int = 0


@dataclass
class _Row:
    row: int
    case: Case
    answers: dict
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


# --- reading ----------------------------------------------------------------------------------------

class _ResultsReader(OneTableReader):
    """One .xlsx (its sheet 调查结果, or its only sheet) or one CSV file of any name. Date-time cells of the
    time columns are taken as the times they are; TRUE/FALSE cells of the 是/否 questions as 是/否."""

    as_sheet = _AS

    def __init__(self, display_names: Mapping):
        super().__init__(display_names, MAX_ROWS, max_columns=MAX_COLUMNS)
        self.bools = {h for h, item in question_headers().items() if item.kind == "bool"}

    def pick_sheet(self, sheet_names: list[str], name: str) -> str | None:
        raw = next((s for s in sheet_names if s.strip() == SHEET), None)
        others = [s for s in sheet_names if s.strip() != "填写说明"]
        if raw is None and len(others) == 1:
            raw = others[0]
        if raw is None:
            self.issues.add(name, "", None, "", "", _(
                "工作簿中没有名为“调查结果”的工作表（现有：%(names)s），请按格式说明给工作表命名")
                % {"names": "、".join(sheet_names) or _("无")})
        return raw

    def _convert(self, column, kind, first_row, header, sheet, name):
        if header in (H_START, H_END):
            column = [v.isoformat(sep=" ", timespec="minutes") if isinstance(v, dt.datetime) else v for v in column]
        elif header in self.bools:
            column = [(YES if v else NO) if isinstance(v, bool) else v for v in column]
        return super()._convert(column, kind, first_row, header, sheet, name)


def read_results_file(path: Path, *, display_name: str | None = None) -> tuple[list[SheetData], list[ImportIssue]]:
    """The file's sheet 调查结果 as a string table; every unreadable input an issue, never an exception."""
    names = {Path(path): display_name} if display_name else {}
    return read_one_table_files(lambda: _ResultsReader(names), SHEET, [Path(path)])


# --- checking ---------------------------------------------------------------------------------------

def _parse_time(text: str) -> dt.datetime:
    m = _DATETIME_RE.match(text)
    if m is None:
        raise ValueError(_("应为日期和时间，如 2026-07-01 09:30"))
    try:
        naive = dt.datetime(*(int(g) for g in m.groups(default="0")))
    except ValueError:
        raise ValueError(_("不是有效的日期和时间")) from None
    if naive.year < 2000:
        raise ValueError(_("不是有效的日期和时间"))
    return timezone.make_aware(naive)


def _check_rows(data: SheetData, assessment: Assessment, issues: list[ImportIssue], report: ResultsReport
                ) -> list[_Row]:
    """Every row checked against the assessment's cases and the questionnaire; the good rows returned."""
    by_header = question_headers()
    headers = data.table.column_names

    def add(row, header, value, message):
        issues.append(ImportIssue(data.source, SHEET, row, header, value, message))

    known = {H_ORDER, H_CODE, H_START, H_END, *REFERENCE, *by_header}
    for header in headers:
        if header not in known:
            add(1, header, "", _("不是本表的列：请删除该列或改正表头（各列的表头见格式说明或下载的模板）"))
    missing = [h for h in required_headers() if h not in headers]
    for header in missing:
        add(1, header, "", _("缺少必填列“%(header)s”") % {"header": header})
    if missing or any(h not in known for h in headers):
        return []

    cases = {c.order: c for c in assessment.cases.all()}
    by_household = {c.household_id: c for c in cases.values() if c.household_id}
    columns = {h: data.table.column(i).to_pylist() for i, h in enumerate(headers)}
    answered = [h for h in headers if h in by_header or h in (H_START, H_END)]
    items = questionnaire.items()
    seen: dict[int, int] = {}
    good: list[_Row] = []
    others: set[str] | None = None
    for i, excel_row in enumerate(data.rows.to_pylist()):
        cell = {h: (columns[h][i] or "").strip() for h in headers}
        if not any(cell[h] for h in answered):
            report.skipped += 1
            continue
        bad = False

        def fail(header, message, value=None):
            nonlocal bad
            bad = True
            add(excel_row, header, cell.get(header, "") if value is None else value, message)

        order_text, code = cell[H_ORDER], cell[H_CODE]
        case = None
        if not order_text:
            fail(H_ORDER, _("必填，不能为空"))
        elif not re.fullmatch(r"[0-9]{1,7}", order_text):
            fail(H_ORDER, _("样本序号应为正整数"))
        else:
            order = int(order_text)
            case = cases.get(order)
            if case is None:
                if code and code in by_household:
                    fail(H_ORDER, _("本次评估没有样本序号为 %(order)d 的样本户；户编号 %(code)s 的样本序号是 %(right)d")
                         % {"order": order, "code": code, "right": by_household[code].order})
                elif code:
                    if others is None:  # the households sampled by other assessments, looked up once
                        others = set(Case.objects.exclude(assessment=assessment).filter(
                            household_id__in=[c for c in columns[H_CODE] if c]).values_list("household_id", flat=True))
                    if code in others:
                        fail(H_CODE, _("该户是另一次评估的样本户，不是本次评估（%(title)s）的；请检查是否选错了评估")
                             % {"title": assessment.title})
                    else:
                        fail(H_ORDER, _("本次评估没有样本序号为 %(order)d 的样本户") % {"order": order})
                else:
                    fail(H_ORDER, _("本次评估没有样本序号为 %(order)d 的样本户") % {"order": order})
            elif order in seen:
                fail(H_ORDER, _("与第 %(row)d 行是同一样本户（样本序号 %(order)d），请合并为一行")
                     % {"row": seen[order], "order": order})
                case = None
            else:
                seen[order] = excel_row
        if code and not re.fullmatch(r"[0-9]{16}", code):
            fail(H_CODE, _("户编号应为 16 位数字"))
        elif case is not None:
            if case.household_id is None and code:
                fail(H_CODE, _("样本序号 %(order)d 是立意筛查的未建档户，户编号应留空") % {"order": case.order})
            elif case.household_id and not code:
                fail(H_CODE, _("请填写户编号（用来核对样本户；样本序号 %(order)d 的户编号是 %(code)s）")
                     % {"order": case.order, "code": case.household_id})
            elif case.household_id and code != case.household_id:
                fail(H_CODE, _("户编号与样本序号 %(order)d 的样本户不符（应为 %(code)s），请检查是否填错了行")
                     % {"order": case.order, "code": case.household_id})
        if case is not None and case.state not in SUBMITTABLE:
            fail(H_ORDER, _("该户问卷状态为“%(state)s”，不能再导入；如需修改，请督导员先退回")
                 % {"state": case.get_state_display()})

        times = {}
        for header in (H_START, H_END):
            text = cell.get(header, "")
            if text:
                try:
                    times[header] = _parse_time(text)
                except ValueError as exc:
                    fail(header, str(exc))
        started, ended = times.get(H_START), times.get(H_END)
        if (cell.get(H_START, "") == "") != (cell.get(H_END, "") == ""):
            fail(H_END if cell.get(H_START) else H_START, _("开始时间和结束时间应同时填写或同时留空"))
        if started and ended and ended < started:
            fail(H_END, _("结束时间不能早于开始时间"))
        later = timezone.now() + _FUTURE_SLACK
        for header, moment in times.items():
            if moment > later:
                fail(header, _("时间晚于现在，请检查平板电脑的日期和时间"))

        if case is not None:
            raw = {}
            for header, item in by_header.items():
                text = cell.get(header, "")
                if not text:
                    continue
                if not item.asked(case.frame):
                    fail(header, _("该户是“%(frame)s”，不问这一题，请留空") % {"frame": case.get_frame_display()})
                    continue
                raw[item.key] = text
            _cleaned, errors = questionnaire.clean_answers(raw, frame=case.frame)
            for key, message in errors.items():
                fail(items[key].header, message)
            if not bad:
                good.append(_Row(excel_row, case, raw, started, ended))
    return good


# --- import -----------------------------------------------------------------------------------------

def results_import(*, assessment_id: int, file: Path, acting_user, display_name: str | None = None,
                   via: str = "命令行", ip: str | None = None) -> ResultsReport:
    """Import one results file into an assessment: all or nothing.

    The acting user must be the assessment's headquarters or supervisor (PermissionDenied otherwise; an
    assessment out of their reach is OutOfReach). Each good row is stored by `case_submit(imported=True)`
    in one transaction; should one fail there (a supervisor's action between the check and the write), its
    issue is reported and every row is rolled back.
    """
    require(may_survey(acting_user), _("只有第三方评估人员可以导入调查结果。"))
    assessment = assessment_get(acting_user, assessment_id)
    require(may_import_results(acting_user, assessment), _("只有本次评估的评估组或督导员可以导入调查结果。"))
    name = display_name or Path(file).name
    report = ResultsReport(ok=False, sources=[name], issues=[])
    tables, issues = read_results_file(Path(file), display_name=display_name)
    if assessment.state != Assessment.State.FIELDWORK:
        issues.append(ImportIssue(name, SHEET, None, "", "", _("该评估不在调查阶段（%(state)s），不能导入调查结果。")
                                  % {"state": assessment.get_state_display()}))
    try:
        assessment_line(assessment)
    except ValidationError as exc:
        issues.append(ImportIssue(name, SHEET, None, "", "", " ".join(exc.messages)))
    rows: list[_Row] = []
    for data in tables:
        report.sheets[SHEET] = data
        if not issues:
            rows = _check_rows(data, assessment, issues, report)
    if not issues and not rows:
        issues.append(ImportIssue(name, SHEET, None, "", "", _("文件中没有填写任何样本户的问卷（问卷各列全部为空）")))
    if issues:
        report.issues = sorted(issues, key=ImportIssue.sort_key)
        report.skipped = 0
        return report
    with transaction.atomic():
        for row in rows:
            try:
                case = case_submit(case_id=row.case.pk, acting_user=acting_user, answers=row.answers,
                                   started_at=row.started_at, ended_at=row.ended_at, imported=True)
            except ValidationError as exc:
                issues.append(ImportIssue(name, SHEET, row.row, H_ORDER, str(row.case.order), " ".join(exc.messages)))
                continue
            report.imported += 1
            report.wrong_exit += bool(case.wrong_exit)
            report.missed += bool(case.missed)
            report.disapproving += case.approves is False
        if issues:
            transaction.set_rollback(True)
        else:
            audit_record(action=AuditEvent.Action.IMPORT, actor=acting_user, target=name[:255], ip=ip,
                         detail={"what": "assessment_results", "assessment": assessment.pk, "via": via,
                                 "imported": report.imported, "skipped": report.skipped})
    if issues:
        report.issues, report.imported, report.skipped = issues, 0, 0
        report.wrong_exit = report.missed = report.disapproving = 0
        return report
    report.ok = True
    return report
