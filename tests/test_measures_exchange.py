"""帮扶措施 in Excel: import (all or nothing, scope, natural key), export, round trip, hostile files."""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from jingzhun.accounts.models import AuditEvent
from jingzhun.assistance.models import Measure
from jingzhun.assistance.services.measures import measure_create
from jingzhun.assistance.services.measures_exchange import measures_export, measures_import, sheet_columns

pytestmark = pytest.mark.django_db

HEADERS = ["户编号", "身份证号", "年度", "措施类型", "措施名称", "金额", "开始日期", "结束日期", "责任单位",
           "脱贫后继续享受", "备注", "明细:务工月数", "明细:就业岗位", "明细:保障类别", "明细:已入住", "明细:入住日期"]


def _daughter(household):
    return household.members.order_by("pk")[1]


def _rows(world):
    daughter = _daughter(world.home)
    return [
        [world.home.code, daughter.id_number, 2024, "就业帮扶", "县城务工", 18000, "2024-03-01", "", "县人社局", "", "",
         8, "保洁", "", "", ""],
        [world.home.code, "", 2024, "兜底保障", "低保", "3600.50", datetime.date(2024, 1, 1), "2024-12-31", "县民政局",
         "是", "按月发放", "", "", "低保", "", ""],
        [world.poor.code, "", 2023, "易地扶贫搬迁", "集中安置", "", "2023/5/1", "", "", "否", "", "", "", "", "是",
         "2023-10-01"],
    ]


def _workbook(path, rows, headers=HEADERS, sheet="帮扶措施"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


@pytest.fixture
def poor(world):
    from .people import XIAGAOCHI, make_household

    world.poor = make_household(XIAGAOCHI, 2, "钱有粮", status="未脱贫")
    return world.poor


def test_a_file_imports_its_measures_with_details_and_history(world, poor, tmp_path):
    report = measures_import(paths=[_workbook(tmp_path / "措施.xlsx", _rows(world))], acting_user=world.village_clerk)
    assert report.ok, report.issues
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    job = Measure.objects.get(type="employment")
    assert job.member == _daughter(world.home) and job.details == {"months": 8, "job": "保洁"}
    assert job.continues_after_exit is True and job.amount == Decimal("18000.00")
    net = Measure.objects.get(type="safety_net")
    assert net.end == datetime.date(2024, 12, 31) and net.details == {"kind": "低保"} and net.amount == Decimal("3600.50")
    moved = Measure.objects.get(type="relocation")
    assert moved.start == datetime.date(2023, 5, 1) and moved.continues_after_exit is False
    assert moved.details == {"moved_in": True, "moved_in_on": "2023-10-01"}
    assert job.history.get().history_user == world.village_clerk
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, detail__what="measures").count() == 1


def test_importing_the_same_file_twice_adds_nothing_and_a_change_is_an_update(world, poor, tmp_path):
    path = _workbook(tmp_path / "措施.xlsx", _rows(world))
    measures_import(paths=[path], acting_user=world.village_clerk)
    again = measures_import(paths=[path], acting_user=world.village_clerk)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    rows = _rows(world)
    rows[0][5] = 20000
    changed = measures_import(paths=[_workbook(tmp_path / "改.xlsx", rows)], acting_user=world.village_clerk)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Measure.objects.count() == 3
    assert Measure.objects.get(type="employment").amount == Decimal("20000.00")


def test_one_bad_cell_and_nothing_is_written_every_error_listed(world, poor, tmp_path):
    rows = _rows(world)
    rows[0][2] = "二〇二四"          # 年度
    rows[1][3] = "发钱"              # 措施类型
    rows[2][7] = "2020-01-01"        # 结束日期 before 开始日期
    rows.append([world.home.code, "", 2024, "产业帮扶", "养牛", "", "2024-01-01", "", "", "", "", 3, "", "", "", ""])
    report = measures_import(paths=[_workbook(tmp_path / "错.xlsx", rows)], acting_user=world.village_clerk)
    assert not report.ok
    found = {(i.row, i.header) for i in report.issues}
    assert {(2, "年度"), (3, "措施类型"), (4, "结束日期"), (5, "明细:务工月数")} <= found
    assert all(i.message for i in report.issues)
    assert not Measure.objects.exists()


def test_a_household_out_of_reach_is_an_error_not_a_write(world, poor, tmp_path):
    rows = _rows(world) + [[world.neighbour.code, "", 2024, "产业帮扶", "养羊", "", "2024-01-01", "", "", "", "",
                            "", "", "", "", ""]]
    report = measures_import(paths=[_workbook(tmp_path / "越界.xlsx", rows)], acting_user=world.village_clerk)
    assert not report.ok
    assert [(i.row, i.header) for i in report.issues] == [(5, "户编号")]
    assert "管辖范围" in report.issues[0].message
    assert not Measure.objects.exists()
    # the county admin reaches both villages
    assert measures_import(paths=[tmp_path / "越界.xlsx"], acting_user=world.county_admin).ok


def test_a_read_only_role_may_not_import(world, poor, tmp_path):
    with pytest.raises(PermissionDenied):
        measures_import(paths=[_workbook(tmp_path / "x.xlsx", _rows(world))], acting_user=world.cadre)
    assert not Measure.objects.exists()


def test_member_id_numbers_and_repeated_rows_are_checked(world, poor, tmp_path):
    rows = _rows(world)
    rows[0][1] = _daughter(world.neighbour).id_number      # not a member of this household
    rows.append(list(rows[1]))                               # the same measure twice
    rows.append([world.home.code, "", 2024, "公益岗位", "护路", "", "2024-01-01", "", "", "", "", "", "", "", "", ""])
    report = measures_import(paths=[_workbook(tmp_path / "人.xlsx", rows)], acting_user=world.village_clerk)
    assert not report.ok
    messages = {(i.row, i.header): i.message for i in report.issues}
    assert "落实到人" in messages[(6, "身份证号")]
    # the first pass stops at cell errors; fix that row and the registry pass speaks
    rows.pop()
    report = measures_import(paths=[_workbook(tmp_path / "人2.xlsx", rows)], acting_user=world.village_clerk)
    messages = {(i.row, i.header): i.message for i in report.issues}
    assert "没有这个身份证号" in messages[(2, "身份证号")]
    assert "与第 3 行是同一措施" in messages[(5, "措施名称")]
    assert not Measure.objects.exists()


def test_unknown_and_missing_columns_are_errors(world, tmp_path):
    headers = [h for h in HEADERS if h != "开始日期"] + ["家庭住址"]
    report = measures_import(paths=[_workbook(tmp_path / "列.xlsx", [], headers=headers)], acting_user=world.village_clerk)
    assert {i.header for i in report.issues} >= {"开始日期", "家庭住址"}


@pytest.mark.parametrize("content, message", [
    (b"", "空的"),
    (b"not a zip at all", "不是有效的 Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ""),
])
def test_hostile_or_broken_files_are_issues_not_tracebacks(world, tmp_path, content, message):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(content)
    report = measures_import(paths=[path], acting_user=world.village_clerk)
    assert not report.ok and report.issues
    assert message in report.issues[0].message


def test_a_zip_bomb_is_refused_before_it_is_read(world, tmp_path, settings):
    settings.JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB = 1
    path = _workbook(tmp_path / "bomb.xlsx", [])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/filler.xml", b"<a>" + b" " * (8 << 20) + b"</a>")
    report = measures_import(paths=[path], acting_user=world.village_clerk)
    assert not report.ok
    assert not Measure.objects.exists()


def test_an_id_number_stored_as_a_number_and_a_formula_are_caught(world, poor, tmp_path):
    rows = _rows(world)
    rows[0][1] = int(rows[0][1][:17] + "0") if rows[0][1][-1] != "X" else 1.4e17
    rows[1][4] = "=HYPERLINK(\"http://x\",\"点\")"
    report = measures_import(paths=[_workbook(tmp_path / "数.xlsx", rows)], acting_user=world.village_clerk)
    assert not report.ok
    headers = {(i.row, i.header) for i in report.issues}
    assert (2, "身份证号") in headers and (3, "措施名称") in headers
    assert not Measure.objects.exists()


def test_a_csv_file_imports_too(world, poor, tmp_path):
    path = tmp_path / "措施.csv"
    daughter = _daughter(world.home)
    path.write_text(",".join(HEADERS[:11]) + "\n"
                    + f"{world.home.code},{daughter.id_number},2024,健康帮扶,家庭医生签约,,2024-02-01,,县卫健局,是,\n",
                    encoding="utf-8-sig")
    report = measures_import(paths=[path], acting_user=world.village_clerk)
    assert report.ok, report.issues
    assert Measure.objects.get().type == "health"


def test_export_reimports_to_the_same_measures(world, poor, tmp_path):
    measures_import(paths=[_workbook(tmp_path / "措施.xlsx", _rows(world))], acting_user=world.village_clerk)
    measure_create(acting_user=world.county_admin, household_code=world.other_township.code, type="education",
                   year=2024, name="雨露计划", start=datetime.date(2024, 9, 1),
                   member_id=_daughter(world.other_township).pk, amount="3000",
                   details={"programme": "雨露计划", "school": "运城职院"})
    before = {m.pk: (m.household_id, m.member_id, m.year, m.type, m.name, m.amount, m.start, m.end,
                     m.responsible_unit, m.continues_after_exit, m.details, m.note) for m in Measure.objects.all()}
    out = tmp_path / "导出.xlsx"
    result = measures_export(org="140826", out=out)
    assert result.count == 4 and not result.masked
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "帮扶措施"
    assert [c.value for c in sheet[1]] == [c.header for c in sheet_columns()]
    again = measures_import(paths=[out], acting_user=world.county_admin)
    assert again.ok, again.issues
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    after = {m.pk: (m.household_id, m.member_id, m.year, m.type, m.name, m.amount, m.start, m.end,
                    m.responsible_unit, m.continues_after_exit, m.details, m.note) for m in Measure.objects.all()}
    assert after == before
    # into an empty registry of measures the same file recreates them
    Measure.objects.all().delete()
    fresh = measures_import(paths=[out], acting_user=world.county_admin)
    assert fresh.created == 4
    assert sorted(after.values(), key=str) == sorted(
        ((m.household_id, m.member_id, m.year, m.type, m.name, m.amount, m.start, m.end, m.responsible_unit,
          m.continues_after_exit, m.details, m.note) for m in Measure.objects.all()), key=str)


def test_export_by_a_user_is_scoped_and_masked(world, poor, tmp_path):
    measures_import(paths=[_workbook(tmp_path / "措施.xlsx", _rows(world))], acting_user=world.village_clerk)
    out = tmp_path / "cadre.xlsx"
    result = measures_export(acting_user=world.cadre, org="140826", out=out)
    assert result.masked and result.count == 2  # the cadre's one household
    ids = [row[1].value for row in openpyxl.load_workbook(out).active.iter_rows(min_row=2)]
    assert _daughter(world.home).id_number not in ids and any(v and "*" in v for v in ids)


def test_the_format_document_lists_exactly_the_columns_the_code_reads_and_writes():
    import re
    from pathlib import Path

    from jingzhun.assistance.services.measures_exchange import COMMON, detail_headers

    text = (Path(__file__).resolve().parent.parent / "docs" / "measures-format.md").read_text("utf-8")
    columns = text.split("## Columns", 1)[1].split("| 明细:", 1)[0]
    documented = re.findall(r"^\| (\S+) \| (yes|no|for member types) \|", columns, re.M)
    assert [h for h, _r in documented] == [h for h, _req, _c in COMMON]
    assert [h for h, req in documented if req == "yes"] == [h for h, req, _c in COMMON if req]
    listed = set(re.findall(r"(明细:[^ ,|]+)", text.split("| 措施类型 | member |", 1)[1].split("Kinds:", 1)[0]))
    assert listed == set(detail_headers())
