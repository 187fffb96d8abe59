"""Importing template files into the registry: all or nothing, idempotent, scoped.

read (readers) → check every cell (validate) → convert to typed Arrow columns → one transaction of
`registry_upsert`. Any format issue and nothing is written.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingzhun.accounts.models import AuditEvent
from jingzhun.accounts.services import audit_record
from jingzhun.analytics import mirror_bulk_write, villages_of
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.permissions import may_import, require
from jingzhun.orgunits.models import Level, OrgUnit
from jingzhun.registry.models import Household
from jingzhun.indicators.services import refresh_soon
from jingzhun.registry.services import UpsertSummary, cadre_conflicts, registry_upsert

from .issues import ImportIssue
from .readers import SheetData, read_sources
from .template import HOUSEHOLD_SHEET, MEMBER_SHEET, MULTI_FIELDS, VILLAGE_SHEET, Kind, household_version, sheets_of
from .validate import check

_DECIMAL = pa.decimal128(12, 2)
logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    sources: list[str]
    issues: list[ImportIssue]
    summary: UpsertSummary | None
    dry_run: bool
    #: What was read, for an error report that shows the bad rows whole (never stored).
    sheets: Mapping[str, SheetData] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.issues


class _DryRun(Exception):
    """Raised to roll back a dry run after its counts are known."""


def typed_table(sheet: str, data: SheetData, version: int | None = None) -> pa.Table:
    """The sheet as typed columns named after model attnames (blank cells → null or "").

    A version 1 户表 gives only version 1 columns, so re-importing it leaves 户类别 and the monitoring
    fields as stored (new households get the model's defaults: 脱贫户, not monitored).
    """
    n = data.table.num_rows
    names = set(data.table.column_names)
    if version is None:
        version = household_version(names) if sheet == HOUSEHOLD_SHEET else 1
    out: dict[str, pa.Array] = {}
    for col in sheets_of(version)[sheet]:
        values = data.table.column(col.header).combine_chunks() if col.header in names else pa.array([""] * n)
        blank = pc.equal(pc.utf8_length(values), 0)
        nulled = pc.if_else(blank, pa.scalar(None, pa.string()), values)
        if col.kind in (Kind.INT, Kind.YEAR):
            out[col.field] = nulled.cast(pa.int64())
        elif col.kind in (Kind.MONEY, Kind.DECIMAL):
            out[col.field] = nulled.cast(_DECIMAL)
        elif col.kind == Kind.DATE:
            out[col.field] = nulled.cast(pa.date32())
        elif col.kind == Kind.BOOL:
            out[col.field] = pc.equal(nulled, "是")
            if col.field == "risk_eliminated":  # blank is 否 (the field is not nullable)
                out[col.field] = pc.fill_null(out[col.field], False)
        elif col.kind == Kind.CHOICES:
            parts = pc.split_pattern(values, "、")
            padded = pc.list_slice(parts, 0, 2)
            for i, name in enumerate(MULTI_FIELDS[col.field]):
                has = pc.greater(pc.list_value_length(padded), i)
                element = pc.list_element(pc.if_else(has, padded, pa.scalar([""] * 2, padded.type)), i)
                out[name] = pc.fill_null(element, "")
        else:
            out[col.field] = values
    if sheet == MEMBER_SHEET:
        out["status"] = pc.if_else(pc.equal(pc.utf8_length(out["status"]), 0), "正常", out["status"])
    return pa.table(out)


def _village_codes(codes) -> set[str]:
    codes = list(codes)
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        found.update(OrgUnit.objects.filter(code__in=codes[start:start + 500], level=Level.VILLAGE)
                     .values_list("code", flat=True))
    return found


def _existing_households(codes) -> set[str]:
    codes = list(codes)
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        found.update(Household.objects.filter(code__in=codes[start:start + 500]).values_list("code", flat=True))
    return found


Progress = Callable[[str, int], None]


def _no_progress(stage: str, percent: int) -> None:
    pass


def registry_import(*, paths: Sequence[Path], acting_user=None, dry_run: bool = False,
                    display_names: Mapping[Path, str] | None = None, via: str = "",
                    progress: Progress = _no_progress) -> ImportReport:
    """Import template files (xlsx, CSV or folders); see `import_sheets`."""
    if acting_user is not None:
        require(may_import(acting_user))
    progress(_("读取文件"), 5)
    try:
        sheets, issues = read_sources(paths, display_names=display_names)
        return import_sheets(sheets=sheets, read_issues=issues, acting_user=acting_user, dry_run=dry_run, via=via,
                             progress=progress)
    except Exception as exc:  # crashed: nothing was written (one transaction), but the attempt is audited
        names = [(display_names or {}).get(Path(p)) or Path(p).name for p in paths]
        try:
            _audit(acting_user=acting_user, sources=names, dry_run=dry_run, via=via, outcome="failed",
                   error=type(exc).__name__)
        except Exception:  # the database itself may be what failed
            logger.exception("audit of the failed import of %s", names)
        raise


def sheets_from_tables(tables: Mapping[str, pa.Table], source: str) -> dict[str, SheetData]:
    """Wrap in-memory template tables (e.g. from `jingzhun.synth`) as if read from a file."""
    return {sheet: SheetData(sheet=sheet, source=source, table=table,
                             rows=pa.array(range(2, table.num_rows + 2), pa.int32()))
            for sheet, table in tables.items()}


def import_sheets(*, sheets: Mapping[str, SheetData], read_issues: Sequence[ImportIssue] = (), acting_user=None,
                  dry_run: bool = False, via: str = "", progress: Progress = _no_progress) -> ImportReport:
    """Check and write template sheets: all or nothing, idempotent, scoped.

    `acting_user` None means the system (the CLI, the demo), which may import anywhere. A web user must
    be allowed to write, and every row must lie under their org unit. Every import is audited (who,
    which files, counts), also one refused for format issues.
    """
    scope_prefix, scope_label = "", ""
    if acting_user is not None:
        access = access_for(acting_user)
        require(may_import(access))
        scope_prefix = access.prefix
        scope_label = acting_user.org_unit.name if acting_user.org_unit_id else ""
    issues = list(read_issues)
    sources = sorted({d.source for d in sheets.values()} | {i.source for i in issues})
    if not issues and not sheets:
        issues = [ImportIssue("、".join(sources), "", None, "", "", _("没有找到村表、户表或人员表"))]
    if not issues:
        rows = sum(data.table.num_rows for data in sheets.values())
        progress(_("检查格式：%(rows)s 行") % {"rows": f"{rows:,}"}, 30)
        issues = check(dict(sheets), village_codes=_village_codes, existing_households=_existing_households,
                       scope_prefix=scope_prefix, scope_label=scope_label)
    summary = None
    tables = {}
    if not issues:
        version = household_version(sheets[HOUSEHOLD_SHEET].table.column_names) if HOUSEHOLD_SHEET in sheets else 1
        tables = {sheet: typed_table(sheet, data, version) for sheet, data in sheets.items()}
        issues = _cadre_issues(sheets.get(HOUSEHOLD_SHEET), tables.get(HOUSEHOLD_SHEET), acting_user)
    audit = functools.partial(_audit, acting_user=acting_user, sources=sources, dry_run=dry_run, via=via)
    if not issues:
        # stored in history rows and the refresh it queues: always Chinese, whatever the uploader's language
        reason = "导入 " + "、".join(sources) + (f"（{via}）" if via else "")
        progress(_("写入数据库"), 60)
        try:
            with transaction.atomic(), mirror_bulk_write(villages=_villages_written(tables)):
                summary = registry_upsert(villages=tables.get(VILLAGE_SHEET), households=tables.get(HOUSEHOLD_SHEET),
                                          members=tables.get(MEMBER_SHEET), acting_user=acting_user, reason=reason,
                                          progress=functools.partial(_write_progress, progress))
                if dry_run:
                    raise _DryRun
                # the audit row commits with the data it describes, or not at all
                audit(outcome="done", summary=summary, sheets=sheets)
                # the dashboard's stored figures follow the registry (queued when this commits)
                refresh_soon(reason=reason, triggered_by=acting_user)
        except _DryRun:
            audit(outcome="checked", summary=summary, sheets=sheets)
    else:
        # A refused import leaves the registry exactly as it was; its audit row says who tried what.
        logger.info("import of %s refused: %d issues", sources, len(issues))
        audit(outcome="refused", issues=issues, sheets=sheets)
    progress(_("完成"), 100)
    return ImportReport(sources=sources, issues=issues, summary=summary, dry_run=dry_run, sheets=sheets)


def _villages_written(tables: Mapping[str, pa.Table]) -> list[str]:
    """The villages an import writes: the registry mirror marks them at once instead of row by row."""
    keys = {VILLAGE_SHEET: "village_id", HOUSEHOLD_SHEET: "code", MEMBER_SHEET: "household_id"}
    return villages_of(*(tables[sheet][key] for sheet, key in keys.items() if sheet in tables))


def _write_progress(progress: Progress, what: str, done: int, total: int) -> None:
    """The write stage's progress per table: 61–99 %, by rows written before this table."""
    progress(_("写入数据库：%(what)s（已写 %(done)s / %(total)s 行）") % {"what": what, "done": f"{done:,}",
                                                                   "total": f"{total:,}"},
             61 + 38 * done // max(total, 1))


def _cadre_issues(data: SheetData | None, households: pa.Table | None, acting_user) -> list[ImportIssue]:
    """Rows that would change a shared 帮扶责任人 record beyond the uploader's reach (see cadre_conflicts)."""
    if data is None or households is None:
        return []
    role = acting_user.get_role_display() if acting_user is not None else ""
    rows = data.rows.to_pylist()
    return [ImportIssue(data.source, HOUSEHOLD_SHEET, rows[c.row], "帮扶单位", c.new_unit, ngettext(
        "帮扶责任人“%(name)s”（电话 %(phone)s）也负责您范围以外的 %(count)d 户，%(role)s不能修改其姓名、电话或单位"
        "（现为“%(old)s”）；请联系县级管理员",
        "帮扶责任人“%(name)s”（电话 %(phone)s）也负责您范围以外的 %(count)d 户，%(role)s不能修改其姓名、电话或单位"
        "（现为“%(old)s”）；请联系县级管理员", c.outside) % {"name": c.name, "phone": c.phone or _("未填"), "count": c.outside,
                                         "role": role, "old": c.old_unit or _("空")})
            for c in cadre_conflicts(households, acting_user)]


def _audit(*, acting_user, sources: list[str], dry_run: bool, via: str, outcome: str, summary=None,
           issues=(), sheets: Mapping[str, SheetData] = {}, error: str = "") -> None:
    """The import's audit row: who, which files, how many rows, and how it ended."""
    detail = {"outcome": outcome, "dry_run": dry_run, "via": via, "files": sources,
              "rows": {sheet: data.table.num_rows for sheet, data in sheets.items()}}
    if summary is not None:
        detail["summary"] = _summary_dict(summary)
    if issues:
        detail["issue_count"] = len(issues)
        detail["first_issue"] = issues[0].message[:200]
    if error:
        detail["error"] = error
    audit_record(action=AuditEvent.Action.IMPORT, actor=acting_user, username="" if acting_user else "system",
                 target="、".join(sources), detail=detail)


def _summary_dict(summary: UpsertSummary) -> dict:
    return {name: vars(getattr(summary, name)) for name in ("villages", "households", "members")} | {
        "cadres_created": summary.cadres_created}
