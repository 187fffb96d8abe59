"""A 督导组's spreadsheet imported as a batch (supervision.services.batches.batch_import): the format, every
kind of error by row and column, all or nothing, the same file refused twice, hostile files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from jingzhun.accounts.models import AuditEvent
from jingzhun.supervision import ledger_format as fmt
from jingzhun.supervision.models import Agency, Batch, Item, ItemEvent
from jingzhun.supervision.services.batches import batch_import, read_ledger_file
from jingzhun.supervision.vocab import ItemState
from jingzhun.synth.ledger import DEPARTMENTS, ledger_batch_workbook

from . import hostile_files
from .people import XIAGAOCHI

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2020, 3, 10)


def _import(world, path, *, name="省督导组反馈问题（2020年第1批）", create_missing=True, user=None, **extra):
    return batch_import(acting_user=user or world.county_admin, county="140826", file=path, name=name,
                        received_on=RECEIVED, deadline=dt.date(2020, 6, 30), issued_by="省脱贫攻坚第三督导组",
                        create_missing=create_missing, **extra)


def _workbook(path, rows, headers=fmt.HEADERS, sheet=fmt.SHEET):
    book = openpyxl.Workbook()
    book.active.title = sheet
    book.active.append(list(headers))
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _nothing_stored():
    assert not Batch.objects.exists() and not Item.objects.exists() and not ItemEvent.objects.exists()
    assert not Agency.objects.exists()


def test_the_sample_imports_21_problems_in_4_aspects_with_their_units(world, tmp_path):
    report = _import(world, ledger_batch_workbook(tmp_path / "清单.xlsx"))
    assert report.ok, report.issues
    assert (report.items, report.aspects) == (21, 4)
    assert report.created_agencies == sorted(DEPARTMENTS[:4])  # 县医保局 is named by no row
    batch = report.batch
    assert (batch.name, batch.issued_by, batch.received_on, batch.deadline) == (
        "省督导组反馈问题（2020年第1批）", "省脱贫攻坚第三督导组", RECEIVED, dt.date(2020, 6, 30))
    assert len(batch.file_sha256) == 64
    items = list(batch.items.order_by("number"))
    assert [i.number for i in items] == list(range(1, 22))
    assert {i.state for i in items} == {ItemState.DRAFT}
    assert all(i.agency_id and i.lead_agency_id and i.deadline for i in items)
    first = items[0]
    assert first.aspect == "精准识别" and first.title == "一户一档资料不完善"
    assert first.agency.kind == "township" and first.agency.org_id == "140826100"
    assert first.lead_agency.name == "县乡村振兴局" and first.deadline == RECEIVED + dt.timedelta(days=30)
    assert first.affected_units.count() == 1
    assert items[1].agency.kind == "village" and items[2].agency.kind == "department"
    assert items[2].affected_units.count() == 2
    assert ItemEvent.objects.filter(kind="create").count() == 21
    audit = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT, detail__what="ledger_batch")
    assert audit.detail["items"] == 21 and audit.detail["sha256"] == batch.file_sha256


def test_the_same_file_is_refused_a_second_time_even_under_another_name(world, tmp_path):
    path = ledger_batch_workbook(tmp_path / "清单.xlsx")
    assert _import(world, path).ok
    again = _import(world, path, name="另一个名字")
    assert not again.ok
    assert any("不能重复导入" in i.message for i in again.issues)
    assert Batch.objects.count() == 1 and Item.objects.count() == 21


def test_an_unknown_department_is_an_error_naming_the_row_unless_missing_ones_are_created(world, tmp_path):
    path = ledger_batch_workbook(tmp_path / "清单.xlsx")
    report = _import(world, path, create_missing=False)
    assert not report.ok
    bad = [i for i in report.issues if i.header == fmt.H_LEAD]
    assert len(bad) == 21 and bad[0].row == 2 and "县乡村振兴局" in bad[0].message
    assert {i.row for i in report.issues if i.header == fmt.H_AGENCY} == {4, 7, 10, 15, 20}  # the third problem of each 方面 (and the sixth of the first)
    _nothing_stored()


def test_every_error_is_listed_by_row_and_column_and_nothing_is_stored(world, tmp_path):
    rows = [
        ["1", "饮水安全", "季节性缺水", "", "下高池村", "古绛镇", "古绛镇", "张三", "", "2020-06-30"],
        ["1", "", "", "", "不存在村", "", "县不存在局", "", "", "2020-02-30"],
        ["x", "饮水安全", "水质", "", "999999999999", "", "", "", "", "2020-01-01"],
        ["4", "饮水安全", "水质", "", "", "", "", "", "", "六月底"],
    ]
    report = _import(world, _workbook(tmp_path / "bad.xlsx", rows), create_missing=False)
    assert not report.ok
    got = {(i.row, i.header) for i in report.issues}
    assert {(3, "序号"), (3, "方面"), (3, "问题"), (3, "涉及村（乡镇）"), (3, "责任单位"), (3, "整改时限"),
            (4, "序号"), (4, "涉及村（乡镇）"), (4, "整改时限"), (5, "整改时限")} <= got
    assert not any(i.row == 2 for i in report.issues)
    assert any("与第 2 行的序号重复" in i.message for i in report.issues)
    assert any("早于交办日期" in i.message for i in report.issues if i.row == 4)
    _nothing_stored()


def test_codes_names_and_township_plus_village_all_name_a_unit(world, tmp_path):
    rows = [["1", "精准识别", "问题", "", f"{XIAGAOCHI}、古绛镇下高池村，140826100", "", "下高池村", "", "", ""],
            ["2", "精准识别", "问题", "", "下高池村委会", "", "140826100", "", "", ""]]
    report = _import(world, _workbook(tmp_path / "ok.xlsx", rows))
    assert report.ok, report.issues
    one, two = report.batch.items.order_by("number")
    assert sorted(one.affected_units.values_list("code", flat=True)) == ["140826100", XIAGAOCHI]
    assert one.agency.org_id == XIAGAOCHI and two.agency.org_id == "140826100"
    assert one.deadline == dt.date(2020, 6, 30)  # blank: the batch's deadline
    assert one.state == ItemState.DRAFT


def test_excel_date_cells_are_deadlines_and_numbers_are_numbers(world, tmp_path):
    rows = [[1, "精准识别", "问题", "", "", "", "古绛镇", "", "", dt.datetime(2020, 5, 1)]]
    report = _import(world, _workbook(tmp_path / "dates.xlsx", rows))
    assert report.ok, report.issues
    assert report.batch.items.get().deadline == dt.date(2020, 5, 1)


def test_wrong_headers_and_batch_fields_are_issues(world, tmp_path):
    report = _import(world, _workbook(tmp_path / "h.xlsx", [["1", "x"]], headers=("序号", "类别")),
                     name="")
    messages = " ".join(i.message for i in report.issues)
    assert "不是本表的列" in messages and "缺少必填列“方面”" in messages and "请填写批次名称" in messages
    report = batch_import(acting_user=world.county_admin, county="140826", file=tmp_path / "h.xlsx", name="甲",
                          received_on=None)
    assert any("交办日期" in i.message for i in report.issues)
    _nothing_stored()


def test_a_csv_file_imports_too(world, tmp_path):
    path = tmp_path / "清单.csv"
    path.write_text(",".join(fmt.HEADERS) + "\n1,精准识别,问题,,,,古绛镇,,,2020-06-01\n", encoding="gb18030")
    report = _import(world, path)
    assert report.ok, report.issues


def test_only_the_county_keeps_its_ledger(world, tmp_path):
    path = ledger_batch_workbook(tmp_path / "清单.xlsx")
    for user in (world.township_officer, world.department, world.analyst, world.outsider):
        with pytest.raises(PermissionDenied):
            _import(world, path, user=user)
    _nothing_stored()


@pytest.mark.slow
def test_hostile_and_broken_files_are_issues_not_tracebacks(world, tmp_path):
    bomb = _import(world, hostile_files.cell_bomb(tmp_path / "bomb.xlsx", gigabytes=0.2))
    assert not bomb.ok and bomb.issues
    strings = _import(world, hostile_files.shared_strings_bomb(tmp_path / "s.xlsx", megabytes=64))
    assert not strings.ok
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert not _import(world, broken).ok
    word = tmp_path / "x.docx"
    word.write_bytes(b"hello")
    assert "不支持的文件类型" in _import(world, word).issues[0].message
    _nothing_stored()


def test_a_formula_or_a_merged_cell_is_refused(world, tmp_path):
    path = _workbook(tmp_path / "f.xlsx", [["1", "精准识别", "=1+1", "", "", "", "", "", "", ""]])
    report = _import(world, path)
    assert not report.ok and any(i.header == "问题" for i in report.issues)


def test_the_reader_picks_the_only_sheet_whatever_its_name(world, tmp_path):
    path = _workbook(tmp_path / "s.xlsx", [["1", "精准识别", "问题"]], headers=fmt.HEADERS[:3], sheet="Sheet1")
    tables, issues = read_ledger_file(path)
    assert not issues and tables[0].table.num_rows == 1


def test_the_documented_format_names_every_column():
    text = (Path(__file__).resolve().parents[1] / "docs" / "ledger-format.md").read_text(encoding="utf-8")
    for header in fmt.HEADERS:
        assert f"`{header}`" in text
